/// clockAccuracy (IEEE 1588-2019 7.6.2.6, table 5): an open registry, so unknown values survive.
public struct ClockAccuracy: RawRepresentable, Sendable, Hashable, Comparable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let within1ps = ClockAccuracy(rawValue: 0x17)
    public static let within25ns = ClockAccuracy(rawValue: 0x20)
    public static let within100ns = ClockAccuracy(rawValue: 0x21)
    public static let within250ns = ClockAccuracy(rawValue: 0x22)
    public static let within1us = ClockAccuracy(rawValue: 0x23)
    public static let within2_5us = ClockAccuracy(rawValue: 0x24)
    public static let within10us = ClockAccuracy(rawValue: 0x25)
    public static let within25us = ClockAccuracy(rawValue: 0x26)
    public static let within100us = ClockAccuracy(rawValue: 0x27)
    public static let within250us = ClockAccuracy(rawValue: 0x28)
    public static let within1ms = ClockAccuracy(rawValue: 0x29)
    public static let within2_5ms = ClockAccuracy(rawValue: 0x2A)
    public static let within10ms = ClockAccuracy(rawValue: 0x2B)
    public static let within25ms = ClockAccuracy(rawValue: 0x2C)
    public static let within100ms = ClockAccuracy(rawValue: 0x2D)
    public static let within250ms = ClockAccuracy(rawValue: 0x2E)
    public static let within1s = ClockAccuracy(rawValue: 0x2F)
    public static let within10s = ClockAccuracy(rawValue: 0x30)
    public static let beyond10s = ClockAccuracy(rawValue: 0x31)
    public static let unknown = ClockAccuracy(rawValue: 0xFE)

    public static func < (lhs: ClockAccuracy, rhs: ClockAccuracy) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// The quality of a clock as BMCA compares it (IEEE 1588-2019 5.3.7).
public struct ClockQuality: Sendable, Hashable {
    /// clockClass (7.6.2.5): 6 locked to a primary reference, 7 in holdover, 248 default, 255 slave-only.
    public var clockClass: UInt8
    public var clockAccuracy: ClockAccuracy
    public var offsetScaledLogVariance: UInt16

    public init(clockClass: UInt8, clockAccuracy: ClockAccuracy, offsetScaledLogVariance: UInt16) {
        self.clockClass = clockClass
        self.clockAccuracy = clockAccuracy
        self.offsetScaledLogVariance = offsetScaledLogVariance
    }

    /// ptp4l's defaults: class 248, accuracy unknown, variance 0xFFFF.
    public static let `default` = ClockQuality(clockClass: 248, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF)
}

/// timeSource (IEEE 1588-2019 7.6.2.8, table 6): an open registry.
public struct TimeSource: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let atomicClock = TimeSource(rawValue: 0x10)
    public static let gnss = TimeSource(rawValue: 0x20)
    public static let terrestrialRadio = TimeSource(rawValue: 0x30)
    public static let serialTimeCode = TimeSource(rawValue: 0x39)
    public static let ptp = TimeSource(rawValue: 0x40)
    public static let ntp = TimeSource(rawValue: 0x50)
    public static let handSet = TimeSource(rawValue: 0x60)
    public static let other = TimeSource(rawValue: 0x90)
    public static let internalOscillator = TimeSource(rawValue: 0xA0)
}

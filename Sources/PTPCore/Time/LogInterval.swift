/// A message interval as the standard writes it: log₂ of seconds (IEEE 1588-2019 7.7.2), e.g. -4 = 1/16 s.
public struct LogInterval: RawRepresentable, Sendable, Hashable, Comparable {
    public var rawValue: Int8

    @inlinable
    public init(rawValue: Int8) {
        self.rawValue = rawValue
    }

    public init(_ value: Int8) {
        self.rawValue = value
    }

    /// The value 0x7F that unicast and some messages carry to mean "not applicable" (13.3.2.14).
    public static let unspecified = LogInterval(rawValue: 0x7F)

    /// The interval as a duration; 2ⁿ seconds, exact for n in -30...30, clamped outside.
    public var duration: PTPDuration {
        let n = Int(max(-30, min(30, rawValue)))
        if n >= 0 {
            return .seconds(Int64(1) << n)
        }
        // 10⁹ × 2¹⁶ = 2²⁵ × 1953125, so the shift is exact down to 2⁻²⁵ s.
        return .scaledNanoseconds((Int64(1_000_000_000) << 16) >> Int64(-n))
    }

    /// Seconds as a `Double`.
    public var seconds: Double {
        duration.secondsDouble
    }

    public static func < (lhs: LogInterval, rhs: LogInterval) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

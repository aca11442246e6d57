/// portState (IEEE 1588-2019 8.2.15.3.1, table 20).
public enum PortState: UInt8, Sendable, Hashable, CaseIterable {
    case initializing = 1
    case faulty = 2
    case disabled = 3
    case listening = 4
    case preMaster = 5
    case master = 6
    case passive = 7
    case uncalibrated = 8
    case slave = 9
}

extension PortState: CustomStringConvertible {
    /// The names ptp4l logs and pmc prints (`PRE_MASTER`, `UNCALIBRATED`, …).
    public var description: String {
        switch self {
        case .initializing: "INITIALIZING"
        case .faulty: "FAULTY"
        case .disabled: "DISABLED"
        case .listening: "LISTENING"
        case .preMaster: "PRE_MASTER"
        case .master: "MASTER"
        case .passive: "PASSIVE"
        case .uncalibrated: "UNCALIBRATED"
        case .slave: "SLAVE"
        }
    }
}

/// delayMechanism (IEEE 1588-2019 8.2.15.4.4, table 21): an open registry.
public struct DelayMechanism: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let e2e = DelayMechanism(rawValue: 0x01)
    public static let p2p = DelayMechanism(rawValue: 0x02)
    public static let commonP2P = DelayMechanism(rawValue: 0x03)
    public static let special = DelayMechanism(rawValue: 0x04)
    public static let noMechanism = DelayMechanism(rawValue: 0xFE)
}

extension DelayMechanism: CustomStringConvertible {
    public var description: String {
        switch self {
        case .e2e: "E2E"
        case .p2p: "P2P"
        case .commonP2P: "COMMON_P2P"
        case .special: "SPECIAL"
        case .noMechanism: "NO_MECHANISM"
        default: "0x" + hex([rawValue])
        }
    }
}

import PTPCore
import PTPWire

extension ManagementID {
    /// MERIDIAN_STATUS_NP: Meridian's own status, in the implementation-specific range
    /// (IEEE 1588-2019 15.5.2.3, table 59: 0xC000–0xDFFF). 0xC100 stays clear of linuxptp's
    /// 0xC000–0xC00B. GET only.
    public static let meridianStatusNP = ManagementID(rawValue: 0xC100)

    /// Meridian's implementation-specific IDs, with the names `meridianctl` accepts.
    public static let meridianIDs: [(ManagementID, String)] = [(.meridianStatusNP, "MERIDIAN_STATUS_NP")]

    /// The ID named `name` (case-insensitive), standard, linuxptp or Meridian; nil when unknown.
    public static func named(_ name: String) -> ManagementID? {
        if let id = ManagementID(name: name) { return id }
        let upper = name.uppercased()
        return meridianIDs.first { $0.1 == upper }?.0
    }

    /// The name of a standard, linuxptp or Meridian ID.
    public var meridianName: String? {
        name ?? ManagementID.meridianIDs.first { $0.0 == self }?.1
    }
}

/// What pmc cannot show: the time reference, the servo and holdover, and in a lab the virtual
/// clock's true error, and the management server's own counters. Carried as MERIDIAN_STATUS_NP
/// (0xC100), 70 octets, big-endian:
///
/// | offset | field |
/// |---|---|
/// | 0 | referenceKind (u8) |
/// | 1 | referenceState (u8) |
/// | 2 | satellites (u8) |
/// | 3 | flags: bit 0 ppsValid, 1 inHoldover, 2 virtualClockErrorValid |
/// | 4 | servoState (u8) |
/// | 5 | reserved |
/// | 6 | holdoverSeconds (u32) |
/// | 10 | lastPPSOffset (i64, ns) |
/// | 18 | servoFrequency (i64, ppb × 2¹⁶) |
/// | 26 | lastOffset (i64, ns) |
/// | 34 | lastPathDelay (i64, ns) |
/// | 42 | virtualClockError (i64, ns) |
/// | 50 | management: received, malformed, dropped, replies, errorReplies (u32 each) |
/// | 70 | rmsOffset (i64, ns): RMS of the last offsets (`meridianctl tracking`) |
/// | 78 | residualFrequency (i64, ppb × 2¹⁶): the offsets' regression slope |
/// | 86 | frequencySkew (i64, ppb × 2¹⁶): the servo frequency's standard deviation |
///
/// 94 octets; a 70-octet dataField (before the tracking fields) still decodes, with them 0.
public struct MeridianStatus: Sendable, Hashable {
    /// The kind of time reference.
    public enum ReferenceKind: UInt8, Sendable, Hashable, CaseIterable {
        case none = 0
        case gnss = 1
        case pps = 2
        case phcExternal = 3
        case simulated = 4
        case ptp = 5
    }

    /// The reference's state.
    public enum ReferenceState: UInt8, Sendable, Hashable, CaseIterable {
        case unknown = 0
        case noFix = 1
        case fix2D = 2
        case fix3D = 3
        case lost = 4
    }

    /// The servo's state (linuxptp's s0/s1/s2, plus holdover).
    public enum ServoState: UInt8, Sendable, Hashable, CaseIterable {
        case unlocked = 0
        case jump = 1
        case locked = 2
        case holdover = 3
    }

    public static let length = 94
    /// The length before the tracking fields were added.
    public static let shortLength = 70

    public var referenceKind: ReferenceKind
    public var referenceState: ReferenceState
    public var satellites: UInt8
    public var ppsValid: Bool
    public var inHoldover: Bool
    public var servoState: ServoState
    /// Seconds spent in holdover (0 when not in holdover).
    public var holdoverSeconds: UInt32
    /// The last PPS edge's offset from the clock, ns.
    public var lastPPSOffset: Int64
    /// The servo's frequency adjustment, ppb × 2¹⁶.
    public var servoFrequency: Int64
    /// The servo's last offset, ns.
    public var lastOffset: Int64
    /// The last path delay, ns.
    public var lastPathDelay: Int64
    /// The virtual clock's true error (lab only), ns; nil outside a lab.
    public var virtualClockError: Int64?
    /// The management server's counters when it answered (the daemon's server fills them in).
    public var management = ManagementCounters()
    /// RMS of the last offsets from the master, ns (0 until there are two).
    public var rmsOffset: Int64 = 0
    /// The offsets' drift the servo has not yet taken out, ppb × 2¹⁶.
    public var residualFrequency: Int64 = 0
    /// The standard deviation of the servo's frequency over the same window, ppb × 2¹⁶.
    public var frequencySkew: Int64 = 0

    /// What the management server received and how it answered: every request is a reply, an error
    /// status, or a counted drop.
    public struct ManagementCounters: Sendable, Hashable {
        public var received: UInt32 = 0
        /// Datagrams that do not decode as a PTP message.
        public var malformed: UInt32 = 0
        /// Well-formed messages dropped unanswered (another clock or domain, not a request, …).
        public var dropped: UInt32 = 0
        /// RESPONSE and ACKNOWLEDGE messages sent.
        public var replies: UInt32 = 0
        /// MANAGEMENT_ERROR_STATUS messages sent.
        public var errorReplies: UInt32 = 0

        public init(
            received: UInt32 = 0, malformed: UInt32 = 0, dropped: UInt32 = 0, replies: UInt32 = 0, errorReplies: UInt32 = 0
        ) {
            self.received = received
            self.malformed = malformed
            self.dropped = dropped
            self.replies = replies
            self.errorReplies = errorReplies
        }

        var values: [UInt32] { [received, malformed, dropped, replies, errorReplies] }
    }

    public init(
        referenceKind: ReferenceKind = .none, referenceState: ReferenceState = .unknown, satellites: UInt8 = 0,
        ppsValid: Bool = false, inHoldover: Bool = false, servoState: ServoState = .unlocked,
        holdoverSeconds: UInt32 = 0, lastPPSOffset: Int64 = 0, servoFrequency: Int64 = 0, lastOffset: Int64 = 0,
        lastPathDelay: Int64 = 0, virtualClockError: Int64? = nil
    ) {
        self.referenceKind = referenceKind
        self.referenceState = referenceState
        self.satellites = satellites
        self.ppsValid = ppsValid
        self.inHoldover = inHoldover
        self.servoState = servoState
        self.holdoverSeconds = holdoverSeconds
        self.lastPPSOffset = lastPPSOffset
        self.servoFrequency = servoFrequency
        self.lastOffset = lastOffset
        self.lastPathDelay = lastPathDelay
        self.virtualClockError = virtualClockError
    }

    /// The dataField (``length`` octets).
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.length)
        let flags: UInt8 = (ppsValid ? 1 : 0) | (inHoldover ? 2 : 0) | (virtualClockError != nil ? 4 : 0)
        out += [referenceKind.rawValue, referenceState.rawValue, satellites, flags, servoState.rawValue, 0]
        out += Self.bigEndian(UInt64(holdoverSeconds), 4)
        for value in [lastPPSOffset, servoFrequency, lastOffset, lastPathDelay, virtualClockError ?? 0] {
            out += Self.bigEndian(UInt64(bitPattern: value), 8)
        }
        for value in management.values { out += Self.bigEndian(UInt64(value), 4) }
        for value in [rmsOffset, residualFrequency, frequencySkew] {
            out += Self.bigEndian(UInt64(bitPattern: value), 8)
        }
        return out
    }

    /// Decodes the dataField; nil unless it is 94 (or the older 70) octets with known enumerations.
    public init?(data: [UInt8]) {
        guard data.count == Self.length || data.count == Self.shortLength, let kind = ReferenceKind(rawValue: data[0]),
            let state = ReferenceState(rawValue: data[1]), let servo = ServoState(rawValue: data[4])
        else { return nil }
        func int(_ at: Int, _ count: Int) -> UInt64 {
            data[at..<(at + count)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        let flags = data[3]
        self.init(
            referenceKind: kind, referenceState: state, satellites: data[2], ppsValid: flags & 1 != 0,
            inHoldover: flags & 2 != 0, servoState: servo, holdoverSeconds: UInt32(truncatingIfNeeded: int(6, 4)),
            lastPPSOffset: Int64(bitPattern: int(10, 8)), servoFrequency: Int64(bitPattern: int(18, 8)),
            lastOffset: Int64(bitPattern: int(26, 8)), lastPathDelay: Int64(bitPattern: int(34, 8)),
            virtualClockError: flags & 4 != 0 ? Int64(bitPattern: int(42, 8)) : nil)
        let counters = (0..<5).map { UInt32(truncatingIfNeeded: int(50 + 4 * $0, 4)) }
        management = ManagementCounters(
            received: counters[0], malformed: counters[1], dropped: counters[2], replies: counters[3],
            errorReplies: counters[4])
        if data.count == Self.length {
            rmsOffset = Int64(bitPattern: int(70, 8))
            residualFrequency = Int64(bitPattern: int(78, 8))
            frequencySkew = Int64(bitPattern: int(86, 8))
        }
    }

    static func bigEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }
}

extension MeridianStatus.ReferenceKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .none: "none"
        case .gnss: "GNSS"
        case .pps: "PPS"
        case .phcExternal: "PHC-extts"
        case .simulated: "simulated"
        case .ptp: "PTP"
        }
    }
}

extension MeridianStatus.ReferenceState: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .noFix: "no-fix"
        case .fix2D: "2D-fix"
        case .fix3D: "3D-fix"
        case .lost: "lost"
        }
    }
}

extension MeridianStatus.ServoState: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unlocked: "s0 unlocked"
        case .jump: "s1 jump"
        case .locked: "s2 locked"
        case .holdover: "holdover"
        }
    }
}

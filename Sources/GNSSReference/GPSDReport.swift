import PTPCore

/// A time on the Unix (UTC) timescale as gpsd reports it: seconds and nanoseconds since 1970.
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int64

    public init(seconds: Int64, nanoseconds: Int64) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Nanoseconds since 1970.
    public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ nanoseconds }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.totalNanoseconds < rhs.totalNanoseconds }

    public var description: String {
        var ns = String(nanoseconds)
        while ns.count < 9 { ns = "0" + ns }
        return "\(seconds).\(ns)"
    }
}

/// A pair of times from gpsd: `real`, the GNSS time of an event (a PPS edge or the fix's second), and
/// `clock`, the system clock (CLOCK_REALTIME) when gpsd saw it (gpsd's PPS and TOFF reports).
public struct GPSDTimePair: Sendable, Hashable {
    public var real: UnixTime
    public var clock: UnixTime
    /// log2 seconds of the PPS source's precision when gpsd says it (-20 for a serial DCD).
    public var precision: Int?

    public init(real: UnixTime, clock: UnixTime, precision: Int? = nil) {
        self.real = real
        self.clock = clock
        self.precision = precision
    }

    /// clock − real: how far the system clock was ahead of GNSS time at the event, in ns (wrapping, never
    /// trapping; exact for the plausible times ``GPSDReport/problem`` lets through).
    public var offsetNanoseconds: Int64 { clock.totalNanoseconds &- real.totalNanoseconds }
}

/// What a TPV report says about the receiver's time and fix.
public struct GNSSFix: Sendable, Hashable {
    /// 0 unknown, 1 no fix, 2 2D, 3 3D (gpsd's MODE_*).
    public var mode: Int
    /// gpsd's fix status (STATUS_*), 0 when gpsd sent none.
    public var status: Int
    /// The UTC time of the fix, when the report carried one.
    public var time: UnixTime?
    /// GPS−UTC in seconds, when the receiver told gpsd (nil otherwise: plain NMEA carries none).
    public var leapSeconds: Int?

    public init(mode: Int, status: Int, time: UnixTime?, leapSeconds: Int?) {
        self.mode = mode
        self.status = status
        self.time = time
        self.leapSeconds = leapSeconds
    }

    /// The satellites used that this fix implies by itself: none without a fix (mode 1). gpsd 3.22 sends no
    /// SKY while the receiver has no fix, so the last SKY's count would otherwise be reported, stale. Nil when
    /// the fix says nothing about it (the latest SKY stands).
    public var impliedSatellitesUsed: Int? { mode == 1 ? 0 : nil }
}

/// One thing the gpsd client learned.
public enum GPSDReport: Sendable, Hashable {
    /// Connected to gpsd and asked for reports (WATCH with JSON, PPS and timing).
    case connected
    /// The connection failed or ended; the client retries after `retryAfterMilliseconds`.
    case disconnected(reason: String, retryAfterMilliseconds: Int)
    /// A TPV report.
    case fix(GNSSFix)
    /// A SKY report's satellite counts.
    case satellites(used: Int, visible: Int)
    /// A PPS report: the edge's GNSS second and the system clock at the edge.
    case pps(GPSDTimePair)
    /// A TOFF report: the fix's GNSS second and the system clock when its first sentence arrived.
    case timeOffset(GPSDTimePair)
    /// A report with a number outside its plausible range (``GPSDReport/problem``): dropped and counted, never
    /// used (issue #17: gpsd's port is an unprivileged TCP port, its values are outside input).
    case rejected(reason: String)
}

extension GPSDReport {
    /// Nanoseconds within a second.
    public static let plausibleNanoseconds: ClosedRange<Int64> = 0...999_999_999
    /// log2 seconds of a PPS source's precision.
    public static let plausiblePrecision: ClosedRange<Int> = -64...64
    /// gpsd's fix mode (MODE_*) and status (STATUS_*).
    public static let plausibleMode: ClosedRange<Int> = 0...3
    public static let plausibleStatus: ClosedRange<Int> = 0...32

    /// What is out of range in this report, or nil when every number is plausible: times between 1970 and
    /// 9999 with nanoseconds below one second, GPS − UTC, satellite counts, precision, mode and status within
    /// ``PTPCore/ReferenceSample``'s and gpsd's own ranges. Pairing, labelling, the validator and the discipline
    /// then do their arithmetic on values that cannot overflow.
    public var problem: String? {
        switch self {
        case .connected, .disconnected, .rejected: return nil
        case .fix(let fix):
            if !Self.plausibleMode.contains(fix.mode) { return "TPV mode \(fix.mode)" }
            if !Self.plausibleStatus.contains(fix.status) { return "TPV status \(fix.status)" }
            if let time = fix.time, let bad = Self.problem(time, "TPV time") { return bad }
            if let leap = fix.leapSeconds, !ReferenceSample.plausibleGPSMinusUTC.contains(leap) {
                return "TPV leapseconds \(leap)"
            }
            return nil
        case .satellites(let used, let visible):
            if !ReferenceSample.plausibleSatellites.contains(used) { return "SKY uSat \(used)" }
            if !ReferenceSample.plausibleSatellites.contains(visible) { return "SKY nSat \(visible)" }
            return nil
        case .pps(let pair): return Self.problem(pair, "PPS")
        case .timeOffset(let pair): return Self.problem(pair, "TOFF")
        }
    }

    private static func problem(_ time: UnixTime, _ what: String) -> String? {
        guard ReferenceSample.plausibleUTCSeconds.contains(time.seconds), plausibleNanoseconds.contains(time.nanoseconds)
        else { return "\(what) \(time.seconds) s \(time.nanoseconds) ns" }
        return nil
    }

    private static func problem(_ pair: GPSDTimePair, _ what: String) -> String? {
        if let bad = problem(pair.real, what + " real") { return bad }
        if let bad = problem(pair.clock, what + " clock") { return bad }
        if let precision = pair.precision, !plausiblePrecision.contains(precision) { return "\(what) precision \(precision)" }
        return nil
    }

    /// This report, or ``rejected(reason:)`` when a number is out of range.
    public var checked: GPSDReport {
        guard let problem else { return self }
        return .rejected(reason: "implausible \(problem)")
    }
}

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

    /// clock − real: how far the system clock was ahead of GNSS time at the event, in ns.
    public var offsetNanoseconds: Int64 { clock.totalNanoseconds - real.totalNanoseconds }
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
}

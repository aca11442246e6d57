/// The fix a GNSS receiver reports (gpsd's `MODE_*`): what its time of day is worth.
public enum GNSSFixMode: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The receiver said nothing about its fix.
    case unknown = 0
    /// No position fix: the receiver may still send a time of day, which must not be trusted.
    case noFix = 1
    /// A 2D fix.
    case twoDimensional = 2
    /// A 3D fix: the only mode a timing receiver should be trusted in by default (`gnss_min_fix 3`).
    case threeDimensional = 3

    public static func < (lhs: GNSSFixMode, rhs: GNSSFixMode) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .noFix: "no fix"
        case .twoDimensional: "2D"
        case .threeDimensional: "3D"
        }
    }
}

/// One pulse of a time reference (a GNSS receiver's PPS) with the time of day that labels it: what every
/// reference source (gpsd, kernel PPS, PHC external timestamps, simulated GNSS) hands to the clock.
///
/// A value type with no I/O, so the edge (`GNSSReference`) produces it and the pure discipline
/// (`PTPEngine.ReferenceDiscipline`) consumes it.
public struct ReferenceSample: Sendable, Hashable {
    /// When the edge happened, read on the disciplined clock's own timescale (no UTC offset applied):
    /// a PHC reading for external timestamps, the virtual or system clock's reading otherwise.
    public var edge: PTPInstant
    /// The UTC second (seconds since 1970-01-01 UTC, leap seconds not counted) that the edge starts, per
    /// the receiver's time of day.
    public var utcSecond: Int64
    /// The receiver's fix when it labelled the edge.
    public var fixMode: GNSSFixMode
    /// Satellites used in the solution, when the receiver said (nil: unknown).
    public var satellitesUsed: Int?
    /// GPS − UTC in seconds (the receiver's leap second count), when it said.
    public var gpsMinusUTC: Int?

    /// UTC seconds a label may carry: 1970-01-01 to 9999-12-31. A receiver or gpsd that says otherwise is
    /// broken or hostile; the value never reaches arithmetic (issue #17).
    public static let plausibleUTCSeconds: ClosedRange<Int64> = 0...253_402_300_799
    /// GPS − UTC a receiver may report (18 s since 2017; the bound leaves centuries of leap seconds).
    public static let plausibleGPSMinusUTC: ClosedRange<Int> = -1_000...1_000
    /// Satellites a receiver may report using.
    public static let plausibleSatellites: ClosedRange<Int> = 0...1_000

    /// Whether every number of the sample is in its plausible range, so arithmetic on it cannot overflow.
    public var isPlausible: Bool {
        Self.plausibleUTCSeconds.contains(utcSecond)
            && gpsMinusUTC.map { Self.plausibleGPSMinusUTC.contains($0) } ?? true
            && satellitesUsed.map { Self.plausibleSatellites.contains($0) } ?? true
    }

    public init(edge: PTPInstant, utcSecond: Int64, fixMode: GNSSFixMode, satellitesUsed: Int? = nil, gpsMinusUTC: Int? = nil) {
        self.edge = edge
        self.utcSecond = utcSecond
        self.fixMode = fixMode
        self.satellitesUsed = satellitesUsed
        self.gpsMinusUTC = gpsMinusUTC
    }
}

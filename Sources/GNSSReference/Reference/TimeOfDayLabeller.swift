import PTPCore

/// Labels an edge timed by a device (kernel PPS, a PHC's external timestamps) with its UTC second from the
/// latest gpsd TPV, as ts2phc does with NMEA: the receiver sends the time of day of second N some time after
/// edge N, so an edge at system time E belongs to second N + ⌈E − A⌉ where A is when TPV N arrived
/// (both on the system clock). A TPV older than ``maximumAge`` labels nothing. Pure: no I/O.
public struct TimeOfDayLabeller: Sendable {
    /// The latest timed fix and its arrival (system time).
    public private(set) var latest: (fix: GNSSFix, second: Int64, arrival: PTPInstant)?
    public private(set) var satellitesUsed: Int?
    public var maximumAge: PTPDuration

    public init(maximumAge: PTPDuration = .milliseconds(2_500)) {
        self.maximumAge = maximumAge
    }

    /// Takes a gpsd report that arrived at system time `arrival`.
    public mutating func add(_ report: GPSDReport, arrival: PTPInstant) {
        // A report with an implausible number (``GPSDReport/checked``) labels nothing.
        switch report.checked {
        case .fix(let fix):
            if let implied = fix.impliedSatellitesUsed { satellitesUsed = implied }
            if let time = fix.time { latest = (fix, time.seconds, arrival) }
        case .satellites(let used, _):
            satellitesUsed = used
        case .disconnected:
            latest = nil
        default:
            break
        }
    }

    /// The label of an edge seen at system time `edgeSystemTime`, or why there is none.
    public func label(edgeSystemTime: PTPInstant) -> Result<(second: Int64, fix: GNSSFix, satellitesUsed: Int?), ReferenceError> {
        guard let latest else { return .failure(ReferenceError("no time of day from gpsd yet")) }
        let age = edgeSystemTime - latest.arrival
        guard age <= maximumAge, age > .seconds(-1) else {
            return .failure(ReferenceError("the latest time of day from gpsd is \(age.secondsDouble) s old"))
        }
        let seconds = age.secondsDouble
        let step = Int64(seconds.rounded(.up))  // within -1...2.5 s: checked above
        return .success((latest.second + step, latest.fix, satellitesUsed))
    }
}

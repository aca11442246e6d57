/// Turns one line of gpsd's JSON (with what libgps decoded from it) into a ``GPSDReport``: pure, so the
/// fuzzer (`make fuzz`, target gpsd) and the tests drive exactly what the client runs.
///
/// Every number is range-checked (``GPSDReport/checked``): a report with an implausible value becomes
/// ``GPSDReport/rejected(reason:)``, which the pairing counts and the daemon logs (rate-limited), instead of
/// reaching arithmetic.
public enum GPSDReportDecoder {
    /// What libgps decoded from the same line into `gps_data_t` (the fix's time, mode and status; SKY's counts).
    public struct LibGPSFields: Sendable, Hashable {
        public var fixTime: UnixTime?
        public var mode: Int
        public var status: Int
        public var satellitesUsed: Int
        public var satellitesVisible: Int

        public init(fixTime: UnixTime?, mode: Int, status: Int, satellitesUsed: Int, satellitesVisible: Int) {
            self.fixTime = fixTime
            self.mode = mode
            self.status = status
            self.satellitesUsed = satellitesUsed
            self.satellitesVisible = satellitesVisible
        }
    }

    /// The report of `line`, nil for classes Meridian does not use (VERSION, DEVICES, WATCH, …) and for PPS or
    /// TOFF lines without their four time fields.
    public static func decode(_ line: String, libgps: LibGPSFields) -> GPSDReport? {
        let line = GPSDLine(text: line)
        let report: GPSDReport
        switch line.messageClass {
        case "TPV":
            guard let leap = line.checkedInteger("leapseconds") else {
                return .rejected(reason: "TPV leapseconds is not a number")
            }
            report = .fix(GNSSFix(mode: libgps.mode, status: libgps.status, time: libgps.fixTime, leapSeconds: leap))
        case "SKY":
            guard let used = line.checkedInteger("uSat"), let visible = line.checkedInteger("nSat") else {
                return .rejected(reason: "SKY uSat or nSat is not a number")
            }
            report = .satellites(used: used ?? libgps.satellitesUsed, visible: visible ?? libgps.satellitesVisible)
        case "PPS":
            guard let pair = line.timePair else { return nil }
            report = .pps(pair)
        case "TOFF":
            guard let pair = line.timePair else { return nil }
            report = .timeOffset(pair)
        default:
            return nil
        }
        return report.checked
    }
}

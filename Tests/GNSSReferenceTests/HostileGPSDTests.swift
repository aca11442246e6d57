import GNSSReference
import PTPCore
import Testing

/// Issue #17: gpsd's JSON is outside input (any local user can bind its port when gpsd is down). Extreme
/// values become rejected reports, counted by the pairing, never arithmetic.
struct HostileGPSDTests {
    let libgps = GPSDReportDecoder.LibGPSFields(
        fixTime: UnixTime(seconds: 1_700_000_000, nanoseconds: 0), mode: 3, status: 1, satellitesUsed: 9, satellitesVisible: 12)

    func rejected(_ report: GPSDReport?) -> Bool {
        if case .rejected = report { true } else { false }
    }

    @Test func extremePPSAndTOFFTimesAreRejected() {
        let lines = [
            // `real_sec - 1` in the pairing overflowed at Int64.min.
            #"{"class":"PPS","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#,
            #"{"class":"PPS","real_sec":9223372036854775807,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#,
            #"{"class":"PPS","real_sec":1700000000,"real_nsec":-1,"clock_sec":1700000000,"clock_nsec":0}"#,
            #"{"class":"PPS","real_sec":1700000000,"real_nsec":0,"clock_sec":1700000000,"clock_nsec":1000000000}"#,
            #"{"class":"PPS","real_sec":1700000000,"real_nsec":0,"clock_sec":1700000000,"clock_nsec":0,"precision":-9223372036854775808}"#,
            // The TOFF offset (clock − real in ns) overflowed.
            #"{"class":"TOFF","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":9223372036854775807,"clock_nsec":0}"#,
            #"{"class":"TOFF","real_sec":1700000000,"real_nsec":0,"clock_sec":99999999999999999999,"clock_nsec":0}"#,
        ]
        for line in lines {
            let report = GPSDReportDecoder.decode(line, libgps: libgps)
            // A time field that does not fit Int64 leaves the pair incomplete: no report at all, nothing used.
            #expect(report == nil || rejected(report), "\(line) -> \(String(describing: report))")
        }
    }

    @Test func extremeTPVAndSKYValuesAreRejected() {
        // `leapseconds + 19` in the UTC offset resolver overflowed.
        #expect(
            rejected(GPSDReportDecoder.decode(#"{"class":"TPV","mode":3,"leapseconds":9223372036854775807}"#, libgps: libgps)))
        #expect(rejected(GPSDReportDecoder.decode(#"{"class":"TPV","mode":3,"leapseconds":-"#, libgps: libgps)))
        #expect(rejected(GPSDReportDecoder.decode(#"{"class":"SKY","uSat":-9223372036854775808,"nSat":3}"#, libgps: libgps)))
        // What libgps decoded is checked too: a fix time beyond the year 9999.
        var far = libgps
        far.fixTime = UnixTime(seconds: Int64.max, nanoseconds: 0)
        #expect(rejected(GPSDReportDecoder.decode(#"{"class":"TPV","mode":3}"#, libgps: far)))
        // Well-formed reports pass unchanged.
        #expect(
            GPSDReportDecoder.decode(#"{"class":"TPV","mode":3,"leapseconds":18}"#, libgps: libgps)
                == .fix(GNSSFix(mode: 3, status: 1, time: libgps.fixTime, leapSeconds: 18)))
        #expect(
            GPSDReportDecoder.decode(#"{"class":"SKY","uSat":7,"nSat":11}"#, libgps: libgps) == .satellites(used: 7, visible: 11))
        #expect(GPSDReportDecoder.decode(#"{"class":"VERSION","release":"3.22"}"#, libgps: libgps) == nil)
    }

    @Test func thePairingCountsRejectedReportsAndKeepsPairing() {
        var pairing = PPSPairing()
        let hostile = GPSDReport.pps(
            GPSDTimePair(
                real: UnixTime(seconds: Int64.min, nanoseconds: 0), clock: UnixTime(seconds: 0, nanoseconds: 0), precision: nil))
        #expect(pairing.add(hostile).isEmpty)
        #expect(pairing.add(.rejected(reason: "test")).isEmpty)
        #expect(
            pairing.add(
                .timeOffset(
                    GPSDTimePair(
                        real: UnixTime(seconds: Int64.min, nanoseconds: 0), clock: UnixTime(seconds: Int64.max, nanoseconds: 0)))
            )
            .isEmpty)
        #expect(pairing.rejected == 3)
        #expect(pairing.lastTimeOffset == nil)
        // Honest reports still pair.
        let pulse = GPSDTimePair(
            real: UnixTime(seconds: 100, nanoseconds: 0), clock: UnixTime(seconds: 100, nanoseconds: 150_000), precision: -20)
        #expect(pairing.add(.pps(pulse)).isEmpty)
        let pairs = pairing.add(.fix(GNSSFix(mode: 3, status: 0, time: UnixTime(seconds: 100, nanoseconds: 0), leapSeconds: 18)))
        #expect(pairs.count == 1)
    }

    @Test func theLabellerIgnoresAnImplausibleFixTime() {
        var labeller = TimeOfDayLabeller()
        labeller.add(
            .fix(GNSSFix(mode: 3, status: 0, time: UnixTime(seconds: Int64.max, nanoseconds: 0), leapSeconds: 18)),
            arrival: PTPInstant(seconds: 10))
        #expect(labeller.latest == nil)
    }
}

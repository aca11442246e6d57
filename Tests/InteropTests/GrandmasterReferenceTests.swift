import Foundation
import Testing

/// A Meridian grandmaster disciplined by its reference, seen by a ptp4l slave through linuxptp's pmc.
struct GrandmasterReferenceTests {
    @Test func aPtp4lSlaveSeesTheLockedGrandmastersClassFlagsAndUTCOffset() throws {
        let lab = try InteropLab()
        defer { lab.tearDown() }
        // A subscriber from the start: it must be told when the reference locks (Meridian's status) and
        // the grandmaster's quality changes (PARENT_DATA_SET).
        try lab.startGrandmasterAndSlave(reference: "reference simulated\nsim_gnss_jitter_ns 50", subscribe: true)
        let locked = lab.wait(seconds: 60) { lab.log("gm.log").contains("announcing clockClass 6") }
        #expect(locked, "the grandmaster did not lock to its reference:\n\(lab.log("gm.log").suffix(3000))")
        guard locked else { return }
        // The slave must have heard the class-6 Announce: give it two announce intervals.
        var answer = ""
        _ = lab.wait(seconds: 10) {
            answer = (try? lab.slaveView()) ?? ""
            return InteropLab.field(answer, "gm.ClockClass") == "6"
        }
        func field(_ name: String) -> String? { InteropLab.field(answer, name) }
        #expect(field("gm.ClockClass") == "6", "pmc said:\n\(answer)")
        #expect(field("currentUtcOffset") == "37")
        #expect(field("currentUtcOffsetValid") == "1")
        #expect(field("ptpTimescale") == "1")
        #expect(field("timeTraceable") == "1")
        #expect(field("frequencyTraceable") == "1")
        #expect(field("timeSource") == "0x20")
        #expect(field("stepsRemoved") == "1")
        // The slave runs on the system clock: after ptp4l's UTC correction its offset is small, so the
        // grandmaster sent TAI (= its UTC virtual clock + 37 s) as the PTP timescale requires.
        let offset = field("offsetFromMaster").flatMap(Double.init)
        #expect(offset.map { abs($0) < 50_000 } == true, "offsetFromMaster \(String(describing: offset))")
        // The subscriber heard the reference lock and the new grandmaster quality, pushed as they happened.
        let events = lab.log("events.log").split(separator: "\n")
        let statusPushes = events.filter { $0.contains("\"MERIDIAN_STATUS_NP\"") }
        let parentPushes = events.filter { $0.contains("\"PARENT_DATA_SET\"") }
        #expect(!statusPushes.isEmpty, "no reference-state notification:\n\(lab.log("events.log").suffix(2000))")
        #expect(
            parentPushes.contains { $0.contains("\"gm.ClockClass\":6") },
            "no PARENT_DATA_SET notification with class 6:\n\(parentPushes.suffix(3))")
        // And the grandmaster's own clock is within a microsecond of the system clock (the reference's truth).
        let errors = InteropLab.trueErrors(
            lab.log("gm.log").split(separator: "\n").filter { $0.contains("reference offset") }.joined(separator: "\n"))
        let recent = Array(errors.suffix(5))
        #expect(!recent.isEmpty && recent.allSatisfy { abs($0) < 1_000 }, "true error of the grandmaster: \(recent)")
    }
}

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
        // Its /metrics (default http_address, namespace b's loopback) says the same, and promtool accepts it:
        // the reference's series exist only on a grandmaster with a reference.
        let curl = try InteropLab.tool("curl")
        let promtool = try InteropLab.tool("promtool")
        let metrics = lab.run(in: lab.lab.b.namespace, [curl, "-s", "-m", "5", "http://127.0.0.1:9319/metrics"])
        let lines = metrics.split(separator: "\n")
        #expect(lines.contains(#"meridian_reference_state{state="locked"} 1.0"#), "\(metrics.prefix(4000))")
        #expect(lines.contains("meridian_grandmaster_clock_class 6.0"))
        #expect(lines.contains("meridian_gm_present 0.0"))
        let accepted = lines.first { $0.hasPrefix("meridian_reference_samples_accepted_total ") }
            .flatMap { Int($0.split(separator: " ")[1]) }
        #expect((accepted ?? 0) > 0, "\(String(describing: accepted))")
        #expect(lines.contains { $0.hasPrefix("meridian_holdover_predicted_error_seconds ") })
        let check = lab.run(
            in: lab.lab.b.namespace, ["/bin/sh", "-c", "\(promtool) check metrics && echo promtool-ok"], stdin: metrics)
        #expect(check.contains("promtool-ok"), "promtool check metrics: \(check)")
        #expect(lab.log("gm.log").contains("sync-state LOCKED (reference locked)"), "\(lab.log("gm.log").suffix(2000))")
        // The status page of a grandmaster with a reference charts its PPS offset, from the history ring.
        let page = lab.run(in: lab.lab.b.namespace, [curl, "-s", "-m", "5", "http://127.0.0.1:9319/"])
        #expect(page.contains(#"<canvas id="chart-pps""#), "\(page.suffix(1500))")
        let history = lab.run(in: lab.lab.b.namespace, [curl, "-s", "-m", "5", "http://127.0.0.1:9319/history.json"])
        let pps = (try? JSONSerialization.jsonObject(with: Data(history.utf8)) as? [String: Any])?["ppsOffsetNs"] as? [Double]
        #expect((pps ?? []).contains { $0 != 0 }, "\(history.prefix(1500))")
        // And the grandmaster's own clock is within a microsecond of the system clock (the reference's truth).
        let errors = InteropLab.trueErrors(
            lab.log("gm.log").split(separator: "\n").filter { $0.contains("reference offset") }.joined(separator: "\n"))
        let recent = Array(errors.suffix(5))
        #expect(!recent.isEmpty && recent.allSatisfy { abs($0) < 1_000 }, "true error of the grandmaster: \(recent)")
    }
}

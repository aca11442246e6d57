import Foundation
import Testing

/// `make run`'s zone lab (deploy/lab/zone.sh) run bounded, as a user runs it, on a shortened sequence: an active and a
/// standby Meridian grandmaster on simulated GNSS, two Meridian boundary clocks, two ptp4l and two Meridian hosts,
/// then GNSS lost on the active one (the standby takes over) and back, the active one killed (the standby takes
/// over) and restarted, and a boundary clock's uplink down and up. The lab judges what its table claims and says it
/// in its summary, whose exit status is the verdict: every host within 100 µs of true time from its lock on through
/// every fault, no host stepped, every takeover complete within 20 s (bounds fixed before the run, below).
/// This is the system test of two engine fixes: a two-port boundary clock under a grandmaster on the PTP timescale
/// keeps it (it once flapped between it and itself), and a standby that slewed toward the active one's interim time
/// keeps its own receiver when it takes over; and a host locked to traceable time that does not acquire afresh
/// (and once stepped 21 µs on noisy samples) each time a boundary clock announces its time as not traceable for a
/// while, re-acquiring through a failover or in holdover with its uplink down (``FailoverTraceabilityTests``).
struct ZoneLabTests {
    @Test
    func theZoneLabsFaultsLeaveEveryHostWithinItsBoundAndEveryTakeoverCompletes() throws {
        let meridiand = try InteropLab.meridiand()
        _ = try InteropLab.tool("ptp4l")
        _ = try InteropLab.tool("pmc")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-zonelab-\(getpid()).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("deploy/lab/zone.sh").path]
        var environment = ProcessInfo.processInfo.environment
        // The sequence, shortened: the standby agrees with its receiver within about 15 s of the start here, the
        // hosts lock by 20 s; each fault then has 10-15 s to show. The bounds are wider than the lab's own (50 µs,
        // 12 s) because this runs beside three other interop tests: four runs here gave hosts' worst 6-22 µs alone
        // and 42 µs under make test's load, takeovers 2.6-5.1 s, and 7.6-8.8 s for the return to the active one
        // (its relock first). What the test is for stays far outside them: the faults this lab found were a 37 s
        // step and a boundary clock that never kept its grandmaster.
        for (key, value) in [
            ("MERIDIAND", meridiand), ("ZONE_SECONDS", "105"), ("ZONE_T_GNSS", "40"), ("ZONE_GNSS_OUTAGE", "15"),
            ("ZONE_T_KILL", "70"), ("ZONE_T_RESTART", "80"), ("ZONE_T_LINK", "88"), ("ZONE_LINK_DOWN", "8"),
            ("ZONE_BOUND_NS", "100000"), ("ZONE_TAKEOVER_LIMIT_S", "20"),
        ] {
            environment[key] = value
        }
        process.environment = environment
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Bounded: the lab ends itself after ZONE_SECONDS; past 200 s it is stopped (and its cleanup runs).
        let deadline = ContinuousClock.now + .seconds(200)
        while process.isRunning && ContinuousClock.now < deadline { usleep(200_000) }
        let overran = process.isRunning
        if overran {
            process.terminate()
            // Its cleanup takes a second or two; bounded all the same.
            let grace = ContinuousClock.now + .seconds(20)
            while process.isRunning && ContinuousClock.now < grace { usleep(200_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let summary = text.split(separator: "\n").filter { $0.hasPrefix("zone summary:") }.map(String.init)
        print(summary.joined(separator: "\n"))
        #expect(!overran, "the lab ran past 200 s")
        // Each claim the lab did not meet, and what it said happened, each on one line of its own: a test runner's
        // summary (CI's) shows the first line of an issue's comment only.
        for line in summary where line.hasSuffix("FAILED") || line.contains("TOO SLOW") || line.contains("NOT COMPLETE") {
            Issue.record("\(line)")
        }
        if process.terminationStatus != 0 {
            let screens = text.components(separatedBy: "What happened:\n")
            let story = (screens.last ?? "").split(separator: "\n").filter { $0.hasPrefix("  ") }
            Issue.record(
                "the zone lab's story: \(story.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " | "))")
        }
        #expect(
            process.terminationStatus == 0 && summary.last?.contains("every host within bound") == true,
            "the zone lab's verdict:\n\(summary.joined(separator: "\n"))\n--- its last screen:\n\(text.suffix(4000))")
        // The takeovers it saw: GNSS lost, GNSS back, the active one killed.
        #expect(summary.contains { $0.contains("takeover GNSS lost on gm-a: both boundary clocks follow gm-b") })
        #expect(summary.contains { $0.contains("takeover gm-a killed: both boundary clocks follow gm-b") })
        #expect(summary.filter { $0.contains("zone summary: host ") && $0.hasSuffix(": ok") }.count == 4)
    }
}

import Foundation
import MeridianTestSupport
import Testing

/// The whole daemon on `reference gpsd`: a real gpsd 3.22 (fed by the project's NMEA feed on a pty, its PPS thread
/// driven by the DCD shim) running in the grandmaster's network namespace, meridiand as grandmaster on a virtual
/// clock 0.3 s and 30 ppm off, and a ptp4l slave (free_running) on the other end of the veth pair, read with pmc.
/// meridiand reaches gpsd through scripts/hostile-gpsd.py's relay, which turns hostile at the end (issue #17).
@Suite(.serialized)
struct GrandmasterGPSDTests {
    /// Times of what happened, from the start of the test, printed at the end.
    final class Timeline: @unchecked Sendable {  // one test thread
        private let start = ContinuousClock.now
        private(set) var entries: [String] = []
        var elapsed: Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        func note(_ what: String) { entries.append(String(format: "%6.1f s  ", elapsed) + what) }
    }

    /// The daemon's log after `mark` (a character count of an earlier reading).
    func gmLog(_ lab: InteropLab, after mark: Int = 0) -> Substring {
        let log = lab.log("gm.log")
        return log.dropFirst(min(mark, log.count))
    }

    /// Waits until the daemon's log after `mark` contains `text`; returns whether it did.
    func waitForLog(_ lab: InteropLab, _ text: String, after mark: Int, seconds: Double) -> Bool {
        lab.wait(seconds: seconds) { gmLog(lab, after: mark).contains(text) }
    }

    /// `meridianctl -u -s SOCK --json status`'s MERIDIAN_STATUS_NP object.
    func meridianStatus(_ lab: InteropLab, _ meridianctl: String) -> [String: Any] {
        let json = lab.run(in: lab.lab.b.namespace, [meridianctl, "-u", "-s", lab.grandmasterSocket, "--json", "status"])
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        return object?["meridian"] as? [String: Any] ?? [:]
    }

    /// Polls the slave with pmc until it reports `clockClass` for its grandmaster (bounded); returns pmc's answer.
    func slaveSees(_ lab: InteropLab, clockClass: Int, seconds: Double) -> String {
        var answer = ""
        _ = lab.wait(seconds: seconds) {
            answer = (try? lab.slaveView()) ?? ""
            return InteropLab.field(answer, "gm.ClockClass") == String(clockClass)
        }
        return answer
    }

    @Test func locksToGpsdHoldsOverReturnsWithoutAStepAndReconnectsToARestartedGpsd() throws {
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        let gpsd = try GPSDHarness(namespace: lab.lab.b.namespace)
        defer {
            gpsd.shutDown()
            lab.tearDown()
        }
        let time = Timeline()
        try gpsd.startFeed()
        try gpsd.startGPSD()
        time.note("gpsd listening in \(lab.lab.b.namespace) on 127.0.0.1:\(gpsd.port)")
        // meridiand reaches gpsd through scripts/hostile-gpsd.py's relay (as root, so believed): a faithful copy of
        // gpsd's stream until the file `hostile` exists (phase 7), on the same connection.
        let relayPort = 29_473
        let hostile = lab.file("hostile").path
        let relay = try lab.start(
            in: lab.lab.b.namespace, "/usr/bin/python3",
            [
                InteropLab.repositoryRoot.appendingPathComponent("scripts/hostile-gpsd.py").path, String(relayPort), "300",
                "--relay", String(gpsd.port), "--after", hostile,
            ], log: "relay.log")
        usleep(300_000)
        let httpPort = 29_474
        // gpsd's simulated DCD pulse wakes its PPS thread 85–200 µs late, with ~300 µs of spread: a 300 µs
        // gnss_lock_threshold (instead of holdover_max_error's 1.5 µs) lets the clock count as locked on such a
        // reference. On it the holdover model's prediction grows to about 1 ms within some 10 s (seen in
        // GPSDGrandmasterTests), so holdover_max_error is 5 ms and holdover_max_time 6 s is what takes the clock out
        // of spec (class 140), within the test's budget and always after a first class 7.
        try lab.startGrandmasterAndSlave(
            reference: """
                reference gpsd
                gpsd_address 127.0.0.1:\(relayPort)
                http_address 127.0.0.1:\(httpPort)
                gnss_lock_threshold 300000
                holdover_max_error 0.005
                holdover_max_time 6
                """)

        // 1. Locked to gpsd's PPS: class 6, GNSS, UTC offset 37 valid, PTP timescale, as the slave sees it.
        // The servo's first estimate (software gains at one pulse a second: pi.c's 16 s) is the robust line through
        // the first 17 pulses, so a pulse gpsd reports 700 µs late instead of 85–200 µs (seen on a loaded machine)
        // is neither stepped on nor learnt as a frequency; then 8 pulses in a row within the 300 µs threshold lock
        // the clock: about 29 s here, alone or beside the other interop groups. 60 s bounds it with room for a
        // late pulse among those 8 or a slow start.
        let locked = waitForLog(lab, "announcing clockClass 6", after: 0, seconds: 60)
        time.note("announcing clockClass 6 (locked)")
        #expect(locked, "the grandmaster did not lock to gpsd:\n\(gmLog(lab).suffix(3000))")
        guard locked else { return }
        let answer = slaveSees(lab, clockClass: 6, seconds: 10)
        time.note("the ptp4l slave sees clockClass \(InteropLab.field(answer, "gm.ClockClass") ?? "?")")
        #expect(InteropLab.field(answer, "gm.ClockClass") == "6", "pmc said:\n\(answer)")
        #expect(InteropLab.field(answer, "timeSource") == "0x20")
        #expect(InteropLab.field(answer, "currentUtcOffset") == "37")
        #expect(InteropLab.field(answer, "currentUtcOffsetValid") == "1")
        #expect(InteropLab.field(answer, "ptpTimescale") == "1")
        #expect(InteropLab.field(answer, "timeTraceable") == "1")
        #expect(InteropLab.field(answer, "frequencyTraceable") == "1")

        // 2. Meridian's own status: the feed's GGA/GSA say 9 satellites used, with a 3D fix.
        let status = meridianStatus(lab, meridianctl)
        time.note("meridianctl: satellites \(status["satellites"] ?? "?"), \(status["referenceState"] ?? "?")")
        #expect(status["referenceKind"] as? String == "GNSS", "\(status)")
        #expect(status["satellites"] as? Int == 9, "\(status)")
        #expect(status["referenceState"] as? String == "3D-fix", "\(status)")
        #expect(status["ppsValid"] as? Int == 1 || status["ppsValid"] as? Bool == true, "\(status)")

        // The holdover model (16 samples of history by default) has had every pulse since the first: locking
        // takes longer than that, so holdover can start at once.
        let stepsAtLock = gmLog(lab).components(separatedBy: "stepped").count - 1
        time.note(
            "\(stepsAtLock) step(s) while locking from 0.3 s; true errors \(InteropLab.trueErrors(String(gmLog(lab))).suffix(5)) ns"
        )

        // 3. The receiver goes silent: holdover (7), then past holdover_max_time out of spec (140).
        var mark = gmLog(lab).count
        gpsd.signalFeed(SIGUSR1)
        time.note("feed silent")
        #expect(waitForLog(lab, "announcing clockClass 7", after: mark, seconds: 8), "\(gmLog(lab, after: mark))")
        time.note("announcing clockClass 7 (holdover)")
        let holdover = meridianStatus(lab, meridianctl)
        #expect(holdover["referenceState"] as? String == "lost", "\(holdover)")
        #expect(holdover["satellites"] as? Int == 0, "\(holdover)")
        #expect(waitForLog(lab, "announcing clockClass 140", after: mark, seconds: 12), "\(gmLog(lab, after: mark))")
        #expect(gmLog(lab, after: mark).contains("holdover-out-of-spec: holdover_max_time reached"))
        let late = meridianStatus(lab, meridianctl)
        #expect((late["holdoverSeconds"] as? Int).map { $0 >= 5 } == true, "holdover counted from its start: \(late)")
        time.note(
            "announcing clockClass 140 (holdover out of spec); \(late["holdoverSeconds"] ?? "?") s of holdover, true error \(late["virtualClockError"] ?? "?") ns"
        )
        let outOfSpec = slaveSees(lab, clockClass: 140, seconds: 5)
        #expect(InteropLab.field(outOfSpec, "gm.ClockClass") == "140", "pmc said:\n\(outOfSpec)")
        time.note("the ptp4l slave sees clockClass \(InteropLab.field(outOfSpec, "gm.ClockClass") ?? "?")")

        // 4. The receiver talks again: locked (6) without a step.
        mark = gmLog(lab).count
        gpsd.signalFeed(SIGUSR1)
        time.note("feed back")
        // Eight samples in a row within 300 µs: 8.4 s alone; 20.1 s once in the interop phase, beside three other
        // groups on two cores, where gpsd's pulses came up to 1 ms late and each late one restarted the count.
        // The bound is on the wait, not on gpsd's speed under load: what is judged is the return without a step.
        #expect(waitForLog(lab, "announcing clockClass 6", after: mark, seconds: 35), "\(gmLog(lab, after: mark))")
        time.note(
            "announcing clockClass 6 again; true errors \(InteropLab.trueErrors(String(gmLog(lab, after: mark))).suffix(5)) ns")
        #expect(!gmLog(lab, after: mark).contains("stepped"), "the return from holdover stepped the clock")

        // 5. The receiver loses its fix (pulses and time of day keep coming, mode 1): the samples are refused,
        // holdover (7); the status shows the receiver's own state. The fix returns: locked (6) without a step.
        mark = gmLog(lab).count
        gpsd.signalFeed(SIGUSR2)
        time.note("feed without fix")
        #expect(waitForLog(lab, "announcing clockClass 7", after: mark, seconds: 8), "\(gmLog(lab, after: mark))")
        time.note("announcing clockClass 7 (holdover)")
        #expect(gmLog(lab, after: mark).contains("reference sample rejected: fix-too-low"))
        let noFix = meridianStatus(lab, meridianctl)
        time.note("meridianctl: satellites \(noFix["satellites"] ?? "?"), \(noFix["referenceState"] ?? "?")")
        #expect(noFix["referenceState"] as? String == "no-fix", "\(noFix)")
        #expect(noFix["satellites"] as? Int == 0, "\(noFix)")
        gpsd.signalFeed(SIGUSR2)
        time.note("fix back")
        // gpsd reports a fix again after a few cycles, then eight samples in a row must fall within the 300 µs
        // threshold: 9 s here on a quiet machine; one run of the interop phase beside a heavier group took more
        // than 15 s (late pulses reset the count). 35 s bounds the wait without judging gpsd's speed under load.
        #expect(waitForLog(lab, "announcing clockClass 6", after: mark, seconds: 35), "\(gmLog(lab, after: mark))")
        time.note(
            "announcing clockClass 6 again; true errors \(InteropLab.trueErrors(String(gmLog(lab, after: mark))).suffix(5)) ns")
        #expect(!gmLog(lab, after: mark).contains("stepped"), "the return after the fix came back stepped the clock")

        // 6. gpsd killed: holdover; restarted: meridiand reconnects by itself and locks again, without a step.
        mark = gmLog(lab).count
        gpsd.stopGPSD()
        time.note("gpsd killed")
        #expect(waitForLog(lab, "announcing clockClass 7", after: mark, seconds: 8), "\(gmLog(lab, after: mark))")
        time.note("announcing clockClass 7 (holdover)")
        let disconnected = gmLog(lab, after: mark).split(separator: "\n").first { $0.contains("reference gpsd") }
        #expect(disconnected != nil, "no log line about losing gpsd")
        mark = gmLog(lab).count
        try gpsd.startGPSD()
        let restarted = time.elapsed
        time.note("gpsd restarted")
        #expect(waitForLog(lab, "): connected", after: mark, seconds: 10), "\(gmLog(lab, after: mark))")
        time.note(String(format: "meridiand reconnected %.1f s after the restart", time.elapsed - restarted))
        // The same eight samples in a row as above, after the reconnection: the same bound.
        #expect(waitForLog(lab, "announcing clockClass 6", after: mark, seconds: 35), "\(gmLog(lab, after: mark))")
        time.note(
            "announcing clockClass 6 again; true errors \(InteropLab.trueErrors(String(gmLog(lab, after: mark))).suffix(5)) ns")
        #expect(!gmLog(lab, after: mark).contains("stepped"), "the return after gpsd's restart stepped the clock")

        // The grandmaster's virtual clock is within a millisecond of the truth (the pulse's own latency dominates).
        let recent = InteropLab.trueErrors(String(gmLog(lab))).suffix(5)
        #expect(!recent.isEmpty && recent.allSatisfy { abs($0) < 1_000_000 }, "true error of the grandmaster: \(recent)")

        // 7. Locked, gpsd turns hostile on the same connection (issue #17): its own reports stop, and five times a
        // second come a PPS a million seconds off, a TPV in 2100, a PPS half a second off, a TOFF 30 years back,
        // numbers beyond Int64, malformed JSON and binary garbage. meridiand keeps running, takes none of it as
        // time: holdover (class 7, as the lost receiver in phase 3), no step, the virtual clock still within the
        // millisecond it held locked; every refusal counted (/metrics: reports refused by the decoder, and samples
        // refused by the validator when a pulse found a time of day to pair with).
        func metric(_ name: String) -> Double? {
            let body = lab.run(in: lab.lab.b.namespace, ["/usr/bin/curl", "-s", "http://127.0.0.1:\(httpPort)/metrics"])
            return body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }
        let reportsBefore = metric("meridian_reference_reports_rejected_total") ?? -1
        let samplesBefore = metric("meridian_reference_samples_rejected_total") ?? -1
        mark = gmLog(lab).count
        _ = FileManager.default.createFile(atPath: hostile, contents: nil)
        time.note("gpsd hostile (reports \(reportsBefore), samples \(samplesBefore) refused so far)")
        // (12 s: the silent receiver of phase 3 takes 2-3 s; reports that keep coming, all refused, took 2.4 s on a
        // quiet machine and 8.1 s beside two builds.)
        #expect(waitForLog(lab, "announcing clockClass 7", after: mark, seconds: 12), "\(gmLog(lab, after: mark).suffix(3000))")
        time.note("announcing clockClass 7 (holdover)")
        // Five more seconds of it (25 rounds of every hostile line).
        usleep(5_000_000)
        let pmc = try InteropLab.tool("pmc")
        let hostileAnswer = lab.run(
            in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", lab.grandmasterSocket, "GET DEFAULT_DATA_SET"])
        let daemonAlive = !gmLog(lab).contains("Fatal error") && hostileAnswer.contains("clockIdentity")
        #expect(daemonAlive, "meridiand stopped answering:\n\(gmLog(lab, after: mark).suffix(3000))")
        let reportsAfter = metric("meridian_reference_reports_rejected_total") ?? -1
        let samplesAfter = metric("meridian_reference_samples_rejected_total") ?? -1
        let hostileStatus = meridianStatus(lab, meridianctl)
        time.note(
            "after 5 s more: reports refused \(reportsAfter), samples refused \(samplesAfter); \(hostileStatus["referenceState"] ?? "?"), true error \(hostileStatus["virtualClockError"] ?? "?") ns"
        )
        #expect(reportsAfter > reportsBefore && reportsBefore >= 0, "reports refused: \(reportsBefore) -> \(reportsAfter)")
        // The validator sees a sample only when a pulse pairs with a time of day, which the refused TPVs rarely give:
        // 4 in one run, none in another; what it sees it refuses.
        #expect(samplesAfter >= samplesBefore && samplesBefore >= 0, "samples refused: \(samplesBefore) -> \(samplesAfter)")
        #expect(!gmLog(lab, after: mark).contains("stepped"), "hostile gpsd reports stepped the clock")
        #expect(!gmLog(lab, after: mark).contains("announcing clockClass 6"), "a hostile report locked the clock again")
        let hostileError = (hostileStatus["virtualClockError"] as? Int) ?? Int.max
        #expect(abs(hostileError) < 1_000_000, "true error after the hostile phase: \(hostileError) ns")
        #expect(relay.isRunning)
        let transitions = gmLog(lab).split(separator: "\n").filter {
            $0.contains("reference state") || $0.contains("reference gpsd")
        }
        print(
            "gpsd grandmaster timeline:\n" + time.entries.joined(separator: "\n") + "\nmeridiand:\n"
                + transitions.joined(separator: "\n"))
    }
}

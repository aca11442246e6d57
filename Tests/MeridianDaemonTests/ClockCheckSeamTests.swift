import Foundation
import Logging
import PTPCore
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// `sanity_freq_limit` (ptp4l's clock sanity check) on the whole daemon: a locked slave whose clock something
/// else steps 300 ms forward notices it at the next received stamps, says so once, and its servo starts over and
/// steps back (step_threshold 10 ms); a clock steered only by the daemon never trips it, and with
/// `sanity_freq_limit 0` the jump goes unremarked.
@Suite(.serialized) struct ClockCheckSeamTests {
    /// Runs the seam pair with `extra` in the slave's file until the slave locks, steps the slave's fake clock by
    /// 300 ms behind the daemon's back, waits `seconds`, and returns the slave's log lines from the jump on (nil:
    /// it never locked).
    func jumpBehindTheDaemon(extra: String, seconds: Double) async throws -> (before: [String], after: [String])? {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let gm = try pair.service("gm", extra: "priority1 100", clock: pair.gmClock, port: pair.gmPort, log: pair.gmLog)
        let slave = try pair.service(
            "slave", extra: "slaveOnly 1\n" + extra, clock: pair.slaveClock, port: pair.slavePort, log: pair.slaveLog)
        let group = ServiceGroup(services: [gm, slave], logger: Logger(label: "clockcheck"))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        // 60 s: the parallel phase may hold both cores; alone the slave locks in about 4 s.
        guard let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60) else {
            Issue.record("the slave never locked:\n\(pair.slaveLog.all.suffix(20).joined(separator: "\n"))")
            await group.triggerGracefulShutdown()
            return nil
        }
        try await Task.sleep(for: .seconds(1))
        let mark = pair.slaveLog.all.count
        try pair.slaveClock.step(by: .milliseconds(300))
        try await Task.sleep(for: .seconds(seconds))
        await group.triggerGracefulShutdown()
        try? await running.value
        let all = pair.slaveLog.all
        return (Array(all[locked..<mark]), Array(all[mark...]))
    }

    @Test func aClockSteppedBehindTheServosBackIsNoticedAndTheServoStartsOver() async throws {
        guard let (before, after) = try await jumpBehindTheDaemon(extra: "step_threshold 0.01", seconds: 6) else { return }
        #expect(!before.contains { $0.contains("clockcheck") }, "a false alarm while locking:\n\(before.joined(separator: "\n"))")
        let warnings = after.filter { $0.contains("clockcheck: clock jumped forward") }
        #expect(warnings.count == 1, "\(after.prefix(30).joined(separator: "\n"))")
        // The servo starts over and steps back by about the 300 ms (its fitted offset; within 1 ms).
        let step = after.compactMap { line -> Int64? in
            guard let range = line.range(of: "clock stepped by ") else { return nil }
            return Int64(line[range.upperBound...].split(separator: " ").first ?? "")
        }.first
        #expect(step.map { abs($0 + 300_000_000) < 1_000_000 } == true, "\(after.prefix(30).joined(separator: "\n"))")
        #expect(after.contains { $0.contains("UNCALIBRATED to SLAVE") }, "\(after.suffix(10).joined(separator: "\n"))")
    }

    @Test func withTheCheckOffTheJumpGoesUnremarked() async throws {
        guard let (_, after) = try await jumpBehindTheDaemon(extra: "sanity_freq_limit 0", seconds: 2) else { return }
        #expect(!after.contains { $0.contains("clockcheck") }, "\(after.prefix(20).joined(separator: "\n"))")
    }
}

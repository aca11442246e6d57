import Foundation
import Logging
import PTPCore
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// More daemon behaviour on the test seam, each in seconds: a slave fails over between two grandmasters on
/// one segment without a step, and a port that faults recovers.
@Suite(.serialized) struct DaemonFailoverSeamTests {
    @Test func theSlaveFailsOverToTheSecondGrandmasterWithoutAStep() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        // A second grandmaster (priority1 110, its own clock 2 µs off true time) on the same segment.
        let trio = try pair.startWithBackup(backupExtra: "priority1 110")
        let (backupClock, group, running) = (trio.backupClock, trio.group, trio.running)
        defer { running.cancel() }

        // Bounds fixed before the run: the slave follows the best grandmaster (SLAVE at all within 60 s, as in
        // DaemonSeamTests); after the best one falls silent it selects the backup within 5 s (announce
        // receipt timeout 3 × 250 ms, then qualification) and locks to it without a step; 3 s later its clock is
        // within 2 µs of the backup's. (The backup followed the best grandmaster too, so its clock is no longer
        // the +2 µs it started with; the slave is compared with what the backup's clock reads.)
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked:\n\(pair.slaveLog.all.suffix(15).joined(separator: "\n"))")
        #expect(pair.slaveLog.all.contains { $0.contains("selected best master clock 020000.fffe.000001") })
        try await Task.sleep(for: .seconds(2))
        let steps = pair.slaveClock.steps
        pair.gmPort.setMuted(true)
        let count = pair.slaveLog.all.count
        let switched = await pair.slaveLog.wait(for: "selected best master clock 020000.fffe.000003", after: count, seconds: 5)
        #expect(switched != nil, "the slave did not select the backup:\n\(pair.slaveLog.all.suffix(15).joined(separator: "\n"))")
        let relocked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: switched ?? count, seconds: 10)
        #expect(relocked != nil, "the slave did not lock to the backup")
        try await Task.sleep(for: .seconds(3))
        let error = pair.slaveClock.trueError - backupClock.trueError
        print(
            "seam failover: 3 s after relocking, slave true error \(pair.slaveClock.trueError.roundedNanoseconds) ns, "
                + "backup's \(backupClock.trueError.roundedNanoseconds) ns")
        #expect(pair.slaveClock.steps == steps, "the slave stepped on failover")
        #expect(abs(error.nanoseconds) < 2_000, "slave true error minus the backup's: \(error)")
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func aPortThatFaultsRecoversWhenItsLinkComesBack() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let (group, running) = try pair.start()
        defer { running.cancel() }
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked")
        // Too many transmit stamps missed in a row: the I/O reports a fault and the port goes FAULTY.
        pair.slavePort.inject(.transmitMissed(id: 0, reason: "no transmit timestamp 3 times in a row", fault: true))
        let faulty = await pair.slaveLog.wait(for: "to FAULTY", after: locked ?? 0, seconds: 5)
        #expect(faulty != nil, "the port did not go FAULTY:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        // The link goes down and comes back: the port starts over and follows its master again.
        pair.slavePort.inject(.link(up: false))
        pair.slavePort.inject(.link(up: true))
        let back = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: faulty ?? 0, seconds: 10)
        #expect(back != nil, "the port did not recover:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

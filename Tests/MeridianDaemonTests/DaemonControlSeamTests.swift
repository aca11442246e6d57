import Foundation
import Logging
import PTPCore
import PTPManagement
import PTPWire
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// How an operator drives a running daemon, on the test seam: a SIGHUP that re-reads the configuration
/// (what can change while running is applied, the rest named and kept), and the management answers pmc
/// reads (the published state of the clock, and SET PRIORITY1 on the read-write socket only).
@Suite(.serialized) struct DaemonControlSeamTests {
    static let gmIdentity = ClockIdentity(rawValue: 0x0200_00FF_FE00_0001)
    static let backupIdentity = ClockIdentity(rawValue: 0x0200_00FF_FE00_0003)

    @Test func aReloadRaisesTheStandbysPriorityAndTheSlaveFollowsItWithoutAStep() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let (reloads, hangup) = AsyncStream<Void>.makeStream()
        let trio = try pair.startWithBackup(backupExtra: "priority1 120", reloads: reloads)
        let (backupClock, backupLog, group, running) = (trio.backupClock, trio.backupLog, trio.group, trio.running)
        defer { running.cancel() }

        // Bounds fixed before the run: SLAVE within 60 s (as in DaemonSeamTests); each reload's log lines within
        // 5 s; the slave selects the standby within 5 s of the reload that makes it better (its next Announce,
        // 250 ms, then the BMCA) and locks to it without a step, within 2 µs of the standby's clock 3 s later.
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked:\n\(pair.slaveLog.all.suffix(15).joined(separator: "\n"))")
        #expect(pair.slaveLog.all.contains { $0.contains("selected best master clock 020000.fffe.000001") })
        try await Task.sleep(for: .seconds(2))
        let steps = pair.slaveClock.steps

        // A file that does not load: the running configuration stays, and the daemon says so. (Before it, the
        // slave may have heard the standby first while both started: only what follows the reload counts.)
        try pair.configText("backup", extra: "priority1 90\nlogSyncInterval fast").write(
            toFile: pair.configPath("backup"), atomically: true, encoding: .utf8)
        let beforeRejected = pair.slaveLog.all.count
        hangup.yield()
        let rejected = await backupLog.wait(for: "configuration rejected, keeping the running one", seconds: 5)
        #expect(rejected != nil, "no rejection:\n\(backupLog.all.suffix(5).joined(separator: "\n"))")
        try await Task.sleep(for: .seconds(1))
        #expect(
            !pair.slaveLog.all.dropFirst(beforeRejected).contains {
                $0.contains("selected best master clock 020000.fffe.000003")
            },
            "a rejected file changed the standby's priority:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")

        // priority1 changes while running; clockClass only with a restart, and the line says so.
        try pair.configText("backup", extra: "priority1 90\nclockClass 200").write(
            toFile: pair.configPath("backup"), atomically: true, encoding: .utf8)
        let count = pair.slaveLog.all.count
        hangup.yield()
        let applied = await backupLog.wait(for: "SIGHUP: priority1 changed from 120 to 90: applied", seconds: 5)
        #expect(applied != nil, "priority1 not applied:\n\(backupLog.all.suffix(5).joined(separator: "\n"))")
        #expect(
            backupLog.all.contains { $0.contains("SIGHUP: clockClass changed from 248 to 200: not applied while running") },
            "\(backupLog.all.suffix(5).joined(separator: "\n"))")
        let switched = await pair.slaveLog.wait(for: "selected best master clock 020000.fffe.000003", after: count, seconds: 5)
        #expect(switched != nil, "the slave did not select the standby:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        let relocked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: switched ?? count, seconds: 10)
        #expect(relocked != nil, "the slave did not lock to the standby")
        try await Task.sleep(for: .seconds(3))
        let error = pair.slaveClock.trueError - backupClock.trueError
        print("seam reload: 3 s after relocking to the standby, slave minus standby \(error.roundedNanoseconds) ns")
        #expect(pair.slaveClock.steps == steps, "the slave stepped when its grandmaster changed")
        #expect(abs(error.nanoseconds) < 2_000, "slave true error minus the standby's: \(error)")

        // Management reads what the reload applied, and only that.
        let probe = try ManagementProbe(server: pair.directory + "/backup.sock", path: pair.directory + "/probe.sock")
        guard case .defaultDataSet(let ds)? = try probe.send(.get, .defaultDataSet) else {
            Issue.record("no DEFAULT_DATA_SET from the standby")
            await group.triggerGracefulShutdown()
            return
        }
        #expect(ds.priority1 == 90)
        #expect(ds.clockQuality.clockClass == 248)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func managementAnswersFromThePublishedStateAndSetPriority1ReachesTheSlave() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let (group, running) = try pair.start()
        defer { running.cancel() }
        // Bounds fixed before the run: SLAVE within 60 s; 2 s later the slave's own offsetFromMaster is below
        // 2 µs (its true error is, DaemonSeamTests), one step removed from the grandmaster of priority1 100;
        // a SET of PRIORITY1 on the grandmaster's read-write socket reaches the slave's PARENT_DATA_SET within 2 s
        // (Announce every 250 ms); one on its read-only socket changes nothing.
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked:\n\(pair.slaveLog.all.suffix(15).joined(separator: "\n"))")
        try await Task.sleep(for: .seconds(2))
        let slave = try ManagementProbe(server: pair.directory + "/slave.sock", path: pair.directory + "/probe-s.sock")
        let gm = try ManagementProbe(server: pair.directory + "/gm.sock", path: pair.directory + "/probe-g.sock")
        let gmReadOnly = try ManagementProbe(server: pair.directory + "/gm.ro.sock", path: pair.directory + "/probe-r.sock")

        let current = try slave.send(.get, .currentDataSet)
        if case .currentDataSet(let ds)? = current {
            print("seam management: slave offsetFromMaster \(ds.offsetFromMaster.duration.nanoseconds) ns")
            #expect(ds.stepsRemoved == 1)
            #expect(abs(ds.offsetFromMaster.duration.nanoseconds) < 2_000, "offsetFromMaster \(ds.offsetFromMaster.duration)")
        } else {
            Issue.record("CURRENT_DATA_SET: \(String(describing: current))")
        }
        let parent = try slave.send(.get, .parentDataSet)
        if case .parentDataSet(let ds)? = parent {
            #expect(ds.grandmasterIdentity == Self.gmIdentity)
            #expect(ds.grandmasterPriority1 == 100)
            #expect(ds.parentPortIdentity.clockIdentity == Self.gmIdentity)
        } else {
            Issue.record("PARENT_DATA_SET: \(String(describing: parent))")
        }
        let slavePort = try slave.send(.get, .portDataSet)
        if case .portDataSet(let ds)? = slavePort {
            #expect(ds.portState == PortState.slave.rawValue)
        } else {
            Issue.record("the slave's PORT_DATA_SET: \(String(describing: slavePort))")
        }
        let gmPort = try gm.send(.get, .portDataSet)
        if case .portDataSet(let ds)? = gmPort {
            #expect(ds.portState == PortState.master.rawValue)
        } else {
            Issue.record("the grandmaster's PORT_DATA_SET: \(String(describing: gmPort))")
        }

        let set = try gm.send(.set, .priority1, data: .priority1(130))
        #expect(set.map { if case .priority1(130) = $0 { true } else { false } } == true, "SET answer \(String(describing: set))")
        var seen: UInt8?
        for _ in 0..<20 {
            if case .parentDataSet(let ds)? = try slave.send(.get, .parentDataSet) { seen = ds.grandmasterPriority1 }
            if seen == 130 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen == 130, "the slave's PARENT_DATA_SET still shows grandmasterPriority1 \(String(describing: seen))")

        _ = try gmReadOnly.send(.set, .priority1, data: .priority1(140))
        let after = try gm.send(.get, .priority1)
        #expect(
            after.map { if case .priority1(130) = $0 { true } else { false } } == true,
            "PRIORITY1 after a read-only SET: \(String(describing: after))")
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// A pass that falls within 20 ms of the last publication is published by the next pass or, when none comes,
    /// by the loop's timer within 100 ms. A lone grandmaster at 1 Sync/s (Announce every 2 s) sends each
    /// Follow_Up in a pass right after its Sync's, so only that timer makes the Follow_Up count of PORT_STATS_NP
    /// catch up with the Sync count before the next Sync.
    @Test func aPassWithinTheSpacingIsPublishedWithoutWaitingForTheNextSync() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let lone = """
            [global]
            priority1 100
            logSyncInterval 0
            logAnnounceInterval 1
            uds_address \(pair.directory)/lone.sock
            uds_ro_address \(pair.directory)/lone.ro.sock
            http_address none
            [fake-lone]

            """
        let service = try pair.service("lone", extra: "", clock: pair.gmClock, port: pair.gmPort, log: pair.gmLog, text: lone)
        let group = ServiceGroup(services: [service], logger: Logger(label: "seam-lone"))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        // Bounds fixed before the run: MASTER within 30 s; then 30 reads 150 ms apart (4.5 s, four or five Syncs).
        // A Follow_Up waits unpublished at most 100 ms of each second, so at most 2 reads in 10 may see the Sync
        // count ahead; without the timer every read after the first Sync would.
        let master = await pair.gmLog.wait(for: "to MASTER", seconds: 30)
        try #require(master != nil, "no MASTER:\n\(pair.gmLog.all.suffix(10).joined(separator: "\n"))")
        let probe = try ManagementProbe(server: pair.directory + "/lone.sock", path: pair.directory + "/probe-l.sock")
        var reads: [(sync: UInt64, followUp: UInt64)] = []
        for _ in 0..<30 {
            if case .portStatsNP(let stats)? = try probe.send(.get, .portStatsNP) {
                reads.append(
                    (stats.txMsgType[Int(MessageType.sync.rawValue)], stats.txMsgType[Int(MessageType.followUp.rawValue)]))
            }
            try await Task.sleep(for: .milliseconds(150))
        }
        let behind = reads.filter { $0.followUp < $0.sync }.count
        print(
            "publication: \(reads.count) reads, Sync counts \(reads.first?.sync ?? 0)...\(reads.last?.sync ?? 0), Follow_Up behind in \(behind)"
        )
        #expect(reads.count == 30)
        #expect((reads.last?.sync ?? 0) >= (reads.first?.sync ?? 0) + 3, "Syncs sent: \(reads.map(\.sync))")
        #expect(behind <= 6, "Follow_Up count behind the Sync count in \(behind) of \(reads.count) reads: \(reads)")
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

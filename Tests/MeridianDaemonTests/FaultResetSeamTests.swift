import Foundation
import Logging
import PTPCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import MeridianDaemon

/// `fault_reset_interval` (issue #17) on the test seam: a FAULTY port waits 2^n s (ASAP: not at all), reopens
/// its transport through the daemon's factory, starts over and follows its master again; a port whose I/O
/// stream ends while running (a dead I/O thread) is faulted with a log line and recovers the same way.
@Suite(.serialized) struct FaultResetSeamTests {
    /// The slave's port factory: the first open gives `first`; each reopen a new channel wired to the master.
    final class Opener: Sendable {
        let first: FakePortChannel
        let master: FakePortChannel
        let clock: FakeClock
        private let opened = Mutex<[FakePortChannel]>([])

        init(first: FakePortChannel, master: FakePortChannel, clock: FakeClock) {
            self.first = first
            self.master = master
            self.clock = clock
        }

        var opens: Int { opened.withLock { $0.count } }

        func open() -> FakePortChannel {
            opened.withLock { list in
                if list.isEmpty {
                    list.append(first)
                    return first
                }
                let port = FakePortChannel(mac: first.macAddress, clock: clock)
                FakePortChannel.link(master, port)
                list.append(port)
                return port
            }
        }
    }

    func start(_ pair: DaemonSeamTests.Pair, slaveExtra: String, opener: Opener) throws -> (
        group: ServiceGroup, running: Task<Void, any Error>
    ) {
        let gm = try pair.service("gm", extra: "priority1 100", clock: pair.gmClock, port: pair.gmPort, log: pair.gmLog)
        let path = pair.directory + "/slave.conf"
        try """
        [global]
        logSyncInterval -4
        logMinDelayReqInterval -4
        logAnnounceInterval -2
        slaveOnly 1
        \(slaveExtra)
        uds_address \(pair.directory)/slave.sock
        uds_ro_address \(pair.directory)/slave.ro.sock
        [fake-slave]

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let options = DaemonOptions(configFile: path)
        let configuration = try ConfigurationLoader.load(options).get()
        let factories = DaemonFactories(
            openClock: { _ in pair.slaveClock.source }, openPort: { _, _ in opener.open() })
        let slave = MeridianService(
            options: options, configuration: configuration, logger: pair.slaveLog.logger, factories: factories)
        let group = ServiceGroup(services: [gm, slave], logger: Logger(label: "seam"))
        return (group, Task { try await group.run() })
    }

    @Test func aFaultyPortReopensItsTransportAfterTheIntervalAndFollowsItsMasterAgain() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let opener = Opener(first: pair.slavePort, master: pair.gmPort, clock: pair.slaveClock)
        // 2^0 = 1 s: the reset must come no earlier than that, and well within 1 s + 4 s of scheduling slack.
        let (group, running) = try start(pair, slaveExtra: "fault_reset_interval 0", opener: opener)
        defer { running.cancel() }
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked")
        pair.slavePort.inject(.transmitMissed(id: 0, reason: "no transmit timestamp 3 times in a row", fault: true))
        let faultAt = ContinuousClock.now
        let faulty = await pair.slaveLog.wait(for: "to FAULTY", after: locked ?? 0, seconds: 5)
        try #require(faulty != nil, "the port did not go FAULTY")
        let reset = await pair.slaveLog.wait(for: "fault reset: transport reopened", after: faulty ?? 0, seconds: 5)
        let waited = ContinuousClock.now - faultAt
        try #require(reset != nil, "no fault reset:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        #expect(waited >= .milliseconds(950), "the reset came after \(waited), before fault_reset_interval 0 (1 s)")
        #expect(opener.opens == 2, "the transport was opened \(opener.opens) times, not reopened once")
        let back = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: reset ?? 0, seconds: 10)
        #expect(back != nil, "the port did not follow its master again:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        #expect(
            pair.slaveLog.all.contains {
                $0.contains("FAULTY to INITIALIZING on FAULT_CLEARED") || $0.contains("FAULTY to LISTENING")
            })
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func aDeadIOThreadFaultsThePortWithALogLineAndItRecoversASAP() async throws {
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let opener = Opener(first: pair.slavePort, master: pair.gmPort, clock: pair.slaveClock)
        let (group, running) = try start(pair, slaveExtra: "fault_reset_interval ASAP", opener: opener)
        defer { running.cancel() }
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the slave never locked")
        // The I/O thread ends: its stream finishes while the daemon runs.
        pair.slavePort.close()
        let stopped = await pair.slaveLog.wait(for: "port 1: its I/O stopped", after: locked ?? 0, seconds: 5)
        try #require(stopped != nil, "no log line for the dead I/O")
        let faulty = await pair.slaveLog.wait(for: "to FAULTY", after: locked ?? 0, seconds: 5)
        #expect(faulty != nil)
        let reset = await pair.slaveLog.wait(for: "fault reset: transport reopened", after: stopped ?? 0, seconds: 2)
        try #require(reset != nil, "no fault reset:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        #expect(opener.opens == 2)
        let back = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: reset ?? 0, seconds: 10)
        #expect(back != nil, "the port did not follow its master again:\n\(pair.slaveLog.all.suffix(10).joined(separator: "\n"))")
        // The old channel's end is not taken for a second dead thread.
        #expect(pair.slaveLog.all.filter { $0.contains("its I/O stopped") }.count == 1)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

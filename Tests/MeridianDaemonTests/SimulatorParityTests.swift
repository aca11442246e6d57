import Logging
import MeridianConfig
import PTPCore
import PTPEngine
import PTPSimulation
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// The daemon and the simulator run one composition: the same scenario (a slave locks, its master falls
/// silent, holdover, the master returns), driven once through two whole daemons on the test seam (real
/// time, actors, the fake link) and once through `PTPSimulation` (simulated time), both built from the same
/// configuration files, makes the slave's engine take the same decisions in the same order: every port state
/// change with its event, and every holdover with its cause.
@Suite(.serialized) struct SimulatorParityTests {
    /// The slave's decisions as the daemon logs them and as the simulator records them.
    static func decisions(fromLog lines: [String]) -> [String] {
        lines.compactMap { line in
            if line.hasPrefix("port 1: ") { return line }
            if line.hasPrefix("holdover (no Sync") { return "holdover: master silent" }
            if line.hasPrefix("holdover (the grandmaster role") { return "holdover: grandmaster role" }
            return nil
        }
    }

    @Test func theSlaveDecidesTheSameInTheDaemonAndInTheSimulator() async throws {
        // The daemon: a grandmaster and a slave-only clock on fakes.
        let pair = DaemonSeamTests.Pair()
        defer { pair.tearDown() }
        let (group, running) = try pair.start()
        defer { running.cancel() }
        let locked = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", seconds: 60)
        try #require(locked != nil, "the daemon's slave never locked")
        try await Task.sleep(for: .seconds(2))
        pair.gmPort.setMuted(true)
        try await Task.sleep(for: .seconds(1))
        pair.gmPort.setMuted(false)
        let count = pair.slaveLog.all.count
        _ = await pair.slaveLog.wait(for: "UNCALIBRATED to SLAVE", after: count, seconds: 30)
        try await Task.sleep(for: .seconds(1))
        await group.triggerGracefulShutdown()
        try await running.value
        let daemon = Self.decisions(fromLog: pair.slaveLog.all)

        // The simulator: the same two clocks from the same settings, the same timeline.
        let gmSettings = DaemonSettings(
            try ConfigurationLoader.load(DaemonOptions(configFile: pair.directory + "/gm.conf")).get())
        let slaveSettings = DaemonSettings(
            try ConfigurationLoader.load(DaemonOptions(configFile: pair.directory + "/slave.conf")).get())
        func clock(_ number: Int, _ settings: DaemonSettings) -> SimulatedClock {
            var clock = SimulatedClock(number: number)
            clock.priority1 = settings.defaultDS.priority1
            clock.priority2 = settings.defaultDS.priority2
            clock.slaveOnly = settings.defaultDS.slaveOnly
            clock.clockQuality = settings.defaultDS.clockQuality
            clock.servo = settings.servoKind
            clock.servoConfiguration = settings.servo
            clock.outlierFilter = settings.outlierFilter
            if let port = settings.ports.first?.engine { clock.port = port }
            return clock
        }
        var network = NetworkDescription()
        let gmIndex = network.addClock(clock(1, gmSettings))
        var slaveClock = clock(2, slaveSettings)
        slaveClock.initialOffset = .microseconds(300)
        slaveClock.frequencyError = .ppm(-40)
        let slaveIndex = network.addClock(slaveClock)
        network.connect([gmIndex, slaveIndex], model: LinkModel(delay: .zero, jitter: 0))
        let simulation = Simulation(network: network, seed: 7)
        var lockedAt: PTPInstant?
        for _ in 0..<(60 * 100) where lockedAt == nil {
            simulation.run(for: .milliseconds(10))
            if simulation.portStates(of: slaveIndex).first == .slave { lockedAt = simulation.now }
        }
        try #require(lockedAt != nil, "the simulated slave never locked")
        simulation.run(for: .seconds(Int64(2)))
        simulation.setMuted(gmIndex, true)
        simulation.run(for: .seconds(Int64(1)))
        simulation.setMuted(gmIndex, false)
        simulation.run(for: .seconds(Int64(5)))
        var simulated: [(time: PTPInstant, text: String)] = simulation.stateChanges
            .filter { $0.clock == slaveIndex }.map { ($0.time, $0.change.description) }
        simulated += simulation.holdovers.filter { $0.clock == slaveIndex }.map {
            ($0.time, $0.holdover.cause == .grandmasterRole ? "holdover: grandmaster role" : "holdover: master silent")
        }
        // State changes and holdovers at the same instant come in the order the engine appended them: a
        // holdover on the grandmaster role follows the state change that made it so.
        let ordered = simulated.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(
            \.element.text)

        print("parity: daemon    \(daemon)")
        print("parity: simulator \(ordered)")
        #expect(daemon == ordered)
        #expect(daemon.contains("holdover: master silent"))
    }
}

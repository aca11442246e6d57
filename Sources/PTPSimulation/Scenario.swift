import PTPCore
import PTPEngine
import PTPServo

/// The shapes of network the simulator can build by itself.
public enum Topology: String, Sendable, Hashable, CaseIterable {
    /// A grandmaster and one slave.
    case pair
    /// A grandmaster, then `depth` clocks in a line (boundary clocks, the last an ordinary clock).
    case chain
    /// A grandmaster at the root of a tree of boundary clocks with `fanout` children each, `clocks` in all.
    case tree
    /// A grandmaster attached to a ring of `depth` boundary clocks.
    case ring
}

/// A scenario to run: a topology, its clocks' imperfections and how long to run.
public struct ScenarioOptions: Sendable {
    public var topology: Topology = .chain
    public var depth = 4
    public var fanout = 3
    public var clocks = 40
    /// Simulated seconds; the statistics cover the second half.
    public var duration: Int64 = 60
    public var seed: UInt64 = 1
    public var logSyncInterval: Int8 = -4
    public var servo: ServoKind = .pi
    public var delayMechanism: DelayMechanism = .e2e
    /// Time stamp noise, ns (one standard deviation).
    public var stampNoise = 20.0
    /// Oscillator frequency errors are uniform in ± this, ppm.
    public var frequencySpread = 50.0
    /// Initial phase offsets are uniform in ± this.
    public var initialOffsetSpread = PTPDuration.milliseconds(1)
    public var linkDelay = PTPDuration.microseconds(2)
    /// Link jitter, ns (one standard deviation).
    public var jitter = 20.0
    /// Random-walk frequency wander, ppb per √s.
    public var wander = 1.0
    /// Keep every port state change for the report (ptp4l-style lines).
    public var logStateChanges = false

    public init() {}
}

/// What one clock did over the measured half of a scenario.
public struct ClockReport: Sendable {
    public var index: Int
    public var identity: ClockIdentity
    public var stepsRemoved: UInt16
    public var portStates: [PortState]
    public var servoState: ServoState
    public var steps: Int
    /// Diagnostics the engine reported (messages it did not use).
    public var diagnostics: Int
    /// Offset measurements the servo received.
    public var measurements: Int
    /// RMS and largest |time − grandmaster time| over the second half, ns.
    public var rmsOffset: Double
    public var maxOffset: Double
}

/// The outcome of a scenario.
public struct ScenarioResult: Sendable {
    public var options: ScenarioOptions
    public var clocks: [ClockReport]
    public var eventsProcessed: Int
    public var messagesDelivered: Int
    /// `[seconds] clock: port n: FROM to TO on EVENT`, when ``ScenarioOptions/logStateChanges`` is set.
    public var stateLog: [String]
}

/// Builds and runs scenarios; the `meridian-sim` command is a thin shell over this.
public enum ScenarioRunner {
    /// The network for `options`: clock 0 is the grandmaster.
    public static func network(for options: ScenarioOptions) -> NetworkDescription {
        var random = SplitMix64(seed: options.seed ^ 0x5EED)
        var network = NetworkDescription()
        var port = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(options.logSyncInterval))
        port.delayMechanism = options.delayMechanism
        var gm = SimulatedClock(number: 1)
        gm.clockQuality = ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D)
        gm.stampNoise = options.stampNoise
        gm.port = port
        gm.servo = options.servo
        network.addClock(gm)
        let others: Int
        switch options.topology {
        case .pair: others = 1
        case .chain, .ring: others = max(1, options.depth)
        case .tree: others = max(1, options.clocks - 1)
        }
        for i in 0..<others {
            var clock = SimulatedClock(number: i + 2)
            clock.port = port
            clock.servo = options.servo
            clock.stampNoise = options.stampNoise
            clock.wander = options.wander
            clock.frequencyError = .ppm((random.nextUnit() * 2 - 1) * options.frequencySpread)
            clock.initialOffset = options.initialOffsetSpread.scaled(by: random.nextUnit() * 2 - 1)
            // Boundary clocks follow an upstream step rather than slew for minutes (see TopologyTests).
            clock.servoConfiguration.stepThreshold = .milliseconds(1)
            network.addClock(clock)
        }
        let model = LinkModel(delay: options.linkDelay, jitter: options.jitter)
        switch options.topology {
        case .pair, .chain:
            for c in 1...others { network.connect([c - 1, c], model: model) }
        case .tree:
            let fanout = max(1, options.fanout)
            for c in 1...others { network.connect([(c - 1) / fanout, c], model: model) }
        case .ring:
            network.connect([0, 1], model: model)
            if others > 1 {
                for c in 1...others { network.connect([c, c % others + 1], model: model) }
            }
        }
        return network
    }

    /// Runs `options` and collects each clock's figures over the second half.
    public static func run(_ options: ScenarioOptions) -> ScenarioResult {
        let network = network(for: options)
        let sim = Simulation(network: network, seed: options.seed)
        sim.recordStateChanges = options.logStateChanges
        let half = PTPDuration.seconds(max(1, options.duration / 2))
        sim.run(for: half)
        let n = sim.clockCount
        var squares = Array(repeating: 0.0, count: n)
        var worst = Array(repeating: 0.0, count: n)
        var samples = 0.0
        sim.run(for: half, sampleEvery: .milliseconds(100)) { sim in
            for c in 0..<n {
                let e = sim.offset(of: c, from: 0).nanosecondsDouble
                squares[c] += e * e
                worst[c] = max(worst[c], abs(e))
            }
            samples += 1
        }
        let reports = (0..<n).map { c in
            ClockReport(
                index: c, identity: network.clocks[c].identity, stepsRemoved: sim.instance(c).currentDS.stepsRemoved,
                portStates: sim.portStates(of: c), servoState: sim.servoState(of: c),
                steps: sim.statistics(of: c).steps, diagnostics: sim.statistics(of: c).diagnostics,
                measurements: sim.statistics(of: c).measurements, rmsOffset: (squares[c] / max(1, samples)).squareRoot(),
                maxOffset: worst[c])
        }
        let log = sim.stateChanges.map { entry in
            let t = Double((entry.time - sim.start).nanosecondsDouble / 1e6).rounded() / 1e3
            return "[\(t)] \(network.clocks[entry.clock].identity): \(entry.change)"
        }
        return ScenarioResult(
            options: options, clocks: reports, eventsProcessed: sim.eventsProcessed,
            messagesDelivered: sim.messagesDelivered, stateLog: log)
    }
}

extension ScenarioResult {
    /// A plain-text table: one line per clock, then totals.
    public var report: String {
        func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
        }
        var lines: [String] = stateLog
        lines.append(
            "\(options.topology) topology, \(clocks.count) clocks, \(options.duration) s simulated, "
                + "sync 2^\(options.logSyncInterval) s, \(options.servo) servo, \(options.delayMechanism), seed \(options.seed)")
        lines.append(
            pad("clock", 20) + pad("steps", 7) + pad("servo", 7) + pad("jumps", 7) + pad("rms ns", 12)
                + pad("max ns", 12) + pad("samples", 9) + pad("diag", 6) + "ports")
        for c in clocks {
            let rms = c.index == 0 ? "-" : String(Int(c.rmsOffset.rounded()))
            let max = c.index == 0 ? "-" : String(Int(c.maxOffset.rounded()))
            lines.append(
                pad(c.identity.description, 20) + pad(String(c.stepsRemoved), 7)
                    + pad(c.servoState.description, 7) + pad(String(c.steps), 7) + pad(rms, 12) + pad(max, 12)
                    + pad(String(c.measurements), 9) + pad(String(c.diagnostics), 6)
                    + c.portStates.map(\.description).joined(separator: " "))
        }
        let slaves = clocks.dropFirst()
        let locked = slaves.filter { $0.servoState == .locked }.count
        let worst = slaves.map(\.maxOffset).max() ?? 0
        lines.append(
            "locked \(locked) of \(slaves.count); worst |offset| to the grandmaster \(Int(worst.rounded())) ns; "
                + "\(eventsProcessed) events, \(messagesDelivered) messages")
        return lines.joined(separator: "\n")
    }
}

import CAllocationCounter
import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import PTPWire

/// The engine's benchmarks (issue 4): how fast the simulator runs a 1,000-clock tree at 16 Sync/s,
/// and what one Sync/Follow_Up/Delay_Req/Delay_Resp round costs in the port engines.
/// Prints a plain-text table; `main.swift` calls it.
func runEngineBenchmarks() {
    print("engine benchmarks")
    print("-----------------")
    benchmarkTree(clocks: 1_000, fanout: 10, warmUp: 20, measured: 30)
    benchmarkRound(rounds: 200_000, throughCodec: false)
    benchmarkRound(rounds: 100_000, throughCodec: true)
    benchmarkServoTimeToLock()
}

private func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

/// A tree: a grandmaster, then boundary clocks with `fanout` children each, breadth first, until
/// `clocks` clocks; every port at logSyncInterval -4 (16 Sync/s), E2E, PI servo, 20 ns stamp noise.
private func benchmarkTree(clocks: Int, fanout: Int, warmUp: Int64, measured: Int64) {
    var network = NetworkDescription()
    var template = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(-4))
    template.logMinDelayReqInterval = LogInterval(0)
    var random = SplitMix64(seed: 99)
    for i in 0..<clocks {
        var clock = SimulatedClock(number: i + 1)
        clock.port = template
        clock.stampNoise = 20
        if i == 0 {
            clock.clockQuality = ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D)
        } else {
            clock.frequencyError = PartsPerBillion((random.nextUnit() - 0.5) * 100_000)
            clock.initialOffset = .nanoseconds((random.nextUnit() - 0.5) * 1e6)
            clock.servoConfiguration.stepThreshold = .milliseconds(1)
        }
        let node = network.addClock(clock)
        if node > 0 {
            network.connect([(node - 1) / fanout, node], model: LinkModel(delay: .microseconds(1), jitter: 10))
        }
    }
    let sim = Simulation(network: network, seed: 1)
    sim.recordStateChanges = false
    let clock = ContinuousClock()
    let warm = clock.measure { sim.run(for: .seconds(warmUp)) }
    let eventsBefore = sim.eventsProcessed
    let allocationsBefore = meridian_allocation_count()
    let run = clock.measure { sim.run(for: .seconds(measured)) }
    let allocations = meridian_allocation_count() - allocationsBefore
    let events = sim.eventsProcessed - eventsBefore
    var locked = 0
    var worst = 0.0
    for c in 1..<sim.clockCount {
        if sim.servoState(of: c) == .locked { locked += 1 }
        worst = max(worst, abs(sim.offset(of: c, from: 0).nanosecondsDouble))
    }
    let runSeconds = seconds(run)
    print(pad("1,000-clock tree, 16 Sync/s (fanout \(fanout))", 48) + "value")
    print(pad("  warm-up \(warmUp) simulated s (BMCA, first steps)", 48) + "\(seconds(warm)) s wall")
    print(pad("  measured \(measured) simulated s", 48) + "\(runSeconds) s wall")
    print(pad("  simulated seconds per wall second", 48) + "\(Double(measured) / runSeconds)")
    print(pad("  events per wall second", 48) + "\(Double(events) / runSeconds)")
    print(pad("  heap allocations per event", 48) + "\(Double(allocations) / Double(max(1, events)))")
    print(pad("  clocks locked at the end", 48) + "\(locked) of \(sim.clockCount - 1)")
    print(pad("  worst |offset| to the grandmaster", 48) + "\(worst) ns")
}

/// One E2E round between two port engines: Sync, its transmit time stamp, Follow_Up, Delay_Req, its
/// transmit time stamp, Delay_Resp, all through the engines; with `throughCodec` every message is
/// encoded and the receiver decodes the bytes, as in the daemon (the simulator passes values).
private func benchmarkRound(rounds: Int, throughCodec: Bool) {
    let masterClock = ClockIdentity(rawValue: 0xAA)
    let slaveClock = ClockIdentity(rawValue: 0xBB)
    let ds = DefaultDS(clockIdentity: masterClock, numberPorts: 1)
    let content = AnnounceContent(
        parentDS: ParentDS(selfAsGrandmaster: ds), currentDS: CurrentDS(),
        timeProperties: TimePropertiesDS())
    var master = PortEngine(
        configuration: PortConfiguration(portNumber: 1), clockIdentity: masterClock,
        announceContent: content)
    var slave = PortEngine(
        configuration: PortConfiguration(portNumber: 1), clockIdentity: slaveClock,
        announceContent: content)
    var t = PTPInstant(seconds: 1_700_000_000)
    var out: [PortAction] = []
    out.reserveCapacity(16)
    master.handle(.linkUp, at: t, into: &out)
    master.handle(.recommendedState(.m2, parent: nil, stepsRemoved: 0), at: t, into: &out)
    slave.handle(.linkUp, at: t, into: &out)
    slave.handle(.recommendedState(.s1, parent: master.portIdentity, stepsRemoved: 1), at: t, into: &out)
    var relay: [PortAction] = []
    relay.reserveCapacity(16)
    var slaveOut: [PortAction] = []
    slaveOut.reserveCapacity(16)
    var measurements = 0
    let delay = PTPDuration.nanoseconds(Int64(1_000))

    func receive(_ message: PTPMessage, by port: inout PortEngine, at time: PTPInstant, into result: inout [PortAction]) {
        if throughCodec {
            port.handle(.receivedBytes(message.encoded(), timestamp: time), at: time, into: &result)
        } else {
            port.handle(.received(message, timestamp: time), at: time, into: &result)
        }
    }

    func deliver(_ actions: [PortAction], to port: inout PortEngine, at time: PTPInstant, into result: inout [PortAction]) {
        for action in actions {
            guard case .send(let m) = action else { continue }
            receive(m.message, by: &port, at: time, into: &result)
        }
    }

    let clock = ContinuousClock()
    let allocationsBefore = meridian_allocation_count()
    let elapsed = clock.measure {
        for _ in 0..<rounds {
            out.removeAll(keepingCapacity: true)
            master.handle(.timerFired(.sync), at: t, into: &out)
            for case .send(let m) in out {
                guard let token = m.token else { continue }
                relay.removeAll(keepingCapacity: true)
                master.handle(.transmitted(token, timestamp: t), at: t, into: &relay)
                slaveOut.removeAll(keepingCapacity: true)
                receive(m.message, by: &slave, at: t + delay, into: &slaveOut)
                deliver(relay, to: &slave, at: t + delay, into: &slaveOut)
                for action in slaveOut { if case .measurement = action { measurements += 1 } }
            }
            out.removeAll(keepingCapacity: true)
            slave.handle(.timerFired(.delayRequest), at: t, into: &out)
            for case .send(let m) in out {
                guard let token = m.token else { continue }
                relay.removeAll(keepingCapacity: true)
                slave.handle(.transmitted(token, timestamp: t), at: t, into: &relay)
                relay.removeAll(keepingCapacity: true)
                receive(m.message, by: &master, at: t + delay, into: &relay)
                slaveOut.removeAll(keepingCapacity: true)
                deliver(relay, to: &slave, at: t + delay, into: &slaveOut)
            }
            t = t + .milliseconds(Int64(62))
        }
    }
    let allocations = meridian_allocation_count() - allocationsBefore
    let nsPerRound = seconds(elapsed) * 1e9 / Double(rounds)
    let label =
        throughCodec
        ? "E2E round, engines + encode/decode of all four messages"
        : "E2E round in the engines (Sync, Follow_Up, Delay_Req, Delay_Resp)"
    print(pad(label, 72) + "\(nsPerRound) ns")
    print(pad("  heap allocations per round", 72) + "\(Double(allocations) / Double(rounds))")
    print(pad("  measurements produced", 72) + "\(measurements) of \(rounds)")
}

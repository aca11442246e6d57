import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import Testing

/// The delay mechanisms and port options in the simulated network.
@Suite struct MechanismTests {
    /// Steady-state mean and RMS of `clock`'s offset from `gm` over `seconds`, after a `settle`.
    func offsets(_ sim: Simulation, clock: Int, gm: Int, settle: Int64 = 30, seconds: Int64 = 30) -> (mean: Double, rms: Double) {
        sim.run(for: .seconds(settle))
        var sum = 0.0
        var squares = 0.0
        var n = 0.0
        sim.run(for: .seconds(seconds), sampleEvery: .milliseconds(100)) { sim in
            let e = sim.offset(of: clock, from: gm).nanosecondsDouble
            sum += e
            squares += e * e
            n += 1
        }
        return (sum / n, (squares / n).squareRoot())
    }

    @Test func peerDelayChainLocks() {
        var network = NetworkDescription()
        var gm = Scenarios.grandmaster(1, logSync: -3)
        gm.port.delayMechanism = .p2p
        var bc = Scenarios.slave(2, logSync: -3, ppm: 30, offset: .milliseconds(3))
        bc.port.delayMechanism = .p2p
        bc.servoConfiguration.stepThreshold = .milliseconds(1)
        var leaf = Scenarios.slave(3, logSync: -3, ppm: -45, offset: .milliseconds(-2))
        leaf.port.delayMechanism = .p2p
        leaf.servoConfiguration.stepThreshold = .milliseconds(1)
        let g = network.addClock(gm)
        let b = network.addClock(bc)
        let l = network.addClock(leaf)
        network.connect([g, b], model: LinkModel(delay: .microseconds(4)))
        network.connect([b, l], model: LinkModel(delay: .microseconds(9)))
        let sim = Simulation(network: network, seed: 3)
        let result = offsets(sim, clock: l, gm: g)
        print("P2P chain: leaf offset mean \(result.mean) ns, RMS \(result.rms) ns")
        #expect(sim.portStates(of: b) == [.slave, .master])
        #expect(sim.portStates(of: l) == [.slave])
        // The peer delay each slave port measured is its link's 4 µs / 9 µs (within stamp noise).
        let bcDelay = sim.instance(b).ports[0].peerMeanPathDelay?.nanosecondsDouble ?? 0
        let leafDelay = sim.instance(l).ports[0].peerMeanPathDelay?.nanosecondsDouble ?? 0
        #expect(abs(bcDelay - 4_000) < 60)
        #expect(abs(leafDelay - 9_000) < 60)
        #expect(result.rms < 200)
    }

    @Test func oneStepMasterLocksSlave() {
        var network = NetworkDescription()
        var gm = Scenarios.grandmaster(1, logSync: -3)
        gm.port.oneStep = true
        let g = network.addClock(gm)
        let s = network.addClock(Scenarios.slave(2, logSync: -3))
        network.connect([g, s])
        let sim = Simulation(network: network, seed: 4)
        let result = offsets(sim, clock: s, gm: g)
        #expect(sim.portStates(of: s) == [.slave])
        #expect(result.rms < 150)
    }

    /// An asymmetric link biases the offset by the asymmetry (IEEE 1588-2019 16.8) unless delayAsymmetry
    /// is configured; with it, the bias is gone.
    @Test func delayAsymmetryRemovesTheBias() {
        func run(configured: Bool) -> Double {
            var network = NetworkDescription()
            let g = network.addClock(Scenarios.grandmaster(1, logSync: -3, stampNoise: 20))
            var slave = Scenarios.slave(2, logSync: -3, stampNoise: 20, ppm: 10, offset: .microseconds(5))
            if configured { slave.port.delayAsymmetry = .nanoseconds(Int64(400)) }
            let s = network.addClock(slave)
            // GM → slave 400 ns slower than slave → GM.
            network.connect([g, s], model: LinkModel(delay: .microseconds(2), asymmetry: .nanoseconds(Int64(400))))
            let sim = Simulation(network: network, seed: 9)
            return offsets(sim, clock: s, gm: g).mean
        }
        let biased = run(configured: false)
        let corrected = run(configured: true)
        print("asymmetry 400 ns: mean offset \(biased) ns unconfigured, \(corrected) ns with delayAsymmetry")
        #expect(abs(biased + 400) < 40)  // the slave runs 400 ns early
        #expect(abs(corrected) < 40)
    }

    @Test func slaveOnlyClockNeverMasters() {
        var network = NetworkDescription()
        let g = network.addClock(Scenarios.grandmaster(1, priority1: 200, logSync: -3))
        var better = Scenarios.slave(2, logSync: -3)
        better.priority1 = 1  // better on paper, but slave-only
        better.clockQuality = ClockQuality(clockClass: 255, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF)
        better.slaveOnly = true
        let s = network.addClock(better)
        network.connect([g, s])
        let sim = Simulation(network: network, seed: 6)
        sim.run(for: .seconds(Int64(40)))
        #expect(sim.portStates(of: s) == [.slave])
        #expect(sim.portStates(of: g) == [.master])
        #expect(!sim.stateChanges.contains { $0.clock == s && ($0.change.to == .master || $0.change.to == .preMaster) })
    }

    @Test func masterOnlyPortNeverSlaves() {
        var network = NetworkDescription()
        let g = network.addClock(Scenarios.grandmaster(1, logSync: -3))
        var bc = Scenarios.slave(2, logSync: -3)
        var masterOnly = bc.port
        masterOnly.masterOnly = true
        bc.portOverrides[1] = masterOnly
        let b = network.addClock(bc)
        let leaf = network.addClock(Scenarios.slave(3, logSync: -3))
        network.connect([g, b])  // port 1 of the BC: masterOnly, toward a better GM
        network.connect([b, leaf])
        let sim = Simulation(network: network, seed: 8)
        sim.run(for: .seconds(Int64(40)))
        #expect(sim.portStates(of: b) == [.master, .master])
        #expect(sim.instance(b).parentDS.grandmasterIdentity == network.clocks[b].identity)
        #expect(sim.instance(leaf).parentDS.grandmasterIdentity == network.clocks[b].identity)
    }

    @Test func sameSeedSameRun() {
        func run() -> [Double] {
            var network = NetworkDescription()
            let g = network.addClock(Scenarios.grandmaster(1, logSync: -3))
            let s = network.addClock(Scenarios.slave(2, logSync: -3, wander: 5))
            network.connect([g, s], model: LinkModel(jitter: 30))
            let sim = Simulation(network: network, seed: 77)
            var out: [Double] = []
            sim.run(for: .seconds(Int64(20)), sampleEvery: .seconds(Int64(1))) {
                out.append($0.offset(of: s, from: g).nanosecondsDouble)
            }
            return out
        }
        #expect(run() == run())
    }
}

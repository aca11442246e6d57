import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import Testing

/// Issue 12: with software time stamps (200 ns per stamp, so about 280 ns on an offset) and the default
/// PI servo at 16 Sync/s, a slave and every tier of boundary clocks below a grandmaster lock within 10 s
/// of their master; pi.c's two-sample estimate (``PIFirstEstimate/twoSamples``) is run beside it for the record.
@Suite struct SoftwareStampConvergenceTests {
    static func clock(
        _ number: Int, estimate: PIFirstEstimate, ppm: Double, offset: PTPDuration,
        stepThreshold: PTPDuration
    ) -> SimulatedClock {
        var clock = Scenarios.slave(number, logSync: -4, stampNoise: 200, ppm: ppm, offset: offset)
        clock.servoConfiguration = ServoConfiguration(
            stepThreshold: stepThreshold, timestamping: .software,
            piFirstEstimate: estimate)
        return clock
    }

    struct Tier {
        var lock: Double?
        var chose: Double
    }

    /// GM → `depth` clocks in a chain; per tier: the time it chose its master, and the time from which it
    /// stays locked within 1 µs of the grandmaster (both from the start).
    static func chain(
        depth: Int, estimate: PIFirstEstimate, stepThreshold: PTPDuration = .milliseconds(1),
        seconds: Int64, seed: UInt64, traceable: Bool = false
    )
        -> (tiers: [Tier], sim: Simulation, nodes: [Int], traces: [OffsetTrace])
    {
        var network = NetworkDescription()
        var grandmaster = Scenarios.grandmaster(1, logSync: -4, stampNoise: 200)
        if traceable { grandmaster.timeProperties = TimePropertiesDS(timeTraceable: true, frequencyTraceable: true) }
        let gm = network.addClock(grandmaster)
        var previous = gm
        var nodes: [Int] = []
        let ppm = [-40.0, 25, -60, 35]
        let offsets: [PTPDuration] = [.milliseconds(200), .milliseconds(-150), .milliseconds(80), .milliseconds(-300)]
        for i in 0..<depth {
            let node = network.addClock(
                clock(
                    10 + i, estimate: estimate, ppm: ppm[i % 4], offset: offsets[i % 4],
                    stepThreshold: stepThreshold))
            network.connect([previous, node], model: LinkModel(delay: .microseconds(5), jitter: 0))
            nodes.append(node)
            previous = node
        }
        let sim = Simulation(network: network, seed: seed)
        var traces = Array(repeating: OffsetTrace(), count: depth)
        sim.run(for: .seconds(seconds), sampleEvery: .microseconds(Int64(62_500))) { sim in
            let t = (sim.now - sim.start).secondsDouble
            for (i, node) in nodes.enumerated() {
                traces[i].add(t: t, offset: sim.offset(of: node, from: gm))
            }
        }
        let tiers = nodes.enumerated().map { i, node in
            Tier(
                lock: traces[i].timeToStayWithin(1_000),
                chose: sim.stateChanges.first { $0.clock == node && $0.change.to == .uncalibrated }
                    .map { ($0.time - sim.start).secondsDouble } ?? .infinity)
        }
        return (tiers, sim, nodes, traces)
    }

    /// A slave, with ptp4l's default step policy (first_step_threshold 20 µs, step_threshold 0): locked
    /// within 10 s of choosing its master, where pi.c's estimate takes over 48 s; afterwards no noisier
    /// (p95 of |error to the GM| over 180–240 s at most 1.1 × pi.c's + 20 ns).
    @Test func slaveLocksWithinTenSeconds() {
        let new = Self.chain(depth: 1, estimate: .regression, stepThreshold: .zero, seconds: 240, seed: 21)
        let old = Self.chain(depth: 1, estimate: .twoSamples, stepThreshold: .zero, seconds: 240, seed: 21)
        let newTier = new.tiers[0]
        let oldTier = old.tiers[0]
        let newP95 = new.traces[0].percentile(0.95, from: 180)
        let oldP95 = old.traces[0].percentile(0.95, from: 180)
        print(
            "software stamps, slave: chose its master at \(newTier.chose) s; locked "
                + "\(newTier.lock.map { "\($0 - newTier.chose) s" } ?? "never") later (regression), \(oldTier.lock.map { "\($0 - oldTier.chose) s" } ?? "never") (pi.c's two samples); "
                + "p95 |error| 180–240 s \(newP95) ns against \(oldP95) ns")
        #expect((newTier.lock ?? .infinity) - newTier.chose <= 10)
        #expect((oldTier.lock ?? .infinity) - oldTier.chose >= 48)
        #expect(new.sim.statistics(of: new.nodes[0]).steps == 1)
        #expect(new.sim.servoState(of: new.nodes[0]) == .locked)
        #expect(newP95 <= 1.1 * oldP95 + 20)
    }

    /// GM → BC → BC → slave with step_threshold 1 ms on every clock, as the lab's bc.conf has it (a clock that
    /// locked to its upstream before that one stepped follows the step; with step_threshold 0 it would slew
    /// 0.1 s, with either first estimate). What holds: the first tier locks within 10 s of choosing its master,
    /// and every tier locks within the run, where pi.c's estimate takes a minute for the first tier and leaves
    /// the deeper ones unlocked after 240 s. What does not hold yet: each deeper tier within 10 s of its
    /// master (seeds 12–16 gave 10–45 s; a tier that locked to an upstream that then steps or slews has to
    /// follow it) — measured here and printed, not asserted.
    @Test func everyTierOfAChainLocksAndTheFirstWithinTenSeconds() {
        let new = Self.chain(depth: 3, estimate: .regression, seconds: 240, seed: 12)
        let old = Self.chain(depth: 3, estimate: .twoSamples, seconds: 240, seed: 12)
        for (name, result) in [("regression", new), ("pi.c's two samples", old)] {
            let line = result.tiers.enumerated().map { i, tier in
                "tier \(i + 1) chose its master at \(tier.chose) s, locked at \(tier.lock.map { "\($0) s" } ?? "never")"
            }
            print("software stamps, chain, \(name): " + line.joined(separator: "; "))
        }
        #expect((new.tiers[0].lock ?? .infinity) - new.tiers[0].chose <= 10)
        for (i, tier) in new.tiers.enumerated() {
            #expect(tier.lock != nil, "tier \(i + 1)")
            #expect(new.sim.servoState(of: new.nodes[i]) == .locked)
            #expect((tier.lock ?? .infinity) < (old.tiers[i].lock ?? .infinity), "tier \(i + 1) not earlier than pi.c's")
        }
        #expect((old.tiers[0].lock ?? .infinity) - old.tiers[0].chose >= 48)
    }
}

extension SoftwareStampConvergenceTests {
    /// A GNSS-locked (traceable) GM → BC → BC → slave with ptp4l's default step policy (first_step_threshold 20 µs,
    /// step_threshold 0), all started at once, each clock 80–300 ms off. Each boundary clock serves its own time
    /// until it has stepped to the grandmaster's, and announces it as not traceable until its servo has locked
    /// (``InstanceEngine/announcedContent()``); the clock below, locked to that interim time, acquires afresh
    /// when the time it follows becomes traceable (``ClockEngine/followedUntraceableTimeChanged(into:)``) and
    /// steps to it, instead of slewing tens of milliseconds at 500 ppm for minutes: without that, the third
    /// tier did not lock within 120 s in any of these seeds. Bound fixed before the run: every tier locked
    /// (within 1 µs of the grandmaster and staying) before the end of the 120 s run. Measured, not asserted:
    /// each tier's lock relative to the tier above (4–45 s here; the issue asks for 10 s).
    @Test(arguments: [UInt64(12), 13, 14, 15, 16])
    func everyTierOfAChainLocksWithTheDefaultStepPolicy(seed: UInt64) {
        let result = Self.chain(
            depth: 3, estimate: .regression, stepThreshold: .zero, seconds: 120, seed: seed, traceable: true)
        let line = result.tiers.enumerated().map { i, tier in
            "tier \(i + 1) chose its master at \(tier.chose) s, locked at \(tier.lock.map { "\($0) s" } ?? "never")"
        }
        print("software stamps, chain, default step policy, seed \(seed): " + line.joined(separator: "; "))
        for (i, tier) in result.tiers.enumerated() {
            #expect((tier.lock ?? .infinity) < 120, "tier \(i + 1) never locked")
        }
    }
}

extension OffsetTrace {
    /// The `p` quantile (0…1) of |offset| over the samples from time `from` on (ns).
    func percentile(_ p: Double, from: Double) -> Double {
        let values = samples.filter { $0.t >= from }.map { abs($0.offset) }.sorted()
        guard !values.isEmpty else { return .infinity }
        return values[Int((p * Double(values.count - 1)).rounded())]
    }
}

import PTPCore
import PTPServo
import Testing

/// Issue 12, "lock in seconds, not a minute": the PI servo's first frequency estimate by regression
/// (``PIFirstEstimate/regression``) against pi.c's two samples 0.016/ki apart (``PIFirstEstimate/twoSamples``),
/// on software time stamps with ptp4l's default software gains at 16 Sync/s (kp 0.23, ki 0.00033: pi.c waits
/// 48.5 s), for a clock 0.2 s and −40 ppm off. Every bound is fixed here, before the runs.
@Suite struct FirstEstimateTests {
    static let software = ServoConfiguration(timestamping: .software)
    static let ptp4l = ServoConfiguration(timestamping: .software, piFirstEstimate: .twoSamples)
    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]

    /// Five minutes of the same clock and noise under the regression estimate (new) and pi.c's (old).
    static func runs(seed: UInt64) -> (new: [ServoRun.Sample], old: [ServoRun.Sample]) {
        var newRun = ServoRun()
        var oldRun = ServoRun()
        return (newRun.run(software, seconds: 300, seed: seed).samples, oldRun.run(ptp4l, seconds: 300, seed: seed).samples)
    }

    /// Locked (s2, within 1 µs of the master and staying there for the rest of 5 minutes) within 10 s;
    /// ptp4l's estimate cannot lock before its 48.5 s.
    @Test(arguments: seeds)
    func locksWithinTenSeconds(seed: UInt64) {
        let (new, old) = Self.runs(seed: seed)
        let newLock = ServoRun.timeToLock(new)
        let oldLock = ServoRun.timeToLock(old)
        print(
            "seed \(seed): time to lock \(newLock.map { "\($0) s" } ?? "never") (regression), "
                + "\(oldLock.map { "\($0) s" } ?? "never") (pi.c's two samples)")
        #expect((newLock ?? .infinity) <= 10)
        #expect((oldLock ?? .infinity) >= 48)
        // One step, the first one, in either.
        #expect(new.filter(\.stepped).count == 1)
        #expect(old.filter(\.stepped).count == 1)
    }

    /// No noisier afterwards: over 120–300 s the 50th, 95th and 99th percentiles of |true error| are at most
    /// 1.1 × pi.c's + 20 ns, seed by seed; and over 60–120 s (pi.c locked at 48.5 s, the regression's
    /// refinement was applied at the same moment) likewise for the 95th.
    @Test(arguments: seeds)
    func steadyStateNoNoisierThanPtp4l(seed: UInt64) {
        let (new, old) = Self.runs(seed: seed)
        var line = "seed \(seed): |true error| percentiles (ns, regression / pi.c)"
        for (window, quantiles) in [((120.0, 300.0), [0.5, 0.95, 0.99]), ((60.0, 120.0), [0.95])] {
            for p in quantiles {
                let a = ServoRun.percentile(new, p, from: window.0, to: window.1)
                let b = ServoRun.percentile(old, p, from: window.0, to: window.1)
                line += "  p\(Int(p * 100)) \(Int(window.0))–\(Int(window.1)) s: \(Int(a.rounded())) / \(Int(b.rounded()))"
                #expect(a <= 1.1 * b + 20, "p\(p) over \(window): \(a) ns against \(b) ns")
            }
        }
        print(line)
    }
}

/// What the regression estimate must leave as pi.c had it: the step policy, hardware time stamps, slow
/// Sync rates, a drift file's frequency, and inputs that make no sense.
@Suite struct FirstEstimatePolicyTests {
    static let software = FirstEstimateTests.software

    /// The fit goes on after the early lock and replaces the integral term when pi.c's 48.5 s are up: from
    /// then on the learned frequency is within 5 ppb of the truth (pi.c's two samples: σ ≈ 9 ppb).
    @Test func refinementLearnsTheFrequencyAsPtp4lWould() {
        for seed in FirstEstimateTests.seeds {
            var servo = PIServo(configuration: Self.software, syncInterval: 0.0625)
            var noise = SoftwareStampNoise(seed: seed)
            var run = ServoRun()
            _ = run.run(&servo, seconds: 40, noise: &noise)
            let early = servo.learnedFrequency?.value ?? .nan
            _ = run.run(&servo, seconds: 10, noise: &noise)
            let refined = servo.learnedFrequency?.value ?? .nan
            print("seed \(seed): learned frequency \(early) ppb at 40 s, \(refined) ppb at 50 s (truth 40,000)")
            #expect(abs(early - 40_000) < 200)
            #expect(abs(refined - 40_000) < 5)
        }
    }

    /// Spikes in the samples the estimate is made from, the first sample among them, do not move it: the
    /// frequency is within 200 ppb and the step leaves the clock within 1 µs.
    @Test func spikesDuringTheAcquisitionAreSetAside() {
        let spiked: Set<Int> = [0, 5, 20, 21, 40, 58]
        var run = ServoRun()
        let result = run.run(Self.software, seconds: 10, seed: 99) { spiked.contains($0) ? 80_000 : 0 }
        guard let step = result.samples.firstIndex(where: \.stepped) else {
            Issue.record("no step")
            return
        }
        let lockedAt = result.samples[step]
        #expect(lockedAt.t < 5)
        #expect(abs(lockedAt.phase) < 1_000, "error after the step \(lockedAt.phase) ns")
        #expect(abs((result.servo.learnedFrequency?.value ?? 0) - 40_000) < 200)
        #expect(ServoRun.timeToLock(result.samples).map { $0 <= 10 } == true)
    }

    /// The master's time changes course during the acquisition (an upstream boundary clock locks: it steps
    /// 0.1 s and its rate moves 30 ppm, 2 s into this clock's samples): the acquisition starts over from the
    /// change rather than fitting across it, and the estimate is the new rate's, within 10 s of the change.
    @Test func acquisitionStartsOverWhenTheMasterChangesCourse() {
        var servo = PIServo(configuration: Self.software, syncInterval: 0.0625)
        var noise = SoftwareStampNoise(seed: 11)
        var run = ServoRun()
        _ = run.run(&servo, seconds: 2, noise: &noise)
        #expect(servo.state == .unlocked)
        run.phase += 1e8
        run.oscillator -= 30_000
        let after = run.run(&servo, seconds: 30, noise: &noise)
        let steps = after.filter(\.stepped)
        print(
            "master changed course at 2 s: step at \(steps.first?.t ?? .infinity) s, "
                + "locked from \(ServoRun.timeToLock(after) ?? .infinity) s")
        #expect(steps.count == 1)
        #expect((steps.first?.t ?? .infinity) < 12)
        #expect(abs(steps.first?.phase ?? .infinity) < 1_000)
        #expect(ServoRun.timeToLock(after).map { $0 <= 12 } == true)
        #expect(abs((servo.learnedFrequency?.value ?? 0) - 70_000) < 200)
    }

    /// However long the regression finds no line (here a rate that keeps ramping, 5 ppb/s, under 1 ns of
    /// noise, so no straight line explains 4 s of samples down to their noise), pi.c's deadline holds: the
    /// estimate comes at 0.016/ki from the first sample, as ptp4l's would.
    @Test func ptp4lsDeadlineHolds() {
        var servo = PIServo(configuration: Self.software, syncInterval: 0.0625)
        var noise = SoftwareStampNoise(seed: 12)
        var phase = 0.0
        var firstEstimate: Double?
        for k in 0..<Int(60 / 0.0625) {
            let t = Double(k) * 0.0625
            let out = servo.sample(
                offset: .nanoseconds(phase + noise.next() / 1_000),
                localTime: PTPInstant(seconds: 1_000) + .seconds(t), weight: 1)
            if out.state != .unlocked && firstEstimate == nil { firstEstimate = t }
            if let step = out.step { phase += step.nanosecondsDouble }
            phase += (5 * t + 2_000 + out.frequency.value) * 0.0625
        }
        let deadline = 0.016 / servo.ki
        print("ramping rate: first estimate at \(firstEstimate ?? .infinity) s, pi.c's deadline \(deadline) s")
        #expect(
            (firstEstimate ?? .infinity) <= deadline + 0.0625,
            "first estimate at \(firstEstimate ?? .infinity) s, pi.c's at \(deadline) s")
    }

    /// first_step_threshold: a fitted offset beyond it steps once, on the first update only.
    @Test func firstStepThresholdStepsOnce() {
        var run = ServoRun()
        let result = run.run(Self.software, seconds: 60, seed: 3).samples
        #expect(result.filter(\.stepped).count == 1)
        #expect(result.first { $0.state != .unlocked }?.state == .jump)
    }

    /// Within first_step_threshold (a clock 1 ppm and 2 µs off: the fitted offset at the estimate is about
    /// 6 µs) the servo locks without a step, as pi.c does.
    @Test func smallOffsetLocksWithoutStep() {
        var run = ServoRun()
        run.phase = 2_000
        run.oscillator = -1_000
        let result = run.run(Self.software, seconds: 30, seed: 4).samples
        #expect(result.filter(\.stepped).isEmpty)
        #expect(result.first { $0.state != .unlocked }?.state == .locked)
        #expect(ServoRun.timeToLock(result).map { $0 <= 10 } == true)
    }

    /// With both thresholds zero the servo never steps; it slews instead (here 50 µs at first).
    @Test func zeroThresholdsNeverStep() {
        var run = ServoRun()
        run.phase = 50_000
        run.oscillator = -1_000
        let configuration = ServoConfiguration(firstStepThreshold: .zero, timestamping: .software)
        let result = run.run(configuration, seconds: 30, seed: 5).samples
        #expect(result.filter(\.stepped).isEmpty)
        #expect(!result.contains { $0.state == .jump })
    }

    /// step_threshold: an offset beyond it while locked resets the servo (that sample is dropped, s0), and the
    /// estimate that follows steps. (The outlier filter in front holds the first four such samples back, as
    /// the clock discipline does.)
    @Test func stepThresholdResetsThenSteps() {
        var servo = PIServo(
            configuration: ServoConfiguration(stepThreshold: .milliseconds(1), timestamping: .software),
            syncInterval: 0.0625)
        var noise = SoftwareStampNoise(seed: 6)
        var run = ServoRun()
        _ = run.run(&servo, seconds: 20, noise: &noise)
        #expect(servo.state == .locked)
        // The master's time moves 5 ms back at 20 s: from sample 320 on every offset is 5 ms larger.
        run.phase += 5_000_000
        let after = run.run(&servo, seconds: 20, noise: &noise)
        #expect(after.prefix(5).contains { $0.state == .unlocked })
        let jumps = after.filter { $0.state == .jump }
        #expect(jumps.count == 1)
        #expect((jumps.first?.t ?? .infinity) < 30)
        #expect(ServoRun.timeToLock(after).map { $0 < 30 } == true)
    }

    /// Hardware gains (kp 1.6 at 16 Sync/s, pi.c's wait 0.16 s; at 1 Sync/s, 0.05 s): pi.c's deadline comes
    /// before the regression holds its 8 points, so pi.c's two samples decide and every output is pi.c's.
    @Test(arguments: [(TimestampingMode.hardware, 0.0625), (.hardware, 1.0)])
    func sameAsPtp4lWhenItsEstimateComesFirst(_ mode: TimestampingMode, interval: Double) {
        func outputs(_ estimate: PIFirstEstimate) -> [ServoOutput] {
            var servo = PIServo(
                configuration: ServoConfiguration(timestamping: mode, piFirstEstimate: estimate),
                syncInterval: interval)
            var noise = SoftwareStampNoise(seed: 7)
            var phase = 1e6
            var result: [ServoOutput] = []
            for k in 0..<Int(120 / interval) {
                let local = PTPInstant(seconds: 1_000) + .seconds(Double(k) * interval)
                let out = servo.sample(offset: .nanoseconds(phase + noise.next() / 50), localTime: local, weight: 1)
                if let step = out.step { phase += step.nanosecondsDouble }
                phase += (25_000 + out.frequency.value) * interval
                result.append(out)
            }
            return result
        }
        let pi = outputs(.twoSamples)
        #expect(outputs(.regression) == pi)
        #expect(pi.contains { $0.state == .locked })
    }

    /// Software gains at one sample a second (a grandmaster's reference: gpsd's PPS through the kernel's
    /// stamps): pi.c's deadline (16 s) comes with the 17th sample, as the regression's spread does. The estimate
    /// there is the robust line's, so one pulse reported 700 µs late (seen from gpsd on a loaded machine) as that
    /// 17th sample moves neither the step nor the frequency. pi.c's two samples, on the same input, step on that
    /// pulse and learn a frequency 44 ppm off (700 µs over 16 s): the bounds below fail for them.
    @Test func aLatePulseAtPiDeadlineMovesNeitherTheStepNorTheFrequency() {
        func acquire(_ estimate: PIFirstEstimate) -> (phaseAfterStep: Double, frequency: Double) {
            var servo = PIServo(
                configuration: ServoConfiguration(timestamping: .software, piFirstEstimate: estimate), syncInterval: 1)
            var noise = SoftwareStampNoise(seed: 13)
            // The clock is 0.3 s ahead and runs 30 ppm fast; a pulse is reported 85–200 µs late, the 17th 700 µs.
            var phase = 3e8
            for k in 0..<17 {
                let late = k == 16 ? 700_000 : 85_000 + 115_000 * noise.unit()
                let out = servo.sample(
                    offset: .nanoseconds(phase + late), localTime: PTPInstant(seconds: 1_000 + Int64(k)), weight: 1)
                if let step = out.step {
                    phase += step.nanosecondsDouble
                    return (phase, -(out.frequency.value))
                }
                phase += (30_000 + out.frequency.value) * 1
            }
            return (.infinity, .infinity)
        }
        let fitted = acquire(.regression)
        let pi = acquire(.twoSamples)
        print(
            "late 17th pulse: after the step the clock is \(Int(fitted.phaseAfterStep)) ns off (pi.c: \(Int(pi.phaseAfterStep))), "
                + "frequency error \(Int(fitted.frequency - 30_000)) ppb (pi.c: \(Int(pi.frequency - 30_000)))")
        // The step removes the fitted offset: the clock is left at minus the mean lateness (−85…−200 µs).
        #expect(fitted.phaseAfterStep > -210_000 && fitted.phaseAfterStep < -75_000)
        #expect(abs(fitted.frequency - 30_000) < 5_000)
        #expect(!(pi.phaseAfterStep > -210_000 && pi.phaseAfterStep < -75_000))
        #expect(abs(pi.frequency - 30_000) > 20_000)
    }

    /// A drift file's frequency reaches the servo as its initial frequency (the daemon applies it to the
    /// clock and passes the clock's frequency, as ptp4l passes it to pi.c): the estimate measures the error
    /// left on top of it.
    @Test func estimateStartsFromTheInitialFrequency() {
        var run = ServoRun()
        run.adjustment = 39_900
        let result = run.run(Self.software, seconds: 30, seed: 8)
        #expect(result.samples.first?.state == .unlocked)
        #expect(ServoRun.timeToLock(result.samples).map { $0 <= 10 } == true)
        #expect(abs((result.servo.learnedFrequency?.value ?? 0) - 40_000) < 200)
    }

    /// hold() during the acquisition starts it over (its samples came at another frequency); reset() too.
    @Test func holdAndResetStartTheAcquisitionOver() {
        var servo = PIServo(configuration: Self.software, syncInterval: 0.0625)
        var noise = SoftwareStampNoise(seed: 9)
        var run = ServoRun()
        _ = run.run(&servo, seconds: 3, noise: &noise)
        #expect(servo.state == .unlocked)
        servo.hold(frequency: PartsPerBillion(40_000), at: PTPInstant(seconds: 1_003))
        run.adjustment = 40_000
        let after = run.run(&servo, seconds: 5, noise: &noise)
        // A fresh acquisition: 3.9 s of samples again before the estimate.
        #expect((after.first { $0.state != .unlocked }?.t ?? 0) > 3)
        servo.reset()
        #expect(servo.state == .unlocked && servo.learnedFrequency == nil)
    }

    /// Offsets and local times that make no sense (huge, backwards, repeated) never trap and never give a
    /// frequency beyond the limit.
    @Test func nonsenseNeverTraps() {
        var servo = PIServo(configuration: Self.software, clockMaximum: PartsPerBillion(500_000), syncInterval: 0.0625)
        var noise = SoftwareStampNoise(seed: 10)
        for k in 0..<2_000 {
            let wild = noise.unit()
            let offset: PTPDuration =
                wild < 0.1
                ? .seconds(Int64(1) << 40)
                : wild < 0.2
                    ? -.seconds(Int64(1) << 40)
                    : .nanoseconds(noise.next() * 1e6)
            let local = PTPInstant(seconds: 1_000) + .seconds(Double(k % 97) * 0.0625 * (wild < 0.5 ? 1 : -1))
            let out = servo.sample(offset: offset, localTime: local, weight: 1)
            #expect(abs(out.frequency.value) <= 500_000)
        }
    }
}

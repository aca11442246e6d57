import PTPCore
import PTPServo
import Testing

/// `learnedFrequency` is what a drift file keeps: the frequency that cancels the oscillator's error,
/// without the servo's answer to the last offset. On software stamps (±700 ns of noise at 16 Sync/s, the
/// lab's PI gains) the adjustment itself swings by thousands of ppb; the learned frequency must not.
@Suite struct LearnedFrequencyTests {
    /// A clock 40 ppm slow (it needs +40,000 ppb) and 20 µs behind, steered by `servo` at 16 samples a
    /// second for `seconds`, each offset measured with uniform noise of ±`noise` ns. Returns, for each
    /// sample of the last `window` seconds, the adjustment applied and the learned frequency.
    static func run<S: ClockServo>(_ servo: inout S, seconds: Double, window: Double, noise: Double)
        -> (applied: [Double], learned: [Double?], beforeLock: [Double?])
    {
        let interval = 0.0625
        var random = SplitMix64(seed: 2024)
        var phase = -20_000.0  // ns, local − master
        var local = PTPInstant(seconds: 1_000)
        var adjustment = 0.0
        var applied: [Double] = []
        var learned: [Double?] = []
        var beforeLock: [Double?] = []
        let samples = Int(seconds / interval)
        let firstKept = samples - Int(window / interval)
        for index in 0..<samples {
            let uniform = random.nextUnit() * 2 - 1
            if servo.state == .unlocked { beforeLock.append(servo.learnedFrequency?.value) }
            let out = servo.sample(offset: .nanoseconds(phase + noise * uniform), localTime: local, weight: 1)
            if let step = out.step { phase += step.nanosecondsDouble }
            adjustment = out.frequency.value
            if index >= firstKept {
                applied.append(adjustment)
                learned.append(servo.learnedFrequency?.value)
            }
            phase += (-40_000 + adjustment) * interval
            local = local + .seconds(interval)
        }
        return (applied, learned, beforeLock)
    }

    static func spread(_ values: [Double]) -> Double { (values.max() ?? 0) - (values.min() ?? 0) }

    @Test func piKeepsItsIntegralTermNotItsLastAnswer() {
        var servo = PIServo(
            configuration: ServoConfiguration(
                stepThreshold: .milliseconds(1), piProportionalScale: 0.7, piIntegralScale: 0.3, timestamping: .software),
            syncInterval: 0.0625)
        let result = Self.run(&servo, seconds: 60, window: 30, noise: 700)
        #expect(!result.beforeLock.isEmpty && result.beforeLock.allSatisfy { $0 == nil }, "an unlocked servo has learned nothing")
        let learned = result.learned.compactMap { $0 }
        #expect(learned.count == result.learned.count, "locked throughout the window")
        let mean = learned.reduce(0, +) / Double(max(1, learned.count))
        // The adjustment answers every noisy offset (kp ≈ 1.6: ±1,100 ppb); the integral moves ~0.1 × offset.
        #expect(Self.spread(result.applied) > 1_500, "applied spread \(Self.spread(result.applied))")
        #expect(
            Self.spread(learned) < Self.spread(result.applied) / 3,
            "learned spread \(Self.spread(learned)) vs applied \(Self.spread(result.applied))")
        #expect(abs(mean - 40_000) < 100, "learned mean \(mean)")
        #expect(learned.allSatisfy { abs($0 - 40_000) < 500 }, "learned range \(learned.min() ?? 0)…\(learned.max() ?? 0)")
    }

    @Test func linregKeepsItsFittedSlope() {
        var servo = LinearRegressionServo(syncInterval: 0.0625)
        let result = Self.run(&servo, seconds: 60, window: 30, noise: 700)
        #expect(!result.beforeLock.isEmpty && result.beforeLock.allSatisfy { $0 == nil })
        let learned = result.learned.compactMap { $0 }
        #expect(learned.count == result.learned.count)
        #expect(
            Self.spread(learned) < Self.spread(result.applied),
            "learned spread \(Self.spread(learned)) vs applied \(Self.spread(result.applied))")
        #expect(learned.allSatisfy { abs($0 - 40_000) < 500 }, "learned range \(learned.min() ?? 0)…\(learned.max() ?? 0)")
    }

    @Test func aResetForgetsWhatWasLearned() {
        var pi = PIServo(syncInterval: 0.0625)
        _ = Self.run(&pi, seconds: 10, window: 1, noise: 0)
        #expect(pi.learnedFrequency != nil)
        pi.reset()
        #expect(pi.learnedFrequency == nil)
        var selected = SelectedServo(.linreg, syncInterval: 0.0625)
        _ = Self.run(&selected, seconds: 10, window: 1, noise: 0)
        #expect(selected.learnedFrequency != nil)
        selected.reset()
        #expect(selected.learnedFrequency == nil)
    }
}

/// ``ClockServo/hold(frequency:at:)``: the servo carries on from the held frequency.
@Suite struct ServoHoldTests {
    @Test func piHoldsItsIntegralAndRestartsAnEstimateInProgress() {
        var pi = PIServo(syncInterval: 0.0625)
        _ = LearnedFrequencyTests.run(&pi, seconds: 10, window: 1, noise: 0)
        pi.hold(frequency: PartsPerBillion(39_000), at: PTPInstant(seconds: 2_000))
        #expect(pi.lastFrequency == PartsPerBillion(39_000) && pi.learnedFrequency == PartsPerBillion(39_000))
        #expect(pi.state == .locked)

        var fresh = PIServo(syncInterval: 0.0625)
        _ = fresh.sample(offset: .nanoseconds(Int64(1_000)), localTime: PTPInstant(seconds: 1), weight: 1)
        fresh.hold(frequency: PartsPerBillion(5_000), at: PTPInstant(seconds: 2))
        // The remembered first offset was measured at another frequency: the estimate starts over.
        let out = fresh.sample(offset: .nanoseconds(Int64(2_000)), localTime: PTPInstant(seconds: 3), weight: 1)
        #expect(out.state == .unlocked && out.frequency == PartsPerBillion(5_000))
    }

    /// linreg books the phase the old adjustment added up to the hold, so a clock that really ran on the
    /// held frequency afterwards still fits to its true frequency error.
    @Test func linregBooksThePhaseUpToTheHold() {
        var servo = LinearRegressionServo(syncInterval: 0.0625)
        var phase = 0.0
        var adjustment = 0.0
        var local = PTPInstant(seconds: 1_000)
        func follow(_ samples: Int) {
            for _ in 0..<samples {
                phase += (-40_000 + adjustment) * 0.0625
                local = local + .seconds(0.0625)
                let out = servo.sample(offset: .nanoseconds(phase), localTime: local, weight: 1)
                if let step = out.step { phase += step.nanosecondsDouble }
                adjustment = out.frequency.value
            }
        }
        follow(400)
        // 0.5 s on the old adjustment, then a hold at 41,000 ppb (1 ppm off) for 2 s, then Syncs again.
        phase += (-40_000 + adjustment) * 0.5
        local = local + .seconds(0.5)
        servo.hold(frequency: PartsPerBillion(41_000), at: local)
        adjustment = 41_000
        phase += (-40_000 + adjustment) * 2
        local = local + .seconds(2) - .seconds(0.0625)
        follow(64)
        #expect(abs((servo.learnedFrequency?.value ?? 0) - 40_000) < 20, "fit \(servo.learnedFrequency?.value ?? .nan)")
        #expect(abs(phase) < 100, "phase \(phase)")
    }
}

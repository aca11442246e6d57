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
        var seed: UInt64 = 2024
        var phase = -20_000.0  // ns, local − master
        var local = PTPInstant(seconds: 1_000)
        var adjustment = 0.0
        var applied: [Double] = []
        var learned: [Double?] = []
        var beforeLock: [Double?] = []
        let samples = Int(seconds / interval)
        let firstKept = samples - Int(window / interval)
        for index in 0..<samples {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(seed >> 11) * 0x1.0p-53 * 2 - 1
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
        #expect(Self.spread(learned) < Self.spread(result.applied) / 3, "learned spread \(Self.spread(learned)) vs applied \(Self.spread(result.applied))")
        #expect(abs(mean - 40_000) < 100, "learned mean \(mean)")
        #expect(learned.allSatisfy { abs($0 - 40_000) < 500 }, "learned range \(learned.min() ?? 0)…\(learned.max() ?? 0)")
    }

    @Test func linregKeepsItsFittedSlope() {
        var servo = LinearRegressionServo(syncInterval: 0.0625)
        let result = Self.run(&servo, seconds: 60, window: 30, noise: 700)
        #expect(!result.beforeLock.isEmpty && result.beforeLock.allSatisfy { $0 == nil })
        let learned = result.learned.compactMap { $0 }
        #expect(learned.count == result.learned.count)
        #expect(Self.spread(learned) < Self.spread(result.applied), "learned spread \(Self.spread(learned)) vs applied \(Self.spread(result.applied))")
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

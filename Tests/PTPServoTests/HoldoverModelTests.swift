import PTPCore
import PTPServo
import Testing

/// The holdover model against a modelled oscillator with a known frequency error and drift.
@Suite struct HoldoverModelTests {
    /// Seeded measurement noise.
    struct Noise {
        var random: SplitMix64
        init(state: UInt64) { random = SplitMix64(seed: state) }
        /// Approximately normal (Irwin–Hall of 12 uniforms), deviation `sigma`.
        mutating func gaussian(_ sigma: Double) -> Double {
            var sum = 0.0
            for _ in 0..<12 { sum += random.nextUnit() }
            return (sum - 6) * sigma
        }
    }

    /// An oscillator whose frequency error is f0 + d·t (ppb), free-running (no adjustment) while locked so the
    /// model sees the raw phase with white measurement noise; holdover then applies the model's frequency.
    /// Returns (predicted, true) time error after `holdoverSeconds`.
    func run(
        f0: Double, drift: Double, noise: Double, seed: UInt64, lockedSeconds: Int, holdoverSeconds: Int,
        configuration: HoldoverConfiguration = HoldoverConfiguration()
    ) -> (predicted: Double, truth: Double, model: HoldoverModel) {
        var model = HoldoverModel(configuration: configuration)
        var rng = Noise(state: seed)
        var phase = 200.0  // ns, clock − truth
        var adjustment = 0.0
        let t0 = PTPInstant(seconds: 1_000_000)
        for i in 0..<lockedSeconds {
            // A simple steering: after each sample, remove a tenth of the measured offset per second (so the
            // model sees adjustments it must undo).
            let t = Double(i)
            phase += (f0 + drift * t + adjustment)
            let measured = phase + rng.gaussian(noise)
            model.observe(offset: .nanoseconds(measured), at: t0 + .seconds(Int64(i)))
            adjustment = -(f0 + drift * t) - measured * 0.1
            model.frequencyChanged(to: PartsPerBillion(adjustment))
        }
        let start = t0 + .seconds(Int64(lockedSeconds - 1)) + .milliseconds(500)
        phase += (f0 + drift * Double(lockedSeconds - 1) + adjustment) * 0.5
        guard model.enterHoldover(at: start) != nil else {
            Issue.record("no holdover model after \(lockedSeconds) s of history (seed \(seed))")
            return (0, 0, model)
        }
        // Integrate in 0.1 s steps with the model's frequency (plus drift) applied.
        let steps = holdoverSeconds * 10
        for k in 0..<steps {
            let now = start + .milliseconds(Int64(k) * 100)
            let t = Double(lockedSeconds - 1) + 0.5 + Double(k) * 0.1
            phase += (f0 + drift * t + model.frequency(at: now).value) * 0.1
        }
        let predicted = model.predictedError(at: start + .seconds(Int64(holdoverSeconds)))?.nanosecondsDouble ?? -1
        return (predicted, abs(phase), model)
    }

    @Test func learnsFrequencyAndDrift() throws {
        let (_, _, model) = run(f0: 3_000, drift: 0.02, noise: 20, seed: 1, lockedSeconds: 300, holdoverSeconds: 1)
        let estimate = try #require(model.frozen)
        // The needed adjustment at the end of the window is −(f0 + d·299) = −3005.98 ppb; drift −0.02 ppb/s.
        #expect(abs(estimate.frequency.value + 3_005.98) < 4 * estimate.frequencyDeviation + 0.05)
        #expect(abs(estimate.drift + 0.02) < 4 * estimate.driftDeviation + 0.001)
        #expect(estimate.noiseDeviation > 15 && estimate.noiseDeviation < 25)
    }

    @Test func predictionIsWithinAFactorOfTwoOfTheTrueError() {
        var squaredTruth = 0.0
        var squaredPrediction = 0.0
        var within = 0
        for seed in UInt64(1)...12 {
            let (predicted, truth, _) = run(
                f0: 1_500, drift: 0.01, noise: 50, seed: seed, lockedSeconds: 300, holdoverSeconds: 300)
            squaredTruth += truth * truth
            squaredPrediction += predicted * predicted
            if predicted <= 2 * truth && predicted >= truth / 2 { within += 1 }
        }
        let rmsTruth = (squaredTruth / 12).squareRoot()
        let rmsPrediction = (squaredPrediction / 12).squareRoot()
        print(
            "holdover model, 300 s: RMS true \(Int(rmsTruth)) ns, RMS predicted \(Int(rmsPrediction)) ns, \(within)/12 runs within 2x"
        )
        #expect(rmsPrediction <= 2 * rmsTruth && rmsPrediction >= rmsTruth / 2)
        #expect(rmsTruth > 10, "the scenario must have a measurable error")
    }

    @Test func ignoringAKnownDriftShowsInThePrediction() {
        // Drift not extrapolated: the aging is counted as error, so the prediction grows like ½·d·t².
        let configuration = HoldoverConfiguration(extrapolateDrift: false)
        let (predicted, truth, _) = run(
            f0: 0, drift: 0.05, noise: 10, seed: 3, lockedSeconds: 300, holdoverSeconds: 600,
            configuration: configuration)
        print("drift ignored: predicted \(Int(predicted)) ns, true \(Int(truth)) ns after 600 s")
        // ½ · 0.05 ppb/s · (600 s)² = 9 µs, plus the line's lag of 0.05 · 150 s = 7.5 ppb over 600 s = 4.5 µs.
        #expect(truth > 11_000 && truth < 16_000)
        #expect(predicted >= truth / 2 && predicted <= truth * 2)
    }

    @Test func leavesSpecificationOnErrorOrTime() throws {
        var (_, _, model) = run(
            f0: 100, drift: 0, noise: 50, seed: 4, lockedSeconds: 300, holdoverSeconds: 1,
            configuration: HoldoverConfiguration(maxError: .nanoseconds(1_500), maxTime: .seconds(3_600)))
        let start = try #require(model.holdoverStart)
        #expect(model.isWithinSpecification(at: start + .seconds(10)))
        #expect(!model.isWithinSpecification(at: start + .seconds(3_601)), "holdover_max_time")
        // Find where the prediction crosses 1.5 µs; it must be inside the hour and monotonic.
        var crossing: Int?
        var last = 0.0
        for s in stride(from: 0, through: 3_600, by: 10) {
            let p = model.predictedError(at: start + .seconds(Int64(s)))?.nanosecondsDouble ?? 0
            #expect(p >= last)
            last = p
            if crossing == nil && p > 1_500 { crossing = s }
        }
        let crossed = try #require(crossing, "the prediction stayed within 1.5 µs for the hour (reached \(last) ns)")
        #expect(!model.isWithinSpecification(at: start + .seconds(Int64(crossed))))
        #expect(model.isWithinSpecification(at: start + .seconds(Int64(crossed - 10))))
        model.exitHoldover()
        // The history stays for the next holdover.
        #expect(model.sampleCount == 300 && model.holdoverStart == nil && model.estimate != nil)
        // Too little history: nothing to hold, never within specification.
        var fresh = HoldoverModel()
        fresh.observe(offset: .nanoseconds(10), at: PTPInstant(seconds: 1))
        #expect(fresh.enterHoldover(at: PTPInstant(seconds: 2)) == nil)
        #expect(!fresh.isWithinSpecification(at: PTPInstant(seconds: 3)))
    }
}

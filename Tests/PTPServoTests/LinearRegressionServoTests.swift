import Glibc
import PTPCore
import PTPServo
import Testing

/// The linear-regression servo against an ideal clock model: it must find the frequency error and
/// remove the phase, and it must step only when the thresholds say so.
@Suite struct LinearRegressionServoTests {
    /// A noiseless clock `ppb` fast and `offset` ahead, steered by `servo`, sampled every `interval` s.
    func run(
        _ servo: inout LinearRegressionServo, ppb: Double, offset: Double, interval: Double, samples: Int,
        noise: Double = 0
    ) -> (offsets: [Double], steps: Int) {
        var random = SplitMix64(seed: 12345)
        var phase = offset  // ns, local − master
        var local = PTPInstant(seconds: 500)
        var offsets: [Double] = []
        var steps = 0
        var adjustment = 0.0
        for _ in 0..<samples {
            let uniform = random.nextUnit() - 0.5
            let out = servo.sample(offset: .nanoseconds(phase + noise * uniform), localTime: local, weight: 1)
            if let step = out.step {
                phase += step.nanosecondsDouble
                steps += 1
            }
            adjustment = out.frequency.value
            offsets.append(phase)
            phase += (ppb + adjustment) * interval
            local = local + .seconds(interval)
        }
        return (offsets, steps)
    }

    /// `tsproc_mode filter_weight`/`raw_weight`: an offset the delay filter distrusts (weight 0.01) pulls the
    /// fitted frequency far less than the same offset at full weight (linreg.c's weighted regression). Eight
    /// samples of a perfect clock, the fifth 2 µs off: the frequency error it leaves, weighted, is at most a
    /// tenth of the unweighted one.
    @Test func aLowWeightOffsetPullsTheFitLess() {
        func frequency(outlierWeight: Double) -> Double {
            var servo = LinearRegressionServo(syncInterval: 1)
            var local = PTPInstant(seconds: 500)
            var output = 0.0
            for index in 0..<8 {
                let offset: PTPDuration = index == 4 ? .nanoseconds(Int64(2_000)) : .zero
                output = servo.sample(offset: offset, localTime: local, weight: index == 4 ? outlierWeight : 1).frequency.value
                local = local + .seconds(Int64(1))
            }
            return output
        }
        let full = abs(frequency(outlierWeight: 1))
        let weighed = abs(frequency(outlierWeight: 0.01))
        #expect(full > 10, "\(full)")
        #expect(weighed <= full / 10, "weighted \(weighed) ppb, unweighted \(full) ppb")
    }

    @Test func findsFrequencyAndConvergesWithoutStepForSmallOffset() {
        var servo = LinearRegressionServo(syncInterval: 1)
        let result = run(&servo, ppb: 5_000, offset: 2_000, interval: 1, samples: 80)
        #expect(result.steps == 0)
        #expect(servo.state == .locked)
        #expect(abs(result.offsets.last ?? .infinity) < 1)
        #expect(abs(servo.lastFrequency.value + 5_000) < 1)
    }

    @Test func stepsOnFirstLargeOffsetThenConverges() {
        var servo = LinearRegressionServo(syncInterval: 0.125)
        let result = run(&servo, ppb: -80_000, offset: 3e8, interval: 0.125, samples: 200)
        #expect(result.steps == 1)
        #expect(abs(result.offsets.last ?? .infinity) < 1)
        #expect(abs(servo.lastFrequency.value - 80_000) < 1)
    }

    /// With white measurement noise a longer regression predicts better, so the servo grows it; and the
    /// noise it lets through stays well below the noise it is given (±50 ns uniform).
    @Test func growsItsRegressionWithNoisyData() {
        var servo = LinearRegressionServo(syncInterval: 1)
        let result = run(&servo, ppb: 1_000, offset: 0, interval: 1, samples: 300, noise: 100)
        #expect(servo.size >= 16)
        let tail = result.offsets.suffix(100)
        let rms = (tail.reduce(0) { $0 + $1 * $1 } / Double(tail.count)).squareRoot()
        #expect(rms < 20)
    }

    @Test func stepThresholdInLockedStateResets() {
        var servo = LinearRegressionServo(configuration: ServoConfiguration(stepThreshold: .microseconds(10)), syncInterval: 1)
        _ = run(&servo, ppb: 0, offset: 0, interval: 1, samples: 10)
        let out = servo.sample(offset: .microseconds(50), localTime: PTPInstant(seconds: 600), weight: 1)
        #expect(out.state == .unlocked)
    }
}

@Suite struct MovingMedianTests {
    @Test func medianOfOddAndEvenCounts() {
        var filter = MovingMedian(length: 5)
        #expect(filter.median == nil)
        #expect(filter.add(.nanoseconds(Int64(10))) == .nanoseconds(Int64(10)))
        #expect(filter.add(.nanoseconds(Int64(30))) == .nanoseconds(Int64(20)))
        #expect(filter.add(.nanoseconds(Int64(20))) == .nanoseconds(Int64(20)))
        // An outlier does not move the median.
        #expect(filter.add(.nanoseconds(Int64(1_000_000))) == .nanoseconds(Int64(25)))
        #expect(filter.add(.nanoseconds(Int64(15))) == .nanoseconds(Int64(20)))
    }

    @Test func windowSlides() {
        var filter = MovingMedian(length: 3)
        for v in [100, 100, 100, 1, 1] as [Int64] {
            filter.add(.nanoseconds(v))
        }
        #expect(filter.median == .nanoseconds(Int64(1)))
        #expect(filter.count == 3)
        filter.reset()
        #expect(filter.median == nil)
    }
}

@Suite struct RealFunctionsTests {
    @Test func logExpPow() {
        #expect(abs(RealFunctions.log(1)) < 1e-15)
        #expect(abs(RealFunctions.log(2.718281828459045) - 1) < 1e-14)
        #expect(abs(RealFunctions.log(1e-9) + 20.72326583694641) < 1e-12)
        #expect(abs(RealFunctions.exp2(10) - 1024) < 1e-10)
        #expect(abs(RealFunctions.exp2(-0.5) - 0.7071067811865476) < 1e-15)
        #expect(abs(RealFunctions.pow(0.0625, -0.3) - 2.2973967099940698) < 1e-13)
        #expect(abs(RealFunctions.pow(16, 0.4) - 3.0314331330207964) < 1e-13)
        #expect(RealFunctions.log(-1).isNaN)
    }

    /// Against the C library's `log` over the whole range the Gaussian draws and the variance estimates use
    /// (10⁻³⁰⁰ … 10³⁰⁰, and densely in (0, 1], the ziggurat tail's argument): within 4 units in the last place.
    @Test func logMatchesTheCLibrary() {
        var random = SplitMix64(seed: 7)
        var worst = 0.0
        for i in 0..<200_000 {
            let x = i % 2 == 0 ? random.nextUnit() : Glibc.pow(10, 600 * random.nextUnit() - 300)
            guard x > 0 else { continue }
            let expected = Glibc.log(x)
            let error = abs(RealFunctions.log(x) - expected) / max(abs(expected), 1e-300)
            worst = max(worst, expected == 0 ? 0 : error / Double.ulpOfOne)
        }
        #expect(worst < 4, "worst error \(worst) ulp")
    }
}

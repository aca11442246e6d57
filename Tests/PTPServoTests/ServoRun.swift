import PTPCore
import PTPServo

/// Offsets as kernel software time stamps give them on a busy host: Gaussian-like noise within ±1 µs
/// (the sum of four uniform draws, σ ≈ 290 ns) plus, on 4 samples in 1,000, a scheduling spike of 10 to
/// 80 µs either way. Deterministic: SplitMix64 from `seed`.
struct SoftwareStampNoise {
    private var state: UInt64
    var spikeProbability = 0.004

    init(seed: UInt64) { state = seed }

    mutating func next() -> Double {
        var value = 0.0
        for _ in 0..<4 { value += (unit() - 0.5) * 500 }
        if unit() < spikeProbability {
            let spike = 10_000 + 70_000 * unit()
            value += unit() < 0.5 ? spike : -spike
        }
        return value
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1.0p-53
    }
}

/// A clock steered by a servo, sample by sample, as the daemon's clock discipline does it: the
/// outlier filter (`servo_outlier_filter`'s default window of 16) keeps spoiled samples from a locked
/// servo, a step moves the clock's phase and its local time, the returned frequency applies until the
/// next sample. The clock's true error is known, so "locked" can be judged on it rather than on the noisy
/// measurements.
struct ServoRun {
    struct Sample {
        var t: Double
        var state: ServoState
        /// The clock's true error after the sample (and its step), ns.
        var phase: Double
        var stepped: Bool
    }

    var interval = 0.0625
    /// The oscillator's own rate error, ppb: the servo must learn +40,000 for a clock 40 ppm slow.
    var oscillator = -40_000.0
    var outlierFilter = true
    /// The clock's error now, ns (local − master); 0.2 s at the start.
    var phase = 2e8
    /// The adjustment in force (at the start: a drift file's value), ppb.
    var adjustment = 0.0
    /// Samples taken so far; a later run carries on from here.
    private(set) var taken = 0
    private var filter = OutlierFilter()

    /// Runs `servo` for `seconds` more, the measurement noise from `noise` plus `extra(k)` on sample k
    /// (counted from the first run).
    mutating func run(
        _ servo: inout PIServo, seconds: Double, noise: inout SoftwareStampNoise,
        extra: (Int) -> Double = { _ in 0 }
    ) -> [Sample] {
        let start = PTPInstant(seconds: 1_000)
        var samples: [Sample] = []
        let count = Int(seconds / interval)
        samples.reserveCapacity(count)
        for k in taken..<(taken + count) {
            let t = Double(k) * interval
            let local = start + .seconds(t) + .nanoseconds(phase)
            let offset = PTPDuration.nanoseconds(phase + noise.next() + extra(k))
            var state = ServoState.locked
            var stepped = false
            if !(outlierFilter && servo.state == .locked && !filter.admit(offset)) {
                let out = servo.sample(offset: offset, localTime: local, weight: 1)
                if let step = out.step {
                    phase += step.nanosecondsDouble
                    filter.reset()
                    stepped = true
                }
                adjustment = out.frequency.value
                state = out.state
            }
            samples.append(Sample(t: t, state: state, phase: phase, stepped: stepped))
            phase += (oscillator + adjustment) * interval
        }
        taken += count
        return samples
    }

    /// A fresh servo with `configuration` (its initial frequency the adjustment in force), run for `seconds`.
    mutating func run(
        _ configuration: ServoConfiguration, seconds: Double, seed: UInt64,
        extra: (Int) -> Double = { _ in 0 }
    ) -> (servo: PIServo, samples: [Sample]) {
        var servo = PIServo(
            configuration: configuration, currentFrequency: PartsPerBillion(adjustment),
            syncInterval: interval)
        var noise = SoftwareStampNoise(seed: seed)
        let samples = run(&servo, seconds: seconds, noise: &noise, extra: extra)
        return (servo, samples)
    }

    /// The first time from which every sample is locked and within `bound` ns of the master; nil if never.
    static func timeToLock(_ samples: [Sample], within bound: Double = 1_000) -> Double? {
        guard let last = samples.lastIndex(where: { $0.state != .locked || abs($0.phase) >= bound }) else {
            return samples.first?.t
        }
        return last + 1 < samples.count ? samples[last + 1].t : nil
    }

    /// The `p` quantile (0…1) of |true error| over samples with `from` ≤ t < `to`.
    static func percentile(_ samples: [Sample], _ p: Double, from: Double, to: Double) -> Double {
        let values = samples.filter { $0.t >= from && $0.t < to }.map { abs($0.phase) }.sorted()
        guard !values.isEmpty else { return .infinity }
        return values[Int((p * Double(values.count - 1)).rounded())]
    }
}

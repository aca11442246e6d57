import PTPCore

/// The proportional-integral servo of linuxptp's `pi.c`, with ptp4l's gain rules and step policy.
///
/// Gains: with `pi_proportional_const` and `pi_integral_const` both set they are used as given (capped at
/// 1.0/interval and 2.0/interval for stability); otherwise kp = scale · interval^exponent capped at
/// norm_max/interval, and likewise ki, with scale 0.7/0.3 for hardware and 0.1/0.001 for software stamps.
///
/// Samples (pi.c `pi_sample`): the first is remembered; the first one at least 0.016/ki seconds later gives
/// the frequency estimate from the two offsets (corrected for the adjustment already applied) and may ask
/// for a step (`first_step_threshold`, `step_threshold`); every later one runs the PI law. An offset beyond
/// `step_threshold` in the locked state resets the servo, so the next two samples step.
///
/// Meridian's first estimate (``PIFirstEstimate/regression``, the default; issue 12): pi.c's wait is
/// 0.016/ki, 48 s with software stamps' gains at 16 Sync/s, so a slave sits in s0 for most of a minute and
/// every tier of boundary clocks below it after it. Here the samples of that wait are fitted with a robust
/// line (``OffsetRegression``), and the estimate is made as soon as the fit is good enough: when the
/// standing phase error its slope's standard error SE would leave under the proportional term (SE/kp, the
/// PI law's equilibrium for a frequency error) is at most ``regressionTolerance`` × the noise σ. As SE =
/// σ/√Σ(x−x̄)², that is Σ(x−x̄)² ≥ 1/(tolerance · kp)², whatever the noise: 3.9 s at 16 Sync/s with
/// software gains (at 1 Sync/s, 16 s: the sample pi.c takes too); later than pi.c with hardware gains, so
/// there pi.c's estimate comes first and nothing changes. pi.c's deadline holds in any case, and when it
/// comes with at least 8 samples in hand (software gains at 1 Sync/s: a grandmaster's pulses) the estimate
/// is the robust line through them, not pi.c's line through the first and the last: one late pulse as the
/// last would otherwise be stepped on and skew the frequency by its lateness over the interval. The step
/// thresholds apply to the fitted offset, and a step removes the fitted offset rather than the last
/// sample's (which may be a spike). The fit then goes on until pi.c's interval is up and its slope
/// replaces the integral term once (``FrequencyRefinement``), so the servo goes on from a frequency at
/// least as good as pi.c's. The gains, the step policy and the PI law are pi.c's.
public struct PIServo: ClockServo {
    // Stored properties in the order a sample reads them (a struct is laid out in declaration order, and in a
    // simulated zone of thousands of clocks each cache line of a servo a sample touches is a miss of its own):
    // the gains, state and pi.c internals first, the configuration (read whole only at start) last.
    public private(set) var kp: Double = 0
    public private(set) var ki: Double = 0
    public private(set) var state: ServoState = .unlocked
    public private(set) var lastFrequency: PartsPerBillion

    // pi.c internals, in its own sign convention (ppb that the clock applies negated).
    private var drift: Double
    private var count = 0
    private var offset0 = 0.0
    private var local0 = PTPInstant.epoch
    private var firstUpdate = true
    private var syncInterval = 1.0
    private let maxPPB: Double
    /// `configuration.stepThreshold` and `firstStepThreshold` in nanoseconds, read on every sample.
    private let stepNS: Double
    private let firstStepNS: Double
    /// The local time of the estimate's first sample; `local0` moves past it when the regression restarts.
    private var acquisitionStart = PTPInstant.epoch
    /// The frequency (ppb, positive faster) the clock ran on while the current estimate's samples came in.
    private var acquisitionFrequency: Double
    private let kpScale: Double
    private let kiScale: Double
    private let kpExponent: Double
    private let kiExponent: Double
    private let kpNormMax: Double
    private let kiNormMax: Double
    private var refinement: FrequencyRefinement?
    private var regression = OffsetRegression()
    /// Fixed at creation: ``stepNS`` and ``firstStepNS`` are taken from it once.
    public let configuration: ServoConfiguration

    /// The regression estimate is accepted once SE/kp ≤ this × σ (see the type's documentation).
    public static let regressionTolerance = 0.5

    /// A servo for a clock whose adjustment is now `currentFrequency` and whose limit is `clockMaximum`.
    public init(
        configuration: ServoConfiguration = .default, currentFrequency: PartsPerBillion = .zero,
        clockMaximum: PartsPerBillion = PartsPerBillion(900_000_000), syncInterval: Double = 1
    ) {
        self.configuration = configuration
        self.maxPPB = min(abs(configuration.maxFrequency.value), abs(clockMaximum.value))
        self.stepNS = configuration.stepThreshold.nanosecondsDouble
        self.firstStepNS = configuration.firstStepThreshold.nanosecondsDouble
        self.drift = -currentFrequency.value
        self.lastFrequency = currentFrequency
        self.acquisitionFrequency = currentFrequency.value
        if configuration.piProportionalConst != 0 && configuration.piIntegralConst != 0 {
            kpScale = configuration.piProportionalConst
            kiScale = configuration.piIntegralConst
            kpExponent = 0
            kiExponent = 0
            kpNormMax = 1.0
            kiNormMax = 2.0
        } else {
            let software = configuration.timestamping == .software
            let useDefaults = configuration.piProportionalScale == 0 || configuration.piIntegralScale == 0
            kpScale = useDefaults ? (software ? 0.1 : 0.7) : configuration.piProportionalScale
            kiScale = useDefaults ? (software ? 0.001 : 0.3) : configuration.piIntegralScale
            kpExponent = configuration.piProportionalExponent
            kiExponent = configuration.piIntegralExponent
            kpNormMax = configuration.piProportionalNormMax
            kiNormMax = configuration.piIntegralNormMax
        }
        setSyncInterval(syncInterval)
    }

    /// The integral term (pi.c's `drift`), once the servo has estimated the frequency (locked, or about to
    /// step after the estimate).
    public var learnedFrequency: PartsPerBillion? {
        state == .unlocked ? nil : PartsPerBillion(-drift)
    }

    /// The integral term becomes `frequency`; an estimate in progress (one sample remembered) starts over,
    /// since its first offset was measured while the clock ran on another frequency.
    public mutating func hold(frequency: PartsPerBillion, at localTime: PTPInstant) {
        lastFrequency = frequency
        drift = -frequency.value
        refinement = nil
        if state == .unlocked { count = 0 }
    }

    /// pi.c `pi_sync_interval`.
    public mutating func setSyncInterval(_ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        syncInterval = seconds
        kp = min(kpScale * RealFunctions.pow(seconds, kpExponent), kpNormMax / seconds)
        ki = min(kiScale * RealFunctions.pow(seconds, kiExponent), kiNormMax / seconds)
    }

    public mutating func reset() {
        count = 0
        refinement = nil
        state = .unlocked
    }

    public mutating func restartAcquisition() {
        let learned = learnedFrequency
        reset()
        firstUpdate = true
        // Acquire on the frequency learned (the integral term), not on the last output, whose proportional part
        // may be slewing at the clock's limit toward the time followed before: the acquisition's samples then
        // come from a clock on its best known rate, and nothing coasts at 500 ppm for seconds.
        if let learned { lastFrequency = learned }
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        let offsetNS = offset.nanosecondsDouble
        let magnitude = abs(offsetNS)
        var ppb = -lastFrequency.value
        var output = ServoOutput(state: .unlocked, frequency: lastFrequency)

        switch count {
        case 0:
            offset0 = offsetNS
            local0 = localTime
            acquisitionStart = localTime
            count = 1
            acquisitionFrequency = lastFrequency.value
            regression.reset()
            refinement = nil
            if configuration.piFirstEstimate == .regression { regression.append(x: 0, y: 0) }
            output.state = .unlocked
        case 1:
            let elapsed = (localTime - local0).nanosecondsDouble
            let sinceFirst = (localTime - acquisitionStart).nanosecondsDouble
            guard elapsed > 0, sinceFirst > 0 else {
                // The first sample must be older than the second.
                count = 0
                output.state = .unlocked
                break
            }
            // pi.c waits 0.016/ki seconds (at most 1000 s), with a 0.1 % margin on the elapsed time; that
            // deadline holds whatever the regression did (a restart only moves the first of the two samples).
            let estimationInterval = min(1000, 0.016 / ki)
            let deadline = sinceFirst / 1e9 * (1 + 0.001) >= estimationInterval
            let fit: OffsetRegression.Fit? =
                configuration.piFirstEstimate != .regression
                ? nil
                : deadline
                    ? deadlineFit(seconds: elapsed / 1e9, offset: offsetNS - offset0)
                    : regressionEstimate(seconds: elapsed / 1e9, offset: offsetNS - offset0)
            if let fit {
                // The slope is the rate error on a clock running on acquisitionFrequency (pi.c's drift formula).
                let base = -acquisitionFrequency
                drift = max(-maxPPB, min(maxPPB, base + (1e9 - base) * fit.slope / 1e9))
                let fitted = offset0 + fit.value(at: elapsed / 1e9)
                let firstStep = firstUpdate && firstStepNS > 0 && abs(fitted) > firstStepNS
                let laterStep = stepNS > 0 && abs(fitted) > stepNS
                var left = fitted
                if firstStep || laterStep {
                    output.state = .jump
                    output.step = .nanoseconds(-fitted)
                    left = 0
                } else {
                    output.state = .locked
                }
                // At pi.c's deadline the fit already spans its interval: nothing is left to refine.
                refinement =
                    deadline
                    ? nil
                    : FrequencyRefinement(
                        acquisition: fit, baseFrequency: acquisitionFrequency, elapsedAtLock: elapsed / 1e9,
                        expectedFirst: left)
                ppb = drift
                count = 2
            } else if deadline {
                // pi.c's own estimate, from the first and this sample: the offset changed by (rate error) ×
                // elapsed, measured on a clock already adjusted by drift.
                drift += (1e9 - drift) * (offsetNS - offset0) / elapsed
                drift = max(-maxPPB, min(maxPPB, drift))
                let firstStep = firstUpdate && firstStepNS > 0 && magnitude > firstStepNS
                let laterStep = stepNS > 0 && magnitude > stepNS
                if firstStep || laterStep {
                    output.state = .jump
                    output.step = -offset
                } else {
                    output.state = .locked
                }
                ppb = drift
                count = 2
            } else {
                output.state = .unlocked
            }
        default:
            if stepNS > 0 && magnitude > stepNS {
                // Too far off to steer: start over, and step once two new samples are in.
                count = 0
                refinement = nil
                output.state = .unlocked
                break
            }
            if refinement != nil { refine(offset: offsetNS, localTime: localTime) }
            let kiTerm = ki * offsetNS * weight
            ppb = kp * offsetNS * weight + drift + kiTerm
            if ppb < -maxPPB {
                ppb = -maxPPB
            } else if ppb > maxPPB {
                ppb = maxPPB
            } else {
                drift += kiTerm  // anti-windup: integrate only while not saturated
            }
            output.state = .locked
        }
        if output.state != .unlocked {
            firstUpdate = false
        }
        state = output.state
        lastFrequency = PartsPerBillion(-ppb)
        output.frequency = lastFrequency
        return output
    }

    /// Adds a sample to the acquisition's fit; the fit once it supports an estimate: Σ(x−x̄)² ≥
    /// 1/(tolerance · kp)², and a line that explains the samples (``OffsetRegression/estimate(requiredSpread:)``).
    /// When the samples changed course the acquisition restarts from the change, pi.c's first sample too.
    private mutating func regressionEstimate(seconds: Double, offset: Double) -> OffsetRegression.Fit? {
        regression.append(x: seconds, y: offset)
        let required = 1 / ((Self.regressionTolerance * kp) * (Self.regressionTolerance * kp))
        guard kp > 0, required.isFinite else { return nil }
        switch regression.estimate(requiredSpread: required) {
        case .wait:
            return nil
        case .fit(let fit):
            return fit
        case .restarted(let x, let y):
            local0 = local0 + .seconds(x)
            offset0 += y
            return nil
        }
    }

    /// The fit at pi.c's deadline: this sample added, the robust line through whatever points the acquisition
    /// holds (no spread or linearity required: pi.c would draw its line through two of them), or nil with fewer
    /// than ``OffsetRegression/minimumPoints`` (hardware gains reach the deadline within a few samples), when
    /// pi.c's two samples decide.
    private mutating func deadlineFit(seconds: Double, offset: Double) -> OffsetRegression.Fit? {
        regression.append(x: seconds, y: offset)
        return regression.fit()
    }

    /// Feeds a locked sample to the refinement; once pi.c's estimation interval has passed since the first
    /// sample, the refined slope replaces the integral term and the refinement ends.
    private mutating func refine(offset: Double, localTime: PTPInstant) {
        guard var refining = refinement else { return }
        guard refining.add(offset: offset, localTime: localTime, frequency: lastFrequency.value) else {
            refinement = nil
            return
        }
        // The segment's first point came one interval after the lock.
        let elapsed = refining.elapsedAtLock + syncInterval + refining.span
        guard elapsed * (1 + 0.001) >= min(1000, 0.016 / ki) else {
            refinement = refining
            return
        }
        if let slope = refining.slope {
            let base = -refining.baseFrequency
            drift = max(-maxPPB, min(maxPPB, base + (1e9 - base) * slope / 1e9))
        }
        refinement = nil
    }
}

import PTPCore

/// The proportional-integral servo of linuxptp's `pi.c`, with ptp4l's gain rules and step policy.
///
/// Gains: with `pi_proportional_const` and `pi_integral_const` both set they are used as given (capped at
/// 1.0/interval and 2.0/interval for stability); otherwise kp = scale · interval^exponent capped at
/// norm_max/interval, and likewise ki, with scale 0.7/0.3 for hardware and 0.1/0.001 for software stamps.
///
/// Samples: the first is remembered; the first one at least 0.016/ki seconds later gives the frequency
/// estimate from the two offsets (corrected for the adjustment already applied) and may ask for a step (`first_step_threshold`, `step_threshold`); every later one runs the PI law. An
/// offset beyond `step_threshold` in the locked state resets the servo, so the next two samples step.
public struct PIServo: ClockServo {
    public private(set) var configuration: ServoConfiguration
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
    private let maxPPB: Double
    private let kpScale: Double
    private let kiScale: Double
    private let kpExponent: Double
    private let kiExponent: Double
    private let kpNormMax: Double
    private let kiNormMax: Double

    /// A servo for a clock whose adjustment is now `currentFrequency` and whose limit is `clockMaximum`.
    public init(
        configuration: ServoConfiguration = .default, currentFrequency: PartsPerBillion = .zero,
        clockMaximum: PartsPerBillion = PartsPerBillion(900_000_000), syncInterval: Double = 1
    ) {
        self.configuration = configuration
        self.maxPPB = min(abs(configuration.maxFrequency.value), abs(clockMaximum.value))
        self.drift = -currentFrequency.value
        self.lastFrequency = currentFrequency
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
        if state == .unlocked { count = 0 }
    }

    /// pi.c `pi_sync_interval`.
    public mutating func setSyncInterval(_ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        kp = min(kpScale * RealFunctions.pow(seconds, kpExponent), kpNormMax / seconds)
        ki = min(kiScale * RealFunctions.pow(seconds, kiExponent), kiNormMax / seconds)
    }

    public mutating func reset() {
        count = 0
        state = .unlocked
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        let offsetNS = offset.nanosecondsDoubleFast
        let magnitude = abs(offsetNS)
        let stepNS = configuration.stepThreshold.nanosecondsDoubleFast
        let firstStepNS = configuration.firstStepThreshold.nanosecondsDoubleFast
        var ppb = -lastFrequency.value
        var output = ServoOutput(state: .unlocked, frequency: lastFrequency)

        switch count {
        case 0:
            offset0 = offsetNS
            local0 = localTime
            count = 1
            output.state = .unlocked
        case 1:
            let elapsed = (localTime - local0).nanosecondsDoubleFast
            guard elapsed > 0 else {
                // The first sample must be older than the second.
                count = 0
                output.state = .unlocked
                break
            }
            // Wait long enough before estimating the frequency: 0.016/ki seconds (at most 1000 s),
            // with pi.c's 0.1 % margin on the elapsed time.
            let estimationInterval = min(1000, 0.016 / ki)
            guard elapsed / 1e9 * (1 + 0.001) >= estimationInterval else {
                output.state = .unlocked
                break
            }
            // The offset changed by (rate error) × elapsed, measured on a clock already adjusted by drift.
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
        default:
            if stepNS > 0 && magnitude > stepNS {
                // Too far off to steer: start over, and step once two new samples are in.
                count = 0
                output.state = .unlocked
                break
            }
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
}

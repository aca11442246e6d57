import PTPCore

/// The servo options of ptp4l(8), with its defaults.
public struct ServoConfiguration: Sendable, Hashable {
    /// `step_threshold`: step whenever |offset| exceeds this; zero means never step after the first update.
    public var stepThreshold: PTPDuration
    /// `first_step_threshold`: on the first update, step if |offset| exceeds this (default 20 µs);
    /// zero disables the first step.
    public var firstStepThreshold: PTPDuration
    /// `max_frequency`: the largest adjustment the servo asks for; the clock's own limit applies too.
    public var maxFrequency: PartsPerBillion
    /// `pi_proportional_const`, `pi_integral_const`: fixed gains; zero means "derive from the scale".
    public var piProportionalConst: Double
    public var piIntegralConst: Double
    /// `pi_proportional_scale`, `pi_integral_scale`: zero means the default for the time stamping mode
    /// (0.7 and 0.3 for hardware, 0.1 and 0.001 for software, as in linuxptp's pi.c).
    public var piProportionalScale: Double
    public var piProportionalExponent: Double
    public var piProportionalNormMax: Double
    public var piIntegralScale: Double
    public var piIntegralExponent: Double
    public var piIntegralNormMax: Double
    public var timestamping: TimestampingMode
    /// How the PI servo makes its first frequency estimate (Meridian's; ptp4l has no such option and
    /// behaves as ``PIFirstEstimate/twoSamples``). The default, ``PIFirstEstimate/regression``, estimates as
    /// soon as a robust fit over the samples supports it, and never later than ptp4l would.
    public var piFirstEstimate: PIFirstEstimate

    public init(
        stepThreshold: PTPDuration = .zero, firstStepThreshold: PTPDuration = .microseconds(20),
        maxFrequency: PartsPerBillion = PartsPerBillion(900_000_000),
        piProportionalConst: Double = 0, piIntegralConst: Double = 0,
        piProportionalScale: Double = 0, piProportionalExponent: Double = -0.3, piProportionalNormMax: Double = 0.7,
        piIntegralScale: Double = 0, piIntegralExponent: Double = 0.4, piIntegralNormMax: Double = 0.3,
        timestamping: TimestampingMode = .hardware, piFirstEstimate: PIFirstEstimate = .regression
    ) {
        self.stepThreshold = stepThreshold
        self.firstStepThreshold = firstStepThreshold
        self.maxFrequency = maxFrequency
        self.piProportionalConst = piProportionalConst
        self.piIntegralConst = piIntegralConst
        self.piProportionalScale = piProportionalScale
        self.piProportionalExponent = piProportionalExponent
        self.piProportionalNormMax = piProportionalNormMax
        self.piIntegralScale = piIntegralScale
        self.piIntegralExponent = piIntegralExponent
        self.piIntegralNormMax = piIntegralNormMax
        self.timestamping = timestamping
        self.piFirstEstimate = piFirstEstimate
    }

    public static let `default` = ServoConfiguration()
}

/// How ``PIServo`` makes its first frequency estimate, the one that ends `s0`.
public enum PIFirstEstimate: Sendable, Hashable {
    /// linuxptp's `pi.c`: from two samples at least 0.016/ki seconds apart. With software time stamps'
    /// default gains that is 48 s at 16 Sync/s, and about 16 s at 1 Sync/s.
    case twoSamples
    /// A robust least-squares line through the samples, accepted once its standard error is small next
    /// to the noise (``PIServo`` says how small), or pi.c's two-sample estimate if that comes first; the
    /// fit then goes on until pi.c's own 0.016/ki seconds are up and replaces the integral term once.
    case regression
}

import PTPCore

/// The holdover budget and how the model learns the oscillator (`holdover_max_error`, `holdover_max_time`).
public struct HoldoverConfiguration: Sendable, Hashable {
    /// `holdover_max_error`: holdover is "within specification" until the predicted time error crosses this
    /// (default 1.5 µs, the ITU-T G.8272 PRTC-A budget G.8275.1 clock class 7 refers to).
    public var maxError: PTPDuration
    /// `holdover_max_time`: holdover also ends being within specification after this long; nil = no limit.
    public var maxTime: PTPDuration?
    /// Locked samples the model fits (at 1 PPS, seconds of history).
    public var window: Int
    /// Locked samples needed before the model predicts anything.
    public var minimumSamples: Int
    /// Whether a frequency drift (aging) found significant (beyond 3 standard errors) is extrapolated.
    public var extrapolateDrift: Bool
    /// Random-walk frequency noise of the oscillator, ns²/s³ (the q of q·t³/3), when it is known from the
    /// oscillator's data sheet; zero leaves it out of the prediction.
    public var randomWalkNoise: Double

    public init(
        maxError: PTPDuration = .nanoseconds(1_500), maxTime: PTPDuration? = nil, window: Int = 300,
        minimumSamples: Int = 16, extrapolateDrift: Bool = true, randomWalkNoise: Double = 0
    ) {
        self.maxError = maxError
        self.maxTime = maxTime
        self.window = max(4, window)
        self.minimumSamples = max(4, min(minimumSamples, self.window))
        self.extrapolateDrift = extrapolateDrift
        self.randomWalkNoise = max(0, randomWalkNoise)
    }
}

/// What the model learned about the oscillator while locked, frozen when holdover starts.
public struct HoldoverEstimate: Sendable, Hashable {
    /// The adjustment that cancels the oscillator's frequency error at the time of the estimate.
    public var frequency: PartsPerBillion
    /// How the needed adjustment changes per second (the negated aging), ppb/s; zero when not significant.
    public var drift: Double
    /// The clock's phase error (local − reference) at the time of the estimate, per the fit, ns.
    public var phase: Double
    /// Standard errors of ``phase`` (ns), ``frequency`` (ppb) and ``drift`` (ppb/s).
    public var phaseDeviation: Double
    public var frequencyDeviation: Double
    public var driftDeviation: Double
    /// Spread of the reference offsets around the fit (ns): the measurement noise.
    public var noiseDeviation: Double
    public var samples: Int

    public init(
        frequency: PartsPerBillion, drift: Double, phase: Double, phaseDeviation: Double,
        frequencyDeviation: Double, driftDeviation: Double, noiseDeviation: Double, samples: Int
    ) {
        self.frequency = frequency
        self.drift = drift
        self.phase = phase
        self.phaseDeviation = phaseDeviation
        self.frequencyDeviation = frequencyDeviation
        self.driftDeviation = driftDeviation
        self.noiseDeviation = noiseDeviation
        self.samples = samples
    }
}

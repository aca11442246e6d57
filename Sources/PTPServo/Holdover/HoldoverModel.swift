import PTPCore

/// Holdover as a model, not a timer (ITU-T G.8273.2 / G.8275.1 holdover; clockClass 7 in IEEE 1588-2019
/// 7.6.2.5 table 4).
///
/// While the clock is locked the model records every reference offset together with the frequency the
/// clock ran at, and so knows the oscillator's *free-running* phase: measured offset minus the phase its own
/// adjustments added (the idea of linuxptp's linreg.c). A parabola (or a line when no drift is significant)
/// fitted over the last ``HoldoverConfiguration/window`` points gives the oscillator's frequency error, its
/// drift and the clock's phase now, each with its standard error.
///
/// In holdover the clock keeps ``frequency(at:)``: the last good frequency plus the drift, and the model
/// predicts the time error as it grows:
///
///     TE(t)² = (φ₀² + σφ²) + (σf·t)² + (½·σd·t²)² + q·t³/3  (+ (½·d·t²)² when drift is not extrapolated)
///
/// with φ₀ the phase error at entry, σφ, σf, σd the standard errors of phase, frequency and drift, and q the
/// oscillator's random-walk frequency noise when known. Holdover leaves "within specification" when TE(t)
/// crosses `holdover_max_error` or after `holdover_max_time`.
public struct HoldoverModel: Sendable {
    public let configuration: HoldoverConfiguration
    /// Seconds since ``origin`` and free-running phase (ns) of the locked samples, oldest first.
    private var xs: [Double] = []
    private var ys: [Double] = []
    private var origin: PTPInstant?
    /// The time of the last sample.
    private var lastTime: PTPInstant?
    /// Until when ``appliedPhase`` has been summed.
    private var accountedUntil: PTPInstant?
    /// Phase (ns) the clock's adjustments added since ``origin``, up to ``accountedUntil``.
    private var appliedPhase = 0.0
    /// ``appliedPhase`` at the last sample (plus any step right after it).
    private var appliedAtLastSample = 0.0
    private var frequencyInForce = PartsPerBillion.zero
    /// Set while in holdover: the estimate and when holdover began.
    public private(set) var holdoverStart: PTPInstant?
    public private(set) var frozen: HoldoverEstimate?

    public init(configuration: HoldoverConfiguration = HoldoverConfiguration()) {
        self.configuration = configuration
    }

    /// Locked samples held.
    public var sampleCount: Int { xs.count }

    /// Records a locked sample: `offset` is local − reference at `time` (the clock's reading of the edge),
    /// measured while the clock ran at `frequencyInForce` since the previous sample (the adjustment set after
    /// the previous sample). Then the caller applies its servo and tells the new frequency through
    /// ``frequencyChanged(to:)``.
    public mutating func observe(offset: PTPDuration, at time: PTPInstant) {
        guard holdoverStart == nil else { return }
        if origin == nil { origin = time }
        if let lastTime, time <= lastTime { return }
        account(to: time)
        lastTime = time
        appliedAtLastSample = appliedPhase
        guard let origin else { return }
        xs.append((time - origin).secondsDouble)
        ys.append(offset.nanosecondsDouble - appliedPhase)
        if xs.count > configuration.window {
            xs.removeFirst(xs.count - configuration.window)
            ys.removeFirst(ys.count - configuration.window)
        }
    }

    /// The clock's adjustment from `time` on (absolute, as ``ServoOutput/frequency``); without a time, from
    /// the last sample on (a servo's answer to that sample).
    public mutating func frequencyChanged(to frequency: PartsPerBillion, at time: PTPInstant? = nil) {
        if let time { account(to: time) }
        frequencyInForce = frequency
    }

    /// The clock was stepped by `step` (positive forward) right after the last sample (or, in holdover, now).
    public mutating func stepped(by step: PTPDuration) {
        appliedPhase += step.nanosecondsDouble
        appliedAtLastSample += step.nanosecondsDouble
    }

    /// Adds the phase the frequency in force gained up to `time`.
    private mutating func account(to time: PTPInstant) {
        if let from = accountedUntil {
            let dt = (time - from).secondsDouble
            guard dt > 0 else { return }
            appliedPhase += frequencyInForce.value * dt
        }
        accountedUntil = time
    }

    /// Forgets the locked history (the oscillator or the reference changed beyond recognition).
    public mutating func reset() {
        xs.removeAll(keepingCapacity: true)
        ys.removeAll(keepingCapacity: true)
        origin = nil
        lastTime = nil
        accountedUntil = nil
        appliedPhase = 0
        appliedAtLastSample = 0
        holdoverStart = nil
        frozen = nil
    }

    /// What the model would hold if holdover started after the last sample; nil with too few samples.
    public var estimate: HoldoverEstimate? {
        guard xs.count >= configuration.minimumSamples, let xEnd = xs.last,
            let line = PolynomialFit.fit(x: xs, y: ys, degree: 1)
        else { return nil }
        var chosen = line
        var drift = 0.0
        var driftDeviation = 0.0
        if let parabola = PolynomialFit.fit(x: xs, y: ys, degree: 2) {
            let curvature = 2 * parabola.c  // ns/s² = ppb/s of free-running frequency change
            driftDeviation = parabola.curvatureDeviation
            if configuration.extrapolateDrift && abs(curvature) > 3 * driftDeviation {
                chosen = parabola
                drift = -curvature
            } else if !configuration.extrapolateDrift {
                drift = 0
                driftDeviation = abs(curvature)  // the known but uncorrected aging counts as error
            }
        }
        // The free-running phase grows at the oscillator's error; the clock must run at its negation.
        let freeRunningSlope = chosen.slope(at: xEnd)
        var frequencyDeviation = chosen.slopeDeviation(at: xEnd)
        if drift == 0, let parabola = PolynomialFit.fit(x: xs, y: ys, degree: 2) {
            // A line's slope is the window's mean frequency: behind the end by the curvature × half the window.
            let lag = 2 * parabola.c * (xEnd - chosen.centre)
            frequencyDeviation = (frequencyDeviation * frequencyDeviation + lag * lag).squareRoot()
        }
        let phase = chosen.value(at: xEnd) + appliedAtLastSample
        return HoldoverEstimate(
            frequency: PartsPerBillion(-freeRunningSlope), drift: drift, phase: phase,
            phaseDeviation: chosen.valueDeviation(at: xEnd), frequencyDeviation: frequencyDeviation,
            driftDeviation: driftDeviation, noiseDeviation: chosen.residualDeviation, samples: chosen.count)
    }

    /// Starts holdover at `time`; returns the frequency to hold from now on, nil when the model knows too
    /// little (the caller then keeps the frequency in force).
    @discardableResult
    public mutating func enterHoldover(at time: PTPInstant) -> PartsPerBillion? {
        guard holdoverStart == nil else { return frozen.map { _ in frequency(at: time) } }
        holdoverStart = time
        if var estimate, let lastTime {
            // Since the last sample the clock ran at whatever was set (the servo's last answer, a bridge), not
            // the model's frequency: carry the phase it gained to now.
            let dt = max(0, (time - lastTime).secondsDouble)
            account(to: time)
            estimate.phase += (appliedPhase - appliedAtLastSample) - estimate.frequency.value * dt
            estimate.phaseDeviation =
                (estimate.phaseDeviation * estimate.phaseDeviation
                + estimate.frequencyDeviation * dt * estimate.frequencyDeviation * dt).squareRoot()
            frozen = estimate
        } else {
            frozen = nil
        }
        return frozen?.frequency
    }

    /// Leaves holdover. The locked history stays: every frequency change and step during holdover and
    /// reacquisition was reported (``frequencyChanged(to:at:)``, ``stepped(by:)``), so the free-running phase
    /// of new samples continues that of the old ones and the next holdover has a model at once.
    public mutating func exitHoldover() {
        holdoverStart = nil
        frozen = nil
    }

    /// The frequency to hold at `time` in holdover: the last good frequency plus the drift since.
    public func frequency(at time: PTPInstant) -> PartsPerBillion {
        guard let start = holdoverStart, let frozen else { return frequencyInForce }
        let elapsed = max(0, (time - start).secondsDouble)
        return PartsPerBillion(frozen.frequency.value + frozen.drift * elapsed)
    }

    /// The predicted magnitude of the time error `elapsed` after holdover began, from `estimate`.
    public func predictedError(after elapsed: PTPDuration, from estimate: HoldoverEstimate) -> PTPDuration {
        let t = max(0, elapsed.secondsDouble)
        let half = 0.5 * t * t
        var variance = estimate.phase * estimate.phase + estimate.phaseDeviation * estimate.phaseDeviation
        variance += (estimate.frequencyDeviation * t) * (estimate.frequencyDeviation * t)
        variance += (estimate.driftDeviation * half) * (estimate.driftDeviation * half)
        variance += configuration.randomWalkNoise * t * t * t / 3
        return .nanoseconds(variance.squareRoot())
    }

    /// The predicted time error at `time` in holdover; nil when not in holdover or nothing was learned.
    public func predictedError(at time: PTPInstant) -> PTPDuration? {
        guard let start = holdoverStart, let frozen else { return nil }
        return predictedError(after: time - start, from: frozen)
    }

    /// Whether holdover at `time` is still within specification: the prediction below `holdover_max_error`
    /// and the time below `holdover_max_time`. False when the model learned nothing before holdover.
    public func isWithinSpecification(at time: PTPInstant) -> Bool {
        guard let start = holdoverStart, let predicted = predictedError(at: time) else { return false }
        if let maxTime = configuration.maxTime, time - start > maxTime { return false }
        return predicted <= configuration.maxError
    }
}

import PTPCore

/// The second half of ``PIServo``'s regression estimate (``PIFirstEstimate/regression``): after the early
/// lock, the fit goes on until pi.c's own estimation interval (0.016/ki from the first sample) is up, and
/// its slope then replaces the integral term once — so from there on the servo holds a frequency learned
/// over the span ptp4l waits for, from every sample rather than two of them.
///
/// While locked the clock's frequency moves with every sample, so the fit runs on *free-running* offsets:
/// the measured offset minus the phase the servo's own adjustments added since the lock (their excess over
/// the frequency the acquisition ran on, times the time they were in force), which for an oscillator of
/// constant rate is again a straight line of the acquisition's slope. Those points keep their own mean:
/// the slope is pooled from the acquisition's and this segment's deviations from their own means
/// (Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², summed over both), so neither the step at the lock nor a local clock that
/// jumped with it moves it. Running sums only (Welford's updates), so any span fits in constant memory.
///
/// A point further than ``gateFactor`` × the acquisition's residual standard deviation (at least
/// ``gateFloor``) from the line so far is left out (the scheduling spikes again); more than
/// ``maximumConsecutiveRejections`` in a row mean the line no longer describes the clock (another master,
/// a clock someone else adjusted) and the refinement is abandoned: the servo keeps its integral term.
struct FrequencyRefinement: Sendable {
    static let gateFactor = 5.0
    static let gateFloor = 100.0  // ns
    static let maximumConsecutiveRejections = 8
    /// Until this many points are in, the gate predicts from the acquisition's line alone.
    static let anchorPoints = 8

    /// The frequency (ppb, positive faster) the clock ran on during the acquisition.
    let baseFrequency: Double
    /// Seconds from the first sample to the one that locked.
    let elapsedAtLock: Double
    private let acquisitionSpread: Double
    private let acquisitionCovariance: Double
    private let acquisitionSlope: Double
    /// The offset expected at the first point, ns: the fitted offset at the lock, less what the step removed.
    private let expectedFirst: Double
    private let gate: Double

    private var origin: PTPInstant?
    private var previous = PTPInstant.epoch
    /// ns the servo's adjustments added beyond `baseFrequency` since `origin`.
    private var appliedPhase = 0.0
    private var points = 0
    private var meanX = 0.0
    private var meanY = 0.0
    private var spread = 0.0
    private var covariance = 0.0
    private var rejections = 0
    /// Seconds from the first point to the last.
    private(set) var span = 0.0

    init(acquisition: OffsetRegression.Fit, baseFrequency: Double, elapsedAtLock: Double, expectedFirst: Double) {
        self.baseFrequency = baseFrequency
        self.elapsedAtLock = elapsedAtLock
        acquisitionSpread = acquisition.spread
        acquisitionCovariance = acquisition.covariance
        acquisitionSlope = acquisition.slope
        self.expectedFirst = expectedFirst
        gate = max(Self.gateFactor * acquisition.sigma, Self.gateFloor)
    }

    /// The pooled slope (ppb relative to ``baseFrequency``), once enough points are in.
    var slope: Double? {
        guard points >= Self.anchorPoints else { return nil }
        return (acquisitionCovariance + covariance) / (acquisitionSpread + spread)
    }

    /// Adds the sample measured at `localTime`, the clock having run on `frequency` (ppb) since the one
    /// before. False when the line no longer holds and the refinement should be abandoned.
    mutating func add(offset: Double, localTime: PTPInstant, frequency: Double) -> Bool {
        let x: Double
        if let origin {
            let sincePrevious = (localTime - previous).secondsDouble
            guard sincePrevious > 0 else { return true }
            appliedPhase += (frequency - baseFrequency) * sincePrevious
            x = (localTime - origin).secondsDouble
        } else {
            origin = localTime
            x = 0
        }
        previous = localTime
        span = x
        let y = offset - appliedPhase - expectedFirst
        let predicted = slope.map { meanY + $0 * (x - meanX) } ?? acquisitionSlope * x
        guard abs(y - predicted) <= gate else {
            rejections += 1
            return rejections <= Self.maximumConsecutiveRejections
        }
        rejections = 0
        points += 1
        let dx = x - meanX
        meanX += dx / Double(points)
        meanY += (y - meanY) / Double(points)
        spread += dx * (x - meanX)
        covariance += dx * (y - meanY)
        return true
    }
}

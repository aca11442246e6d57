import PTPCore

/// A linear-regression servo in the manner of linuxptp's `linreg.c` (`clock_servo linreg`).
///
/// The servo knows every adjustment it has asked for, so it can undo them: it keeps the *free-running*
/// offset (measured offset minus the phase its own frequency adjustments and steps added), which grows
/// linearly with the oscillator's frequency error. It fits a line to the last 4, 8, 16, 32 or 64 of
/// those points, picks the size whose past predictions were best (a smoothed prediction error, as
/// linreg.c does), and sets the frequency to cancel the fitted slope plus a term that removes the
/// fitted phase over one update interval (two or three for 32 and 64 points), as linreg.c does.
///
/// This is Meridian's own code after linreg.c's design; the constants (sizes 2²…2⁶, smoothing 0.02,
/// ten initial updates, 5 % preference for larger sizes) are linreg.c's.
public struct LinearRegressionServo: ClockServo {
    public private(set) var configuration: ServoConfiguration
    public private(set) var state: ServoState = .unlocked
    public private(set) var lastFrequency: PartsPerBillion
    /// The fitted free-running frequency error, negated (the phase-correction term left out), once there is a fit.
    public var learnedFrequency: PartsPerBillion? { state == .unlocked ? nil : fittedFrequency }
    private var fittedFrequency: PartsPerBillion?
    /// The regression size in use (number of points), 0 before the first fit.
    public private(set) var size = 0

    static let minSizeLog = 2
    static let maxSizeLog = 6
    static let capacity = 1 << maxSizeLog
    static let errorSmoothing = 0.02
    static let initialUpdates = 10.0
    static let equalRatio = 1.05

    private let maxPPB: Double
    private var interval = 1.0
    /// Ring of points: x = local time in seconds since `origin`, y = free-running offset in ns.
    private var xs: [Double]
    private var ys: [Double]
    /// Each point's weight (linreg.c `points[].w`: tsproc's filtered ÷ raw delay, 1 unless `tsproc_mode` weighs).
    private var ws: [Double]
    private var newest = -1
    private var pointCount = 0
    private var origin: PTPInstant?
    private var lastLocal = PTPInstant.epoch
    /// Phase (ns) that the servo's own adjustments have added since `origin`.
    private var appliedPhase = 0.0
    private var firstUpdate = true
    /// Per size: the fit from the previous update (intercept at x = 0, slope ns/s) and its error.
    private var fits: [(a: Double, b: Double, valid: Bool)]
    private var errors: [Double]
    private var errorUpdates: [Double]

    public init(
        configuration: ServoConfiguration = .default, currentFrequency: PartsPerBillion = .zero,
        clockMaximum: PartsPerBillion = PartsPerBillion(900_000_000), syncInterval: Double = 1
    ) {
        self.configuration = configuration
        self.maxPPB = min(abs(configuration.maxFrequency.value), abs(clockMaximum.value))
        self.lastFrequency = currentFrequency
        let sizes = Self.maxSizeLog - Self.minSizeLog + 1
        xs = Array(repeating: 0, count: Self.capacity)
        ys = Array(repeating: 0, count: Self.capacity)
        ws = Array(repeating: 1, count: Self.capacity)
        fits = Array(repeating: (0, 0, false), count: sizes)
        errors = Array(repeating: 0, count: sizes)
        errorUpdates = Array(repeating: 0, count: sizes)
        setSyncInterval(syncInterval)
    }

    /// The phase the old adjustment added up to `localTime` is booked, so the free-running offsets stay
    /// exact; the fit is kept (the oscillator did not change).
    public mutating func hold(frequency: PartsPerBillion, at localTime: PTPInstant) {
        if origin != nil, localTime > lastLocal {
            appliedPhase += lastFrequency.value * (localTime - lastLocal).secondsDouble
            lastLocal = localTime
        }
        lastFrequency = frequency
    }

    public mutating func setSyncInterval(_ seconds: Double) {
        if seconds > 0, seconds.isFinite { interval = seconds }
    }

    public mutating func restartAcquisition() {
        reset()
        firstUpdate = true
    }

    public mutating func reset() {
        pointCount = 0
        newest = -1
        origin = nil
        appliedPhase = 0
        state = .unlocked
        fittedFrequency = nil
        size = 0
        for i in fits.indices {
            fits[i] = (0, 0, false)
            errors[i] = 0
            errorUpdates[i] = 0
        }
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        let offsetNS = offset.nanosecondsDouble
        let magnitude = abs(offsetNS)
        let stepNS = configuration.stepThreshold.nanosecondsDouble
        if state == .locked && stepNS > 0 && magnitude > stepNS {
            reset()
        }
        guard let start = origin else {
            origin = localTime
            lastLocal = localTime
            appendPoint(x: 0, y: offsetNS, weight: weight)
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        guard localTime > lastLocal else {
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        // The phase our frequency added since the previous sample, in ns (ppb × s).
        appliedPhase += lastFrequency.value * (localTime - lastLocal).secondsDouble
        lastLocal = localTime
        let x = (localTime - start).secondsDouble
        let y = offsetNS - appliedPhase
        scorePredictions(x: x, y: y)
        appendPoint(x: x, y: y, weight: weight)
        regress()
        chooseSize()

        guard size >= 1 << Self.minSizeLog, let fit = currentFit else {
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        let slope = fit.b  // free-running frequency error, ppb
        let fittedOffset = fit.a + fit.b * x + appliedPhase  // offset now, per the fit
        var output = ServoOutput(state: .locked, frequency: lastFrequency)
        // As linreg.c, the thresholds apply to the fitted offset, and the step is the measured one.
        let firstStep =
            firstUpdate && configuration.firstStepThreshold > .zero
            && abs(fittedOffset) > configuration.firstStepThreshold.nanosecondsDouble
        let laterStep = stepNS > 0 && abs(fittedOffset) > stepNS
        var phaseToRemove = fittedOffset
        if firstStep || laterStep {
            output.state = .jump
            output.step = -offset
            appliedPhase -= offsetNS  // the step is ours too
            phaseToRemove = fittedOffset - offsetNS
        }
        // linreg.c: correct the phase over 1 update interval for up to 16 points, over log2(size)/2 beyond.
        let sizeLog = log2(size)
        let correctionIntervals = sizeLog <= 4 ? 1.0 : Double(sizeLog / 2)
        var ppb = -slope - phaseToRemove / (interval * correctionIntervals)
        ppb = max(-maxPPB, min(maxPPB, ppb))
        fittedFrequency = PartsPerBillion(max(-maxPPB, min(maxPPB, -slope)))
        lastFrequency = PartsPerBillion(ppb)
        output.frequency = lastFrequency
        firstUpdate = false
        state = output.state
        return output
    }

    private var currentFit: (a: Double, b: Double)? {
        guard size >= 1 << Self.minSizeLog else { return nil }
        let fit = fits[log2(size) - Self.minSizeLog]
        return fit.valid ? (fit.a, fit.b) : nil
    }

    private mutating func appendPoint(x: Double, y: Double, weight: Double) {
        newest = (newest + 1) % Self.capacity
        xs[newest] = x
        ys[newest] = y
        ws[newest] = weight.isFinite && weight > 0 ? min(weight, 1) : 1
        pointCount = min(pointCount + 1, Self.capacity)
    }

    /// Updates each size's smoothed error with how well its last fit predicted the new point.
    private mutating func scorePredictions(x: Double, y: Double) {
        for i in fits.indices where fits[i].valid {
            let error = abs(y - (fits[i].a + fits[i].b * x))
            if errorUpdates[i] < Self.initialUpdates {
                errorUpdates[i] += 1
                errors[i] += (error - errors[i]) / errorUpdates[i]
            } else {
                errors[i] = (1 - Self.errorSmoothing) * errors[i] + Self.errorSmoothing * error
            }
        }
    }

    /// Least-squares fits over the newest 4, 8, …, 64 points in one pass from the newest backward.
    private mutating func regress() {
        var sx = 0.0
        var sy = 0.0
        var sxx = 0.0
        var sxy = 0.0
        var sw = 0.0
        let x0 = xs[newest]
        var n = 0
        var index = newest
        for sizeLog in Self.minSizeLog...Self.maxSizeLog {
            let target = 1 << sizeLog
            if target > pointCount { break }
            while n < target {
                let x = xs[index] - x0
                let y = ys[index]
                let w = ws[index]
                // Weighted least squares, as linreg.c `regress` (all weights 1: the plain fit).
                sw += w
                sx += x * w
                sy += y * w
                sxx += x * x * w
                sxy += x * y * w
                n += 1
                index = (index - 1 + Self.capacity) % Self.capacity
            }
            let count = sw
            let denominator = count * sxx - sx * sx
            guard denominator > 0 else { continue }
            let b = (count * sxy - sx * sy) / denominator
            let aAtX0 = (sy - b * sx) / count
            fits[sizeLog - Self.minSizeLog] = (aAtX0 - b * x0, b, true)
        }
    }

    /// linreg.c `get_best_size`: the smallest size with a fit, replaced by each larger size whose smoothed
    /// prediction error (after its ten initial updates) is below 1.05 times the best so far.
    private mutating func chooseSize() {
        var best = -1
        for i in fits.indices where fits[i].valid && (1 << (i + Self.minSizeLog)) <= pointCount {
            if best < 0 || (errors[best] * Self.equalRatio > errors[i] && errorUpdates[i] >= Self.initialUpdates) {
                best = i
            }
        }
        size = best < 0 ? 0 : 1 << (best + Self.minSizeLog)
    }

    private func log2(_ value: Int) -> Int {
        Int.bitWidth - 1 - value.leadingZeroBitCount
    }
}

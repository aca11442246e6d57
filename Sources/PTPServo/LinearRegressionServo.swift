import PTPCore

/// A linear-regression servo in the manner of linuxptp's `linreg.c` (`clock_servo linreg`).
///
/// The servo knows every adjustment it has asked for, so it can undo them: it keeps the *free-running*
/// offset (measured offset minus the phase its own frequency adjustments and steps added), which grows
/// linearly with the oscillator's frequency error. It fits a line to the last 4, 8, 16, 32 or 64 of
/// those points, picks the size whose past predictions were best (a smoothed prediction error, as
/// linreg.c does), and sets the frequency to cancel the fitted slope plus a term that removes the
/// fitted phase over a correction interval that grows with the regression size.
///
/// This is Meridian's own code after linreg.c's design; the constants (sizes 2²…2⁶, smoothing 0.02,
/// ten initial updates, 5 % preference for larger sizes) are linreg.c's.
public struct LinearRegressionServo: ClockServo {
    public private(set) var configuration: ServoConfiguration
    public private(set) var state: ServoState = .unlocked
    public private(set) var lastFrequency: PartsPerBillion
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
        fits = Array(repeating: (0, 0, false), count: sizes)
        errors = Array(repeating: 0, count: sizes)
        errorUpdates = Array(repeating: 0, count: sizes)
        setSyncInterval(syncInterval)
    }

    public mutating func setSyncInterval(_ seconds: Double) {
        if seconds > 0, seconds.isFinite { interval = seconds }
    }

    public mutating func reset() {
        pointCount = 0
        newest = -1
        origin = nil
        appliedPhase = 0
        state = .unlocked
        size = 0
        for i in fits.indices {
            fits[i] = (0, 0, false)
            errors[i] = 0
            errorUpdates[i] = 0
        }
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        let offsetNS = offset.nanosecondsDoubleFast
        let magnitude = abs(offsetNS)
        let stepNS = configuration.stepThreshold.nanosecondsDoubleFast
        if state == .locked && stepNS > 0 && magnitude > stepNS {
            reset()
        }
        guard let start = origin else {
            origin = localTime
            lastLocal = localTime
            appendPoint(x: 0, y: offsetNS)
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        guard localTime > lastLocal else {
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        // The phase our frequency added since the previous sample, in ns (ppb × s).
        appliedPhase += lastFrequency.value * (localTime - lastLocal).secondsDoubleFast
        lastLocal = localTime
        let x = (localTime - start).secondsDoubleFast
        let y = offsetNS - appliedPhase
        scorePredictions(x: x, y: y)
        appendPoint(x: x, y: y)
        regress()
        chooseSize()

        guard size >= 2, let fit = currentFit else {
            state = .unlocked
            return ServoOutput(state: .unlocked, frequency: lastFrequency)
        }
        let slope = fit.b  // free-running frequency error, ppb
        let fittedOffset = fit.a + fit.b * x + appliedPhase  // offset now, per the fit
        var output = ServoOutput(state: .locked, frequency: lastFrequency)
        let firstStep = firstUpdate && configuration.firstStepThreshold > .zero
            && magnitude > configuration.firstStepThreshold.nanosecondsDoubleFast
        let laterStep = stepNS > 0 && magnitude > stepNS
        var phaseToRemove = fittedOffset
        if firstStep || laterStep {
            output.state = .jump
            output.step = -offset
            appliedPhase -= offsetNS  // the step is ours too
            phaseToRemove = fittedOffset - offsetNS
        }
        let correctionInterval = interval * Double(max(1, size / 4))
        var ppb = -slope - phaseToRemove / correctionInterval
        ppb = max(-maxPPB, min(maxPPB, ppb))
        lastFrequency = PartsPerBillion(ppb)
        output.frequency = lastFrequency
        firstUpdate = false
        state = output.state
        return output
    }

    private var currentFit: (a: Double, b: Double)? {
        guard size >= 2 else { return nil }
        if size < (1 << Self.minSizeLog) {
            // Two or three points only: the line through the oldest and newest.
            let oldest = (newest - (pointCount - 1) + Self.capacity) % Self.capacity
            let dx = xs[newest] - xs[oldest]
            guard dx > 0 else { return nil }
            let b = (ys[newest] - ys[oldest]) / dx
            return (ys[newest] - b * xs[newest], b)
        }
        let index = log2(size) - Self.minSizeLog
        let fit = fits[index]
        return fit.valid ? (fit.a, fit.b) : nil
    }

    private mutating func appendPoint(x: Double, y: Double) {
        newest = (newest + 1) % Self.capacity
        xs[newest] = x
        ys[newest] = y
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
        var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        let x0 = xs[newest]
        var n = 0
        var index = newest
        for sizeLog in Self.minSizeLog...Self.maxSizeLog {
            let target = 1 << sizeLog
            if target > pointCount { break }
            while n < target {
                let x = xs[index] - x0
                let y = ys[index]
                sx += x
                sy += y
                sxx += x * x
                sxy += x * y
                n += 1
                index = (index - 1 + Self.capacity) % Self.capacity
            }
            let count = Double(n)
            let denominator = count * sxx - sx * sx
            guard denominator > 0 else { continue }
            let b = (count * sxy - sx * sy) / denominator
            let aAtX0 = (sy - b * sx) / count
            fits[sizeLog - Self.minSizeLog] = (aAtX0 - b * x0, b, true)
        }
    }

    /// The size with the smallest smoothed prediction error; a larger size wins within 5 % (or within
    /// 10⁻⁶ ns, so that noiseless data does not pick by rounding error).
    private mutating func chooseSize() {
        if pointCount < (1 << Self.minSizeLog) {
            size = pointCount
            return
        }
        var best = -1
        for i in fits.indices where fits[i].valid && (1 << (i + Self.minSizeLog)) <= pointCount {
            if best < 0 || errorUpdates[i] == 0 || errors[i] <= errors[best] * Self.equalRatio + 1e-6 {
                best = i
            }
        }
        size = best < 0 ? pointCount : 1 << (best + Self.minSizeLog)
    }

    private func log2(_ value: Int) -> Int {
        Int.bitWidth - 1 - value.leadingZeroBitCount
    }
}

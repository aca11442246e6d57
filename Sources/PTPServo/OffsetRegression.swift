/// The samples of ``PIServo``'s first frequency estimate, and a straight line through them that a few
/// spoiled samples cannot move (``PIFirstEstimate/regression``, issue 12).
///
/// A point is (x: seconds since the first sample, y: its offset minus the first offset, ns), taken while
/// the clock runs on one frequency, so y grows by the clock's rate error × x plus noise. At most
/// ``capacity`` points are kept: when full, every other one goes and only every second sample is taken
/// from then on (and so on), so the span keeps growing at any Sync rate in bounded memory.
///
/// The fit starts from Tukey's resistant line (the slope through the medians of the outer thirds, the
/// intercept the median residual), which the rare 10–80 µs scheduling spike of software time stamps
/// cannot drag; then, twice, the points whose residual exceeds ``rejectionFactor`` robust standard
/// deviations (1.4826 × the median absolute residual) are set aside and ordinary least squares runs on
/// the rest. A spike that stayed in would move a 4 s, 64-point fit by over a ppm.
///
/// A fit is only offered (``estimate(requiredSpread:)``) when a line explains the samples: three in four
/// of them and three of the last four are inliers, and the inliers' residual σ is at most twice the noise
/// the sample-to-sample differences show. An upstream boundary clock that steps or changes its frequency
/// while this clock collects (it locked meanwhile) breaks that; then the points before the most likely
/// change (where the cumulative sum of the residuals turns) are dropped when the change is clear, and the
/// acquisition goes on from there. No allocation after creation: the medians come from an in-place
/// selection in a scratch buffer.
struct OffsetRegression: Sendable {
    /// A least-squares line over the inliers.
    struct Fit: Sendable {
        /// The rate error, ns per s (ppb), relative to the frequency the clock ran on.
        var slope: Double
        /// y at x = 0, ns.
        var intercept: Double
        /// The residual standard deviation of the inliers, ns.
        var sigma: Double
        /// Σ(x − x̄)² over the inliers, s².
        var spread: Double
        /// Σ(x − x̄)(y − ȳ) over the inliers, ns·s.
        var covariance: Double
        var inliers: Int
        /// Residuals beyond this (ns) were set aside.
        var threshold: Double

        func value(at x: Double) -> Double { intercept + slope * x }
    }

    /// What ``estimate(requiredSpread:)`` found.
    enum Outcome {
        /// Not enough points, spread or agreement yet.
        case wait
        /// A line that explains the samples and spans at least the required spread.
        case fit(Fit)
        /// The samples changed course; the points before the change went, and the first point kept is the
        /// new origin: it was at (`x`, `y`) of the old one.
        case restarted(x: Double, y: Double)
    }

    static let capacity = 256
    static let minimumPoints = 8
    static let rejectionFactor = 4.0
    /// Residuals this small (ns) are never rejected, so noise-free samples keep every point.
    static let residualFloor = 1.0
    /// The fit's residual σ may be at most this × the noise of the sample-to-sample differences.
    static let linearityFactor = 2.0
    /// A change must shift the mean residual by this many standard errors of the difference of means.
    static let changeSignificance = 6.0
    /// The fewest points after a change for it to count (fewer could be a pair of spikes).
    static let pointsAfterChange = 4

    private var xs: [Double] = []
    private var ys: [Double] = []
    private var scratch: [Double]
    /// One sample in `keepEvery` is kept (doubles each time the buffer fills).
    private var keepEvery = 1
    private var skipped = 0

    init() {
        xs.reserveCapacity(Self.capacity)
        ys.reserveCapacity(Self.capacity)
        scratch = Array(repeating: 0, count: Self.capacity)
    }

    var count: Int { xs.count }

    mutating func reset() {
        xs.removeAll(keepingCapacity: true)
        ys.removeAll(keepingCapacity: true)
        keepEvery = 1
        skipped = 0
    }

    /// Adds a point; one that is not finite or not later than the last is ignored.
    mutating func append(x: Double, y: Double) {
        guard x.isFinite, y.isFinite, x > (xs.last ?? -.infinity) else { return }
        skipped += 1
        guard skipped >= keepEvery else { return }
        skipped = 0
        if xs.count >= Self.capacity {
            var kept = 0
            for index in Swift.stride(from: 0, to: xs.count, by: 2) {
                xs[kept] = xs[index]
                ys[kept] = ys[index]
                kept += 1
            }
            xs.removeLast(xs.count - kept)
            ys.removeLast(ys.count - kept)
            keepEvery = keepEvery < 1 << 30 ? keepEvery * 2 : keepEvery
        }
        xs.append(x)
        ys.append(y)
    }

    /// Σ(x − x̄)² over every point held, s²: an upper bound on any fit's ``Fit/spread``.
    var spread: Double {
        guard !xs.isEmpty else { return 0 }
        var mean = 0.0
        for x in xs { mean += x }
        mean /= Double(xs.count)
        var sum = 0.0
        for x in xs { sum += (x - mean) * (x - mean) }
        return sum
    }

    /// The fit, once the points span `requiredSpread` (s²) and a line explains them; or a restart after a
    /// clear change of course.
    mutating func estimate(requiredSpread: Double) -> Outcome {
        let n = xs.count
        guard n >= Self.minimumPoints, spread >= requiredSpread, let fit = fit() else { return .wait }
        let noise = max(differenceNoise(slope: fit.slope), Self.residualFloor)
        var recent = 0
        for index in (n - 4)..<n where abs(ys[index] - fit.value(at: xs[index])) <= fit.threshold { recent += 1 }
        if fit.spread >= requiredSpread, fit.inliers * 4 >= n * 3, recent >= 3, fit.sigma <= Self.linearityFactor * noise {
            return .fit(fit)
        }
        guard let first = changePoint(fit, noise: noise) else { return .wait }
        let origin = (x: xs[first], y: ys[first])
        var kept = 0
        for index in first..<n {
            xs[kept] = xs[index] - origin.x
            ys[kept] = ys[index] - origin.y
            kept += 1
        }
        xs.removeLast(n - kept)
        ys.removeLast(n - kept)
        return .restarted(x: origin.x, y: origin.y)
    }

    /// The noise as consecutive points show it: 1.4826 × the median |Δy − slope·Δx| / √2. A spike moves two
    /// differences and a level shift one, which the median ignores; a slow drift of the line moves none.
    private mutating func differenceNoise(slope: Double) -> Double {
        let n = xs.count
        guard n >= 2 else { return 0 }
        for index in 0..<(n - 1) {
            scratch[index] = abs(ys[index + 1] - ys[index] - slope * (xs[index + 1] - xs[index]))
        }
        return 1.4826 * median(of: n - 1) / 2.0.squareRoot()
    }

    /// The first index after the most likely change of course — where the cumulative sum of the residuals
    /// (each clipped to the fit's threshold, so spikes weigh little) about their mean turns — when the mean
    /// residual before and after it differs by more than ``changeSignificance`` standard errors; else nil.
    private func changePoint(_ fit: Fit, noise: Double) -> Int? {
        let n = xs.count
        func residual(_ index: Int) -> Double {
            max(-fit.threshold, min(fit.threshold, ys[index] - fit.value(at: xs[index])))
        }
        var mean = 0.0
        for index in 0..<n { mean += residual(index) }
        mean /= Double(n)
        var sum = 0.0
        var largest = 0.0
        var split = 0
        for index in 0..<(n - 1) {
            sum += residual(index) - mean
            if abs(sum) > largest {
                largest = abs(sum)
                split = index + 1
            }
        }
        let before = split
        let after = n - split
        guard before >= 1, after >= Self.pointsAfterChange else { return nil }
        var meanBefore = 0.0
        for index in 0..<split { meanBefore += residual(index) }
        meanBefore /= Double(before)
        let meanAfter = (mean * Double(n) - meanBefore * Double(before)) / Double(after)
        let standardError = noise * (1 / Double(before) + 1 / Double(after)).squareRoot()
        return abs(meanAfter - meanBefore) > Self.changeSignificance * standardError ? split : nil
    }

    /// The robust fit, or nil with fewer than ``minimumPoints`` points (or inliers).
    mutating func fit() -> Fit? {
        let n = xs.count
        guard n >= Self.minimumPoints else { return nil }
        let third = n / 3
        // x grows with the index, so each third's median x is its middle.
        let xLeft = (xs[(third - 1) / 2] + xs[third / 2]) / 2
        let xRight = (xs[n - third + (third - 1) / 2] + xs[n - third + third / 2]) / 2
        guard xRight > xLeft else { return nil }
        for index in 0..<third { scratch[index] = ys[index] }
        let yLeft = median(of: third)
        for index in 0..<third { scratch[index] = ys[n - third + index] }
        let yRight = median(of: third)
        var slope = (yRight - yLeft) / (xRight - xLeft)
        for index in 0..<n { scratch[index] = ys[index] - slope * xs[index] }
        var intercept = median(of: n)
        var result: Fit?
        for _ in 0..<2 {
            for index in 0..<n { scratch[index] = abs(ys[index] - intercept - slope * xs[index]) }
            let threshold = max(Self.rejectionFactor * 1.4826 * median(of: n), Self.residualFloor)
            guard let next = leastSquares(intercept: intercept, slope: slope, threshold: threshold) else { return nil }
            result = next
            slope = next.slope
            intercept = next.intercept
        }
        return result
    }

    /// Ordinary least squares over the points within `threshold` of the line (`intercept`, `slope`).
    private func leastSquares(intercept: Double, slope: Double, threshold: Double) -> Fit? {
        var m = 0
        var meanX = 0.0
        var meanY = 0.0
        for index in xs.indices where abs(ys[index] - intercept - slope * xs[index]) <= threshold {
            m += 1
            meanX += xs[index]
            meanY += ys[index]
        }
        guard m >= Self.minimumPoints else { return nil }
        meanX /= Double(m)
        meanY /= Double(m)
        var sxx = 0.0
        var sxy = 0.0
        for index in xs.indices where abs(ys[index] - intercept - slope * xs[index]) <= threshold {
            let dx = xs[index] - meanX
            sxx += dx * dx
            sxy += dx * (ys[index] - meanY)
        }
        guard sxx > 0 else { return nil }
        let fittedSlope = sxy / sxx
        let fittedIntercept = meanY - fittedSlope * meanX
        var squares = 0.0
        for index in xs.indices where abs(ys[index] - intercept - slope * xs[index]) <= threshold {
            let residual = ys[index] - fittedIntercept - fittedSlope * xs[index]
            squares += residual * residual
        }
        return Fit(
            slope: fittedSlope, intercept: fittedIntercept, sigma: (squares / Double(m - 2)).squareRoot(),
            spread: sxx, covariance: sxy, inliers: m, threshold: threshold)
    }

    /// The median of `scratch[0..<n]` (the mean of the two middle values for even `n`), reordering it.
    private mutating func median(of n: Int) -> Double {
        let k = n / 2
        let upper = select(k, count: n)
        guard n % 2 == 0, k > 0 else { return upper }
        // After the selection everything left of k is at most scratch[k].
        var lower = scratch[0]
        for index in 1..<k { lower = max(lower, scratch[index]) }
        return (lower + upper) / 2
    }

    /// Hoare's selection: reorders `scratch[0..<count]` so that `scratch[k]` is its k-th smallest value,
    /// with nothing larger before it, and returns it.
    private mutating func select(_ k: Int, count: Int) -> Double {
        var low = 0
        var high = count - 1
        while low < high {
            let pivot = scratch[low + (high - low) / 2]
            var i = low
            var j = high
            while i <= j {
                while scratch[i] < pivot { i += 1 }
                while scratch[j] > pivot { j -= 1 }
                if i <= j {
                    scratch.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                break
            }
        }
        return scratch[k]
    }
}

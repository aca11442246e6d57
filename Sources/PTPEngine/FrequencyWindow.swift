import PTPCore
import PTPServo

/// What a clock's oscillator did over its last `span` seconds locked to a master: the frequency holdover
/// runs it on (``estimate``).
///
/// Each sample is the offset from the master measured at a local time and the adjustment the servo applied
/// from then on. With `f` the oscillator's own frequency error and `a(t)` the adjustments, the offset moves
/// as `d(offset)/dt = f + a(t)`, so `offset(t) − ∫a dt` is a straight line of slope `f` plus the stamps'
/// noise, and the clock holds best on `−f`, that line's slope fitted by least squares.
///
/// The mean adjustment alone is off by the phase the servo removed over the
/// window, divided by the window: right after lock, while the servo still pulls the offset in, or over a
/// spell of the µs-scale wander software stamps across a bridge show, tens of µs over 16 s make several
/// ppm. The fit takes that phase into account; its own error is the stamps' noise over the window's
/// length (about σ·√(12/n)/T: a few tens of ppb for µs of noise, 256 samples, 16 s).
///
/// Samples are averaged into ``bucketSeconds`` buckets (four at 16 Sync/s), which keeps the window at 64
/// points whatever the rate and damps a lone delayed packet fourfold before the fit sees it; the fit then
/// leaves out buckets whose residual is far beyond the others' (a spell of delayed packets) and fits again.
public struct FrequencyWindow: Sendable {
    /// The window, in seconds.
    public static let span = 16.0
    /// How much of the window must be filled before its estimate is used (the slope of a line through a
    /// few seconds of µs-noisy offsets is itself noisy by a ppm or more).
    public static let minimumSpan = 8.0
    /// Samples closer together than this are averaged into one point of the fit.
    public static let bucketSeconds = span / 64

    /// One point of the fit: the mean local time (seconds since `origin`) and the mean of
    /// `offset − ∫a dt` (ns) of the samples averaged into it.
    struct Point: Sendable {
        var time: Double
        var phase: Double
        /// The bucket's first sample's time.
        var start: Double
    }

    private var points: [Point] = []
    /// Where the next point goes once the ring is full (the oldest point).
    private var next = 0
    private var capacity: Int
    private var interval: Double
    /// The time every point's `time` counts from (the first sample since the window started over).
    private var origin: PTPInstant?
    /// The last sample's time (seconds since `origin`) and the adjustment in force since then.
    private var lastTime = 0.0
    private var lastAdjustment = 0.0
    /// `∫a dt` since `origin`, in ns.
    private var adjusted = 0.0
    /// The bucket being filled: sums of its samples' times and phases, their count, its first time.
    private var bucketStart = 0.0
    private var bucketTime = 0.0
    private var bucketPhase = 0.0
    private var bucketCount = 0

    /// A window for samples `interval` seconds apart.
    public init(interval: Double = 1) {
        self.interval = interval > 0 && interval.isFinite ? interval : 1
        self.capacity = Self.capacity(for: self.interval)
    }

    static func capacity(for interval: Double) -> Int {
        max(4, min(64, Int((span / max(interval, bucketSeconds)).rounded())))
    }

    /// The samples now come `interval` seconds apart: the window starts over at that rate.
    public mutating func setInterval(_ interval: Double) {
        guard interval > 0, interval.isFinite, interval != self.interval else { return }
        self = FrequencyWindow(interval: interval)
    }

    /// A sample: at local time `time` the offset from the master was `offset` (nil when the measurement was
    /// spoiled and left out), and from then on the clock runs on `adjustment`.
    public mutating func append(adjustment: PartsPerBillion, offset: PTPDuration?, at time: PTPInstant) {
        let value = adjustment.value
        guard value.isFinite else { return }
        guard let origin else {
            self.origin = time
            lastTime = 0
            lastAdjustment = value
            if let offset { add(time: 0, phase: offset.nanosecondsDouble) }
            return
        }
        let seconds = (time - origin).secondsDouble
        let elapsed = seconds - lastTime
        // Time that went backwards, or a gap longer than the window (the samples between are unknown):
        // what the window held no longer joins up with what comes.
        guard elapsed >= 0, elapsed <= max(Self.span, 4 * interval), seconds.isFinite else {
            removeAll()
            append(adjustment: adjustment, offset: offset, at: time)
            return
        }
        adjusted += lastAdjustment * elapsed
        lastTime = seconds
        lastAdjustment = value
        if let offset { add(time: seconds, phase: offset.nanosecondsDouble - adjusted) }
    }

    private mutating func add(time: Double, phase: Double) {
        if bucketCount > 0 && time - bucketStart >= Self.bucketSeconds { closeBucket() }
        if bucketCount == 0 { bucketStart = time }
        bucketTime += time
        bucketPhase += phase
        bucketCount += 1
    }

    private mutating func closeBucket() {
        let count = Double(bucketCount)
        let point = Point(time: bucketTime / count, phase: bucketPhase / count, start: bucketStart)
        if points.count < capacity {
            points.append(point)
        } else {
            points[next] = point
        }
        next += 1
        if next == capacity { next = 0 }
        bucketTime = 0
        bucketPhase = 0
        bucketCount = 0
    }

    public mutating func removeAll() {
        points.removeAll(keepingCapacity: true)
        next = 0
        origin = nil
        lastTime = 0
        lastAdjustment = 0
        adjusted = 0
        bucketTime = 0
        bucketPhase = 0
        bucketCount = 0
    }

    /// The held points, the bucket being filled included.
    private var all: [Point] {
        var all = points
        if bucketCount > 0 {
            let count = Double(bucketCount)
            all.append(Point(time: bucketTime / count, phase: bucketPhase / count, start: bucketStart))
        }
        return all
    }

    /// Seconds of samples held: from the oldest bucket's first sample to the last sample, plus the interval
    /// the last one stands for (16 s for 256 samples at 16/s).
    public var seconds: Double {
        guard origin != nil else { return 0 }
        let oldest = points.count < capacity ? points.first : points[next]
        guard let first = oldest?.start ?? (bucketCount > 0 ? bucketStart : nil) else { return 0 }
        return max(0, lastTime - first + interval)
    }

    /// The frequency that keeps the offset where it was over the window (−slope of the fitted line), once
    /// at least ``minimumSpan`` seconds are held, else nil.
    public var estimate: PartsPerBillion? {
        guard seconds >= Self.minimumSpan else { return nil }
        let points = all
        guard let first = Self.line(through: points) else { return nil }
        // A spell of delayed packets bends the line: leave out the points far from it (beyond 4 median
        // absolute deviations, about 2.7 σ for Gaussian noise) and fit the rest, if most remain.
        let residuals = points.map { abs($0.phase - first.value(at: $0.time)) }
        let spread = Self.median(residuals)
        let kept = zip(points, residuals).filter { $0.1 <= 4 * 1.4826 * spread }.map(\.0)
        let line = spread > 0 && kept.count * 4 >= points.count * 3 ? Self.line(through: kept) ?? first : first
        let slope = line.slope(at: 0)
        return slope.isFinite ? PartsPerBillion(-slope) : nil
    }

    /// The least-squares line through the points (the holdover model's ``PolynomialFit``); nil when they do
    /// not span time.
    static func line(through points: [Point]) -> PolynomialFit? {
        PolynomialFit.fit(x: points.map(\.time), y: points.map(\.phase), degree: 1)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

import PTPCore

/// What `meridianctl tracking` shows beyond the data sets, in the manner of `chronyc tracking`: the RMS of the
/// last offsets, the residual frequency (the offsets' drift the servo has not yet taken out, their regression
/// slope) and the skew (how much the servo's frequency moved: the standard deviation over the same window).
/// Over the last ``capacity`` measurements; a step empties it, since offsets before a step say nothing of after.
public struct TrackingWindow: Sendable {
    /// 64 measurements: 4 s at 16 Sync/s, about a minute at 1 Sync/s.
    public static let capacity = 64

    private var times: [Double] = []
    private var offsets: [Double] = []
    private var frequencies: [Double] = []
    private var next = 0
    private var origin: PTPInstant?
    public private(set) var summary = Summary()

    /// The window's figures; nil until there are enough measurements (two for RMS and skew, three for the slope).
    public struct Summary: Sendable, Hashable {
        public var rmsOffset: PTPDuration?
        /// Parts per billion: positive when the offset grows (the clock runs fast of its master).
        public var residualFrequency: Double?
        /// Parts per billion.
        public var skew: Double?
        public var count = 0

        public init() {}
    }

    public init() {
        times.reserveCapacity(Self.capacity)
        offsets.reserveCapacity(Self.capacity)
        frequencies.reserveCapacity(Self.capacity)
    }

    /// One measurement: the offset from the master, the servo's frequency after it, and when (the clock's time).
    public mutating func add(offset: PTPDuration, frequency: PartsPerBillion, at time: PTPInstant, stepped: Bool) {
        if stepped {
            removeAll()
            return
        }
        if origin == nil { origin = time }
        let seconds = (time - (origin ?? time)).secondsDouble
        if times.count < Self.capacity {
            times.append(seconds)
            offsets.append(offset.nanosecondsDouble)
            frequencies.append(frequency.value)
        } else {
            times[next] = seconds
            offsets[next] = offset.nanosecondsDouble
            frequencies[next] = frequency.value
            next = (next + 1) % Self.capacity
        }
        summary = Self.summarize(times: times, offsets: offsets, frequencies: frequencies)
    }

    public mutating func removeAll() {
        times.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        frequencies.removeAll(keepingCapacity: true)
        next = 0
        origin = nil
        summary = Summary()
    }

    static func summarize(times: [Double], offsets: [Double], frequencies: [Double]) -> Summary {
        var summary = Summary()
        let n = Double(offsets.count)
        summary.count = offsets.count
        guard offsets.count >= 2 else { return summary }
        let squares = offsets.reduce(0) { $0 + $1 * $1 }
        let rms = (squares / n).squareRoot()
        if rms.isFinite { summary.rmsOffset = .nanoseconds(rms) }
        let meanFrequency = frequencies.reduce(0, +) / n
        let variance = frequencies.reduce(0) { $0 + ($1 - meanFrequency) * ($1 - meanFrequency) } / (n - 1)
        let skew = variance.squareRoot()
        if skew.isFinite { summary.skew = skew }
        guard offsets.count >= 3 else { return summary }
        let meanTime = times.reduce(0, +) / n
        let meanOffset = offsets.reduce(0, +) / n
        var covariance = 0.0
        var spread = 0.0
        for index in offsets.indices {
            covariance += (times[index] - meanTime) * (offsets[index] - meanOffset)
            spread += (times[index] - meanTime) * (times[index] - meanTime)
        }
        // ns per second is parts per billion.
        if spread > 0, (covariance / spread).isFinite { summary.residualFrequency = covariance / spread }
        return summary
    }
}

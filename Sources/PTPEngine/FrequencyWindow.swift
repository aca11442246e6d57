import PTPCore

/// The frequency adjustments a clock ran on over its last `span` seconds of samples, for holdover.
///
/// Over a window the clock's phase stays within its noise, so the mean adjustment is the oscillator's
/// frequency error to within (phase change over the window) / (window): on software time stamps a few µs
/// over 16 s, 0.2 ppm or so. That is far better than the adjustment of the moment (which answers the last
/// offset: thousands of ppb on software stamps) and steadier than a PI servo's integral term (which moves
/// by ki × every offset, ~0.1 ppb per ns at 16 Sync/s).
public struct FrequencyWindow: Sendable {
    /// The window, in seconds.
    public static let span = 16.0
    /// How much of the window must be filled before its mean is used (right after lock the window still
    /// holds the pull-in, whose mean is off by the phase it removed over the time it took).
    public static let minimumSpan = 8.0

    private var values: [Double] = []
    private var next = 0
    private var sum = 0.0
    private var capacity: Int
    private var interval: Double

    /// A window for samples `interval` seconds apart.
    public init(interval: Double = 1) {
        self.interval = interval > 0 && interval.isFinite ? interval : 1
        self.capacity = Self.capacity(for: self.interval)
    }

    static func capacity(for interval: Double) -> Int {
        max(4, min(1_024, Int((span / interval).rounded())))
    }

    /// The samples now come `interval` seconds apart: the window starts over at that rate.
    public mutating func setInterval(_ interval: Double) {
        guard interval > 0, interval.isFinite, interval != self.interval else { return }
        self = FrequencyWindow(interval: interval)
    }

    public mutating func append(_ frequency: PartsPerBillion) {
        let value = frequency.value
        guard value.isFinite else { return }
        if values.count < capacity {
            values.append(value)
            sum += value
        } else {
            sum += value - values[next]
            values[next] = value
        }
        next += 1
        if next == capacity { next = 0 }
        // Recomputed once per turn of the ring, so rounding cannot accumulate.
        if next == 0 { sum = values.reduce(0, +) }
    }

    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        next = 0
        sum = 0
    }

    /// Seconds of samples held.
    public var seconds: Double { Double(values.count) * interval }

    /// The mean adjustment once at least ``minimumSpan`` seconds are held, else nil.
    public var mean: PartsPerBillion? {
        guard seconds >= Self.minimumSpan, !values.isEmpty else { return nil }
        return PartsPerBillion(sum / Double(values.count))
    }
}

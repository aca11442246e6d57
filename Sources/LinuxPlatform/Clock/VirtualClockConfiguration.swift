import PTPCore

/// How a ``VirtualClock`` starts and misbehaves (the lab's per-clock keys).
public struct VirtualClockConfiguration: Sendable, Hashable {
    /// Random-walk frequency wander: every `interval` of base time the frequency error moves by a normal
    /// step of deviation `stepDeviation`, and never leaves ±`bound`.
    public struct Wander: Sendable, Hashable {
        public var interval: PTPDuration
        public var stepDeviation: PartsPerBillion
        public var bound: PartsPerBillion
        /// Seed of the generator, so a lab run can be repeated.
        public var seed: UInt64

        public init(
            interval: PTPDuration = .milliseconds(1000), stepDeviation: PartsPerBillion, bound: PartsPerBillion, seed: UInt64
        ) {
            self.interval = interval
            self.stepDeviation = stepDeviation
            self.bound = bound
            self.seed = seed
        }
    }

    /// A name for logs.
    public var name: String
    /// `virtual_clock_offset`: virtual − system time at start.
    public var initialOffset: PTPDuration
    /// `virtual_clock_freq_ppm`: the clock's own frequency error (positive runs fast), before any adjustment.
    public var frequencyError: PartsPerBillion
    /// The largest adjustment accepted, like a PHC's `max_adj`.
    public var maxFrequency: PartsPerBillion
    public var wander: Wander?

    public init(
        name: String = "virtual",
        initialOffset: PTPDuration = .zero,
        frequencyError: PartsPerBillion = .zero,
        maxFrequency: PartsPerBillion = PartsPerBillion(500_000),
        wander: Wander? = nil
    ) {
        self.name = name
        self.initialOffset = initialOffset
        self.frequencyError = frequencyError
        self.maxFrequency = maxFrequency
        self.wander = wander
    }

    /// The configuration from the config file's units: offset in seconds, frequency error in ppm.
    public init(
        name: String = "virtual", offsetSeconds: Double, frequencyPPM: Double,
        maxFrequency: PartsPerBillion = PartsPerBillion(500_000), wander: Wander? = nil
    ) {
        self.init(
            name: name, initialOffset: .seconds(offsetSeconds), frequencyError: .ppm(frequencyPPM),
            maxFrequency: maxFrequency, wander: wander)
    }
}

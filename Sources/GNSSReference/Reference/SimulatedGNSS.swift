import PTPCore

/// The simulated receiver of `reference simulated`: a pulse at every second of the system clock (the lab's
/// truth) with seeded Gaussian jitter (`sim_gnss_jitter_ns`), and a scheduled outage (`sim_gnss_outage_after`
/// seconds after the start, for `sim_gnss_outage_duration` seconds) so holdover can be shown on a laptop.
/// Deterministic for a seed: it computes pulses, it does not wait for them (``SimulatedGNSSReference`` does).
public struct SimulatedGNSS: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var jitterNanoseconds: Double
        public var outageAfter: PTPDuration?
        public var outageDuration: PTPDuration
        public var seed: UInt64
        public var satellitesUsed: Int
        public var gpsMinusUTC: Int?

        public init(
            jitterNanoseconds: Double = 0, outageAfter: PTPDuration? = nil, outageDuration: PTPDuration = .zero,
            seed: UInt64 = 1, satellitesUsed: Int = 9, gpsMinusUTC: Int? = 18
        ) {
            self.jitterNanoseconds = max(0, jitterNanoseconds)
            self.outageAfter = outageAfter
            self.outageDuration = outageDuration
            self.seed = seed
            self.satellitesUsed = satellitesUsed
            self.gpsMinusUTC = gpsMinusUTC
        }
    }

    /// One simulated pulse: when it truly happened on the system clock, and the second it labels.
    public struct Pulse: Sendable, Hashable {
        public var systemTime: PTPInstant
        public var utcSecond: Int64

        public init(systemTime: PTPInstant, utcSecond: Int64) {
            self.systemTime = systemTime
            self.utcSecond = utcSecond
        }
    }

    public let configuration: Configuration
    /// The system second the simulation started at.
    public let start: Int64
    private var random: SplitMix64
    public private(set) var pulses = 0
    public private(set) var suppressed = 0

    public init(configuration: Configuration, start: Int64) {
        self.configuration = configuration
        self.start = start
        random = SplitMix64(seed: configuration.seed)
    }

    /// Whether second `second` falls in the scheduled outage.
    public func inOutage(_ second: Int64) -> Bool {
        guard let after = configuration.outageAfter, configuration.outageDuration > .zero else { return false }
        let begin = PTPInstant(seconds: start) + after
        let end = begin + configuration.outageDuration
        let edge = PTPInstant(seconds: second)
        return edge >= begin && edge < end
    }

    /// The pulse of UTC (system) second `second`, or nil in an outage. Call once per second, in order: the
    /// jitter sequence depends on it.
    public mutating func pulse(second: Int64) -> Pulse? {
        let jitter = configuration.jitterNanoseconds > 0 ? random.nextGaussian() * configuration.jitterNanoseconds : 0
        if inOutage(second) {
            suppressed += 1
            return nil
        }
        pulses += 1
        return Pulse(systemTime: PTPInstant(seconds: second) + .nanoseconds(jitter), utcSecond: second)
    }

    /// The reference sample of `pulse` on a clock that reads `systemToClock(system time)`.
    public func sample(_ pulse: Pulse, systemToClock: (PTPInstant) -> PTPInstant) -> ReferenceSample {
        ReferenceSample(
            edge: systemToClock(pulse.systemTime), utcSecond: pulse.utcSecond, fixMode: .threeDimensional,
            satellitesUsed: configuration.satellitesUsed, gpsMinusUTC: configuration.gpsMinusUTC)
    }
}

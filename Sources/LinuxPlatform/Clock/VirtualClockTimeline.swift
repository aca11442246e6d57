import PTPCore

/// The pure arithmetic of a ``VirtualClock``: virtual time as a piecewise-linear function of base time.
///
/// Each segment starts at a base instant with the virtual time there and the rate ratio − 1 in force from
/// then on. A step or a frequency change starts a new segment, so a stamp taken before the change still
/// converts with the rate and phase that held when it was taken. Wander steps are segments too.
struct VirtualClockTimeline: Sendable {
    struct Segment: Sendable {
        var base: PTPInstant
        var virtual: PTPInstant
        /// (virtual rate / base rate) − 1.
        var rate: Double
    }

    private(set) var segments: [Segment]
    let frequencyError: PartsPerBillion
    private(set) var adjustment: PartsPerBillion = .zero
    private(set) var wanderFrequency: PartsPerBillion = .zero
    private let wander: VirtualClockConfiguration.Wander?
    private var nextWander: PTPInstant
    private var generator: SplitMix64
    static let history = 64
    static let maxWanderStepsPerCall = 1_000_000

    init(configuration: VirtualClockConfiguration, start: PTPInstant) {
        self.frequencyError = configuration.frequencyError
        self.wander = configuration.wander
        self.generator = SplitMix64(seed: configuration.wander?.seed ?? 0)
        self.nextWander = start + (configuration.wander?.interval ?? .zero)
        self.segments = [
            Segment(base: start, virtual: start + configuration.initialOffset, rate: configuration.frequencyError.ratio)
        ]
    }

    /// The rate now in force: own error + adjustment + wander, in ppb.
    var effectiveFrequency: PartsPerBillion {
        frequencyError + adjustment + wanderFrequency
    }

    /// The virtual time at base instant `base` (a kernel software stamp, or a reading of the base clock).
    func virtual(at base: PTPInstant) -> PTPInstant {
        let segment = segments.last { $0.base <= base } ?? segments[0]
        let elapsed = base - segment.base
        return segment.virtual + elapsed + elapsed.scaled(by: segment.rate)
    }

    /// Applies every wander step due up to `base`.
    mutating func advance(to base: PTPInstant) {
        guard let wander, wander.interval > .zero else { return }
        var steps = 0
        while nextWander <= base {
            steps += 1
            if steps > Self.maxWanderStepsPerCall {
                // Unread for longer than a million intervals: restart the walk from here.
                nextWander = base + wander.interval
                break
            }
            let step = generator.nextGaussian() * wander.stepDeviation.value
            wanderFrequency = PartsPerBillion(wanderFrequency.value + step).clamped(to: wander.bound)
            startSegment(at: nextWander, offset: .zero)
            nextWander += wander.interval
        }
    }

    /// Sets the adjustment from base instant `base` on.
    mutating func setAdjustment(_ value: PartsPerBillion, at base: PTPInstant) {
        advance(to: base)
        adjustment = value
        startSegment(at: base, offset: .zero)
    }

    /// Steps the virtual time by `offset` at base instant `base`.
    mutating func step(by offset: PTPDuration, at base: PTPInstant) {
        advance(to: base)
        startSegment(at: base, offset: offset)
    }

    private mutating func startSegment(at base: PTPInstant, offset: PTPDuration) {
        let virtual = virtual(at: base) + offset
        segments.append(Segment(base: base, virtual: virtual, rate: effectiveFrequency.ratio))
        if segments.count > Self.history {
            segments.removeFirst(segments.count - Self.history)
        }
    }
}

import PTPCore

/// A free-running oscillator and the clock built on it: local time as a function of true time.
///
/// The local clock runs at (1 + (frequencyError + adjustment) · 10⁻⁹) times true rate. The frequency
/// error wanders as a random walk (`wander` ppb per √s), the adjustment is what the servo set, and a
/// step moves the phase. Time stamps add white noise (`stampNoise`, one standard deviation).
public struct Oscillator: Sendable {
    public var frequencyError: PartsPerBillion
    public var wander: Double
    public var stampNoise: Double
    /// The chance that a time stamp is taken late by a spike (software stamping), and the spike's
    /// range, ns (uniform); 0: none.
    public var spikeProbability = 0.0
    public var spikeMinimum = 0.0
    public var spikeMaximum = 0.0
    public private(set) var adjustment: PartsPerBillion = .zero
    public let maxAdjustment: PartsPerBillion
    private var lastTrue: PTPInstant
    private var lastLocal: PTPInstant

    /// An oscillator that reads `initialOffset` ahead of true time at `start`.
    public init(
        frequencyError: PartsPerBillion, wander: Double = 0, stampNoise: Double = 0,
        initialOffset: PTPDuration = .zero, start: PTPInstant, maxAdjustment: PartsPerBillion = PartsPerBillion(500_000)
    ) {
        self.frequencyError = frequencyError
        self.wander = wander
        self.stampNoise = stampNoise
        self.maxAdjustment = maxAdjustment
        lastTrue = start
        lastLocal = start + initialOffset
    }

    /// Local time at true time `t` (which must not precede the last call), advancing the model.
    public mutating func advance(to t: PTPInstant, random: inout SplitMix64) -> PTPInstant {
        let dt = t - lastTrue
        guard dt > .zero else { return lastLocal }
        let seconds = dt.secondsDouble
        let rate = (frequencyError.value + adjustment.value) * 1e-9
        lastLocal = lastLocal + dt + .nanoseconds(seconds * 1e9 * rate)
        lastTrue = t
        if wander > 0 {
            frequencyError = PartsPerBillion(frequencyError.value + wander * seconds.squareRoot() * random.nextGaussian())
        }
        return lastLocal
    }

    /// Local time at true time `t` without advancing the model (no wander drawn): for observers.
    public func localTime(at t: PTPInstant) -> PTPInstant {
        let dt = t - lastTrue
        let rate = (frequencyError.value + adjustment.value) * 1e-9
        return lastLocal + dt + .nanoseconds(dt.secondsDouble * 1e9 * rate)
    }

    /// Local time now (at the last advance) without advancing.
    public var localNow: PTPInstant { lastLocal }

    /// A time stamp of the local clock at true time `t`: the local time plus stamp noise.
    public mutating func stamp(at t: PTPInstant, random: inout SplitMix64) -> PTPInstant {
        let local = advance(to: t, random: &random)
        guard stampNoise > 0 else { return local }
        var noise = stampNoise * random.nextGaussian()
        if spikeProbability > 0, random.nextUnit() < spikeProbability {
            // A software stamp taken late (the softirq or the thread descheduled): always later, never earlier.
            noise += spikeMinimum + (spikeMaximum - spikeMinimum) * random.nextUnit()
        }
        return local + .nanoseconds(noise)
    }

    /// Sets the frequency adjustment (clamped to the clock's limit), as `clock_adjtime` would.
    public mutating func adjustFrequency(_ value: PartsPerBillion) {
        adjustment = value.clamped(to: maxAdjustment)
    }

    /// Steps the clock.
    public mutating func step(by offset: PTPDuration) {
        lastLocal = lastLocal + offset
    }
}

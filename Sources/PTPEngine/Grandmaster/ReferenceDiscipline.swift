import PTPCore
import PTPServo

/// A grandmaster's discipline by a time reference: reference samples → validation → servo → holdover
/// model → state → announced quality. Pure: the daemon's `ClockActor` feeds it and carries out its output.
///
/// Drive it with ``sample(_:)`` for every reference sample and ``tick(now:)`` about once a second with the
/// clock's time (that is how loss of the reference is noticed and holdover is steered). Each call returns a
/// ``ReferenceDisciplineOutput``: step, frequency, state change and, when it changed, the
/// ``GrandmasterQuality`` to announce (IEEE 1588-2019 7.6.2.5, 7.6.2.6, 7.6.3, 8.2.4).
///
/// States: free-running until the first valid sample, locking while the servo pulls in, locked after
/// `lockSamples` consecutive good samples, holdover when the reference is lost or untrusted for
/// `referenceTimeout` (the clock keeps the model's frequency plus drift), and holdover out of specification
/// once the predicted error crosses `holdover_max_error` or `holdover_max_time` passes. When valid samples
/// return in holdover the servo steers again (without a step unless the offset exceeds `step_threshold`)
/// and the clock is locked again after `lockSamples` good samples.
///
/// How a `ClockActor` drives it:
///
///     var discipline = ReferenceDiscipline(
///         configuration: ReferenceDisciplineConfiguration(timescale: clock is PHCClock ? .tai : .utc, …),
///         servo: SelectedServo(kind, configuration: servoConfiguration, currentFrequency: try clock.frequency(),
///                              clockMaximum: clock.maxFrequency, syncInterval: 1),
///         utcResolver: UTCOffsetResolver(configuredOffset: utc_offset, table: parsed leapfile))
///     // for each ReferenceEvent.sample(s) from the source's AsyncStream:
///     carry(discipline.sample(s))
///     // every second (and no more than every 250 ms):
///     carry(discipline.tick(now: try clock.now()))
///     func carry(_ out: ReferenceDisciplineOutput) {
///         if let step = out.step { try clock.step(by: step) }
///         if let f = out.frequency { try clock.adjustFrequency(f) }
///         if let change = out.stateChange { log(change.description); publish(change) }
///         if let q = out.quality { instance.setGrandmasterQuality(q, at: now, into: &actions) }
///     }
///
/// ``status`` is the snapshot for management.
public struct ReferenceDiscipline: Sendable {
    public private(set) var configuration: ReferenceDisciplineConfiguration
    /// The servo ``sample(_:)`` steers; a daemon passes the clock's shared servo to ``sample(_:servo:)`` instead.
    public private(set) var servo: SelectedServo
    public private(set) var validator: ReferenceSampleValidator
    public private(set) var holdover: HoldoverModel
    public private(set) var state: GrandmasterClockState = .freeRunning
    /// The clock's time when ``state`` was entered (nil: since start).
    public private(set) var stateSince: PTPInstant?
    public private(set) var utcResolver: UTCOffsetResolver
    /// The quality announced now.
    public private(set) var quality: GrandmasterQuality
    /// How many times each state was entered.
    public private(set) var stateEntries: [GrandmasterClockState: Int] = [:]
    public private(set) var lastOffset: PTPDuration?
    /// The clock's time of the last accepted sample's edge.
    public private(set) var lastValidEdge: PTPInstant?
    public private(set) var utcOffset: UTCOffsetStatus
    /// The predicted error in holdover after the last tick.
    public private(set) var predictedError: PTPDuration?
    private var recentOffsets: [Double] = []
    private var consecutiveGood = 0
    private var receiverGPSMinusUTC: Int?
    private var holdoverFrequency: PartsPerBillion?
    /// ``lastValidEdge`` as the last tick saw it: a different one at the next tick means a sample came between.
    private var edgeAtLastTick: PTPInstant?

    public init(
        configuration: ReferenceDisciplineConfiguration, servo: SelectedServo = SelectedServo(.pi, syncInterval: 1),
        utcResolver: UTCOffsetResolver = UTCOffsetResolver()
    ) {
        self.configuration = configuration
        self.servo = servo
        self.validator = ReferenceSampleValidator(configuration: configuration.validator)
        self.holdover = HoldoverModel(configuration: configuration.holdover)
        self.utcResolver = utcResolver
        self.utcOffset = utcResolver.resolve(atUTC: 0, receiverGPSMinusUTC: nil)
        self.quality = configuration.quality.quality(state: .freeRunning, measuredError: nil, utcOffset: utcOffset)
        stateEntries[.freeRunning] = 1
    }

    /// Replaces the leap-second knowledge (a reloaded `leapfile`).
    public mutating func setUTCResolver(_ resolver: UTCOffsetResolver) {
        utcResolver = resolver
    }

    /// Where the labelled second of `sample` falls on the disciplined clock.
    func expectedEdge(of sample: ReferenceSample, utc: UTCOffsetStatus) -> PTPInstant {
        let shift: Int64 = configuration.timescale == .tai ? Int64(utc.offset) : 0
        return PTPInstant(seconds: sample.utcSecond + shift)
    }

    /// Feeds one reference sample to the discipline's own servo (a discipline used on its own: tests,
    /// benchmarks, tools).
    public mutating func sample(_ sample: ReferenceSample) -> ReferenceDisciplineOutput {
        var own = servo
        let out = self.sample(sample, servo: &own)
        servo = own
        return out
    }

    /// Feeds one reference sample to `servo`: the clock's one servo, which steers from the reference while
    /// the clock is the grandmaster and from the slave port otherwise (``ClockDiscipline/steerFromReference(_:)``).
    /// The discipline's own ``servo`` is then unused.
    ///
    /// With `steering` false the clock follows another source (a standby grandmaster that is slave of the
    /// active one): the sample is validated and judged against the clock as it is — the same states, the
    /// same measured quality, so the standby announces class 6 when its own receiver agrees with its
    /// clock and can take over at once — but the servo is left alone and the output carries no step and no
    /// frequency.
    public mutating func sample(_ sample: ReferenceSample, servo: inout SelectedServo, steering: Bool = true)
        -> ReferenceDisciplineOutput
    {
        var out = ReferenceDisciplineOutput()
        guard sample.isPlausible else {
            // Before the UTC offset and the expected edge are computed from its numbers (issue #17).
            out.rejection = validator.reject(.implausible)
            consecutiveGood = 0
            publishQuality(into: &out, now: sample.edge)
            return out
        }
        if let gps = sample.gpsMinusUTC, gps > 0 { receiverGPSMinusUTC = gps }
        utcOffset = utcResolver.resolve(atUTC: sample.utcSecond, receiverGPSMinusUTC: receiverGPSMinusUTC)
        let expected = expectedEdge(of: sample, utc: utcOffset)
        let offset = sample.edge - expected
        if let rejection = validator.validate(sample, offset: offset, clockTrusted: state.trustsItsOwnTime) {
            out.rejection = rejection
            consecutiveGood = 0
            publishQuality(into: &out, now: sample.edge)
            return out
        }
        lastValidEdge = sample.edge
        lastOffset = offset
        out.offset = offset
        let inHoldover = state.isHoldover
        if !inHoldover { holdover.observe(offset: offset, at: expected) }
        let servoOutput =
            steering
            ? servo.sample(offset: offset, localTime: sample.edge, weight: 1)
            : ServoOutput(state: servo.state, frequency: servo.lastFrequency, step: nil)
        out.servoState = servoOutput.state
        out.frequency = steering ? servoOutput.frequency : nil
        holdoverFrequency = nil
        if let step = servoOutput.step, servoOutput.state == .jump {
            out.step = step
            validator.clockStepped(by: step)
            holdover.stepped(by: step)
            recentOffsets.removeAll(keepingCapacity: true)
        }
        // The model hears of every change, in holdover too, so its history survives reacquisition.
        holdover.frequencyChanged(to: servoOutput.frequency, at: inHoldover ? expected : nil)
        let threshold = configuration.lockThreshold ?? configuration.holdover.maxError
        if servoOutput.state == .locked && offset.magnitude <= threshold {
            consecutiveGood += 1
            recentOffsets.append(offset.nanosecondsDouble)
            if recentOffsets.count > configuration.qualityWindow {
                recentOffsets.removeFirst(recentOffsets.count - configuration.qualityWindow)
            }
        } else {
            consecutiveGood = 0
        }
        switch state {
        case .freeRunning:
            change(to: .locking, at: sample.edge, reason: "first valid reference sample", into: &out)
            if consecutiveGood >= configuration.lockSamples { change(to: .locked, at: sample.edge, reason: "locked", into: &out) }
        case .locking:
            if consecutiveGood >= configuration.lockSamples {
                change(to: .locked, at: sample.edge, reason: "\(consecutiveGood) samples within \(threshold)", into: &out)
            }
        case .locked:
            break
        case .holdoverWithinSpecification, .holdoverOutOfSpecification:
            if consecutiveGood >= configuration.lockSamples {
                holdover.exitHoldover()
                predictedError = nil
                change(
                    to: .locked, at: sample.edge, reason: "reference back: \(consecutiveGood) samples within \(threshold)",
                    into: &out)
            }
        }
        publishQuality(into: &out, now: sample.edge)
        return out
    }

    /// Notices a lost reference and steers holdover; call about once a second with the clock's time.
    public mutating func tick(now: PTPInstant) -> ReferenceDisciplineOutput {
        var out = ReferenceDisciplineOutput()
        let lost = lastValidEdge.map { now - $0 > configuration.referenceTimeout } ?? false
        if lost, let edge = lastValidEdge, edge != edgeAtLastTick { out.staleEdgeAge = now - edge }
        edgeAtLastTick = lastValidEdge
        switch state {
        case .freeRunning:
            break
        case .locking:
            if lost {
                consecutiveGood = 0
                change(to: .freeRunning, at: now, reason: "reference lost before the clock locked", into: &out)
            }
        case .locked:
            let missed = lastValidEdge.map { now - $0 > configuration.referenceTimeout / 2 } ?? false
            if missed && !lost && holdoverFrequency == nil, let bridge = holdover.estimate?.frequency {
                // A pulse is missing: until the sample comes or holdover starts, run at the model's frequency
                // rather than the servo's last one (which carries its proportional reaction to the last offset).
                holdoverFrequency = bridge
                holdover.frequencyChanged(to: bridge, at: now)
                out.frequency = bridge
            }
            if lost {
                consecutiveGood = 0
                let frequency = holdover.enterHoldover(at: now)
                if let frequency { holdover.frequencyChanged(to: frequency, at: now) }
                holdoverFrequency = frequency
                out.frequency = frequency
                let within = holdover.isWithinSpecification(at: now)
                let why =
                    frequency == nil
                    ? "reference lost; too little history for a holdover model"
                    : "reference lost; holding \(frequency.map { String(Int64(($0.value * 1000).rounded())) } ?? "") mppb"
                change(to: within ? .holdoverWithinSpecification : .holdoverOutOfSpecification, at: now, reason: why, into: &out)
            }
        case .holdoverWithinSpecification, .holdoverOutOfSpecification:
            if lost, holdover.holdoverStart != nil {
                // Keep the model's frequency (plus drift); re-apply it when the servo moved it meanwhile.
                let frequency = holdover.frequency(at: now)
                if holdoverFrequency != frequency {
                    holdoverFrequency = frequency
                    holdover.frequencyChanged(to: frequency, at: now)
                    out.frequency = frequency
                }
            }
            predictedError = holdover.predictedError(at: now)
            if state == .holdoverWithinSpecification && !holdover.isWithinSpecification(at: now) {
                let timedOut =
                    configuration.holdover.maxTime.map { max in holdover.holdoverStart.map { now - $0 > max } ?? false } ?? false
                let why =
                    timedOut || predictedError == nil
                    ? "holdover_max_time reached"
                    : "predicted time error \(predictedError ?? .zero) beyond \(configuration.holdover.maxError)"
                change(to: .holdoverOutOfSpecification, at: now, reason: why, into: &out)
            }
        }
        publishQuality(into: &out, now: now)
        return out
    }

    private mutating func change(
        to new: GrandmasterClockState, at time: PTPInstant, reason: String, into out: inout ReferenceDisciplineOutput
    ) {
        guard new != state else { return }
        out.stateChange = GrandmasterStateChange(from: out.stateChange?.from ?? state, to: new, at: time, reason: reason)
        state = new
        stateSince = time
        stateEntries[new, default: 0] += 1
    }

    /// A new measurement of the crossing's uncertainty (the sys-offset window, re-measured while running: a
    /// PHC's read path can get slower or noisier under load). It enters ``measuredError`` at once and the
    /// announced quality at the next tick.
    public mutating func setConversionUncertainty(_ uncertainty: PTPDuration) {
        configuration.conversionUncertainty = max(.zero, uncertainty)
    }

    /// The error the clock is known to be within now: the spread of recent offsets while locked
    /// (|mean| + 2σ), the model's prediction in holdover; plus the conversion's uncertainty
    /// (``ReferenceDisciplineConfiguration/conversionUncertainty``) either way.
    public var measuredError: PTPDuration? {
        let conversion = configuration.conversionUncertainty
        if state.isHoldover, let predictedError { return predictedError + conversion }
        guard recentOffsets.count >= 3 else { return nil }
        let n = Double(recentOffsets.count)
        let mean = recentOffsets.reduce(0, +) / n
        let variance = recentOffsets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return .nanoseconds(abs(mean) + 2 * variance.squareRoot()) + conversion
    }

    private mutating func publishQuality(into out: inout ReferenceDisciplineOutput, now: PTPInstant) {
        if state.isHoldover || lastValidEdge == nil {
            let shift: Int64 = configuration.timescale == .tai ? Int64(utcOffset.offset) : 0
            utcOffset = utcResolver.resolve(atUTC: now.seconds - shift, receiverGPSMinusUTC: receiverGPSMinusUTC)
        }
        // The policy keeps the announced accuracy and variance while the estimates only wander around them.
        let new = configuration.quality.quality(
            state: state, measuredError: measuredError, utcOffset: utcOffset, previous: quality.clockQuality)
        if new != quality {
            quality = new
            out.quality = new
        }
    }
}

import PTPCore
import PTPServo

/// The decisions that steer one clock, at the clock's level of the engine (beside the BMCA of
/// ``InstanceEngine``, which owns it): the one servo with its outlier filter (``ClockDiscipline``), holdover
/// when the master goes silent (an engine timer, ``ClockTimer/silence``), the grandmaster's reference
/// discipline and the quality it announces (``ReferenceDiscipline``), and the step policy of the servo.
///
/// Pure: it takes events (a measurement of the slave port, a reference sample, a tick, a timer, a change of
/// role) with the clock's time and appends what to do to ``InstanceAction``s: adjust the clock, arm the
/// silence timer, announce a quality. The daemon's clock actor and the simulator carry the actions out; the
/// servo's verdict on a measurement goes back to the slave port inside the same call, so nothing awaits
/// between a Follow_Up and the clock adjustment it causes.
public struct ClockEngine: Sendable {
    /// The servo and its outlier filter, whichever source steers.
    public private(set) var discipline: ClockDiscipline
    /// The grandmaster's time reference, when one is configured. Held out of line (1.6 kB, used once a
    /// second) so the engine the clock actor copies into every published snapshot stays small.
    public var reference: ReferenceDiscipline? {
        get { referenceStorage?.value }
        set { referenceStorage = newValue.map { OutOfLine($0) } }
    }
    private var referenceStorage: OutOfLine<ReferenceDiscipline>?
    /// Whether a reference is configured, without copying it out of line as ``reference`` does.
    public var hasReference: Bool { referenceStorage != nil }
    /// The reference's state, read in place (``reference`` copies the whole discipline out): the daemon asks
    /// for it after every event.
    public var referenceState: GrandmasterClockState? { referenceStorage?.value.state }
    /// True while the BMCA has chosen this clock as the grandmaster: its reference steers then, and a
    /// master it followed before is no longer expected.
    public private(set) var isGrandmaster = false
    /// The last measurement's outcome (management's lastOffset/lastPathDelay).
    public private(set) var lastStep: DisciplineStep?
    /// The engine time of the last measurement of the slave port, and how long a silence after it means
    /// the master is gone (three Sync intervals, at least ``minimumSilence``).
    public private(set) var lastMeasurementAt: PTPInstant?
    public private(set) var silenceLimit: PTPDuration = .seconds(3)
    /// Whether the silence timer is armed (it is re-armed from its own expiry, not on every measurement).
    private var silenceTimerArmed = false
    /// Holdover entries, by cause.
    public private(set) var holdovers = 0

    /// The shortest silence that counts as a lost master: at 16 Sync/s three intervals are 187.5 ms.
    public static let minimumSilence = PTPDuration.milliseconds(200)

    public init(servo: SelectedServo, outlierFilter: OutlierFilter? = nil, reference: ReferenceDiscipline? = nil) {
        discipline = ClockDiscipline(servo: servo, outlierFilter: outlierFilter)
        referenceStorage = reference.map { OutOfLine($0) }
    }

    /// The quality this clock offers as grandmaster: its reference's when it has one.
    public var referenceQuality: GrandmasterQuality? { reference?.quality }

    // MARK: The slave port

    /// One measurement of the slave port: the servo steers the clock, and the verdict is returned for the
    /// slave port (locked: MASTER_CLOCK_SELECTED, a step: SYNCHRONIZATION_FAULT; 9.2.6.12).
    public mutating func apply(_ m: SyncMeasurement, at now: PTPInstant, into actions: inout [InstanceAction]) -> ServoState {
        let step = discipline.apply(m)
        lastStep = step
        // Silence is measured on the clock, so a step moves the last measurement with it (a +150 ms step
        // must not read as 150 ms of silence).
        lastMeasurementAt = now + (step.output.step ?? .zero)
        let interval = m.logSyncInterval == .unspecified ? LogInterval(0) : m.logSyncInterval
        silenceLimit = max(Self.minimumSilence, interval.duration * 3)
        if step.sourceChanged { actions.append(.clock(.sourceChanged(.master(m.master)))) }
        actions.append(.clock(.measured(step, syncInterval: m.logSyncInterval)))
        actions.append(.clock(.adjust(step: step.output.step, frequency: step.output.frequency, by: .servo)))
        if !silenceTimerArmed {
            silenceTimerArmed = true
            actions.append(.clock(.armTimer(.silence, after: silenceLimit)))
        }
        return step.output.state
    }

    // MARK: Timers and role

    /// The silence timer expired: holdover if no measurement came within the limit, else wait for the rest.
    public mutating func timerFired(_ timer: ClockTimer, at now: PTPInstant, into actions: inout [InstanceAction]) {
        switch timer {
        case .silence:
            silenceTimerArmed = false
            guard let last = lastMeasurementAt else { return }
            let silent = now - last
            if silent >= silenceLimit {
                lastMeasurementAt = nil
                enterHoldover(.masterSilent(silent), at: now, into: &actions)
            } else {
                silenceTimerArmed = true
                actions.append(.clock(.armTimer(.silence, after: silenceLimit - silent)))
            }
        }
    }

    /// The BMCA made this clock the grandmaster, or another clock: the master we followed is gone when we
    /// are the best clock now, so until the reference (if any) steers, the clock coasts in holdover.
    public mutating func setGrandmaster(_ grandmaster: Bool, at now: PTPInstant, into actions: inout [InstanceAction]) {
        isGrandmaster = grandmaster
        if grandmaster {
            lastMeasurementAt = nil
            enterHoldover(.grandmasterRole, at: now, into: &actions)
        }
    }

    /// The slave port follows another time than before, and the one before was not traceable (9.3.5: a new
    /// grandmasterIdentity, or timeTraceable becoming true): at power-up a boundary clock serves its own
    /// untraceable time until it has found the real grandmaster and stepped to it, and a clock below that
    /// locked to the interim time would otherwise slew the whole step at the servo's maximum rate (minutes for
    /// tens of milliseconds). The servo acquires afresh and may step once more (`first_step_threshold`).
    /// Between traceable grandmasters (an active and a standby locked to GNSS) nothing changes: failover
    /// never steps. Nor does a clock whose servo locked while the time it followed was traceable when its
    /// master announces untraceable time for a while (``InstanceEngine`` `lockedToTraceableTime`).
    public mutating func followedUntraceableTimeChanged(into actions: inout [InstanceAction]) {
        guard !isGrandmaster, case .master? = discipline.source else { return }
        discipline.restartAcquisition()
        actions.append(.clock(.acquisitionRestarted))
    }

    /// The clock's own rate, against the monotonic clock, left what any oscillator does (ptp4l's
    /// `clock_check_ts`, `sanity_freq_limit`): something else stepped or slewed it. The servo starts over.
    public mutating func clockCheckFailed() {
        discipline.resetServo()
    }

    /// The engine's time moved by `delta` with the clock (``InstanceEngine/timescaleShifted(by:)``).
    public mutating func timescaleShifted(by delta: PTPDuration) {
        lastMeasurementAt = lastMeasurementAt.map { $0 + delta }
    }

    private mutating func enterHoldover(_ cause: HoldoverCause, at now: PTPInstant, into actions: inout [InstanceAction]) {
        guard let frequency = discipline.holdover(at: now) else { return }
        holdovers += 1
        actions.append(.clock(.adjust(step: nil, frequency: frequency, by: .holdover)))
        actions.append(
            .clock(.holdover(ClockHoldover(cause: cause, frequency: frequency, windowSeconds: discipline.heldWindowSeconds))))
    }

    // MARK: The reference

    /// One reference sample. While this clock is the grandmaster it steers the clock through the shared
    /// servo; otherwise (a standby following the active grandmaster) it is judged against the clock without
    /// steering it, so the announced class says whether this clock could take over with its own reference.
    /// Returns the quality to announce when it changed.
    public mutating func referenceSample(_ sample: ReferenceSample, into actions: inout [InstanceAction]) -> GrandmasterQuality? {
        guard var reference else { return nil }
        let output: ReferenceDisciplineOutput
        if isGrandmaster {
            let (steered, changed) = discipline.steerFromReference { servo in reference.sample(sample, servo: &servo) }
            output = steered
            if changed { actions.append(.clock(.sourceChanged(.reference))) }
        } else {
            var servo = discipline.servo
            output = reference.sample(sample, servo: &servo, steering: false)
        }
        self.reference = reference
        return carry(output, into: &actions)
    }

    /// About once a second: notices a lost reference, steers holdover (when the grandmaster), updates the
    /// announced quality.
    public mutating func referenceTick(at now: PTPInstant, into actions: inout [InstanceAction]) -> GrandmasterQuality? {
        guard var reference else { return nil }
        let output = reference.tick(now: now)
        self.reference = reference
        return carry(output, into: &actions)
    }

    private func carry(_ output: ReferenceDisciplineOutput, into actions: inout [InstanceAction]) -> GrandmasterQuality? {
        // Only the grandmaster's reference adjusts the clock; a standby's follows the slave port.
        if isGrandmaster, output.step != nil || output.frequency != nil {
            actions.append(.clock(.adjust(step: output.step, frequency: output.frequency, by: .reference)))
        }
        actions.append(.clock(.reference(output, steering: isGrandmaster)))
        return output.quality
    }

    /// Replaces the leap-second knowledge of the reference (a reloaded `leapfile`).
    public mutating func setUTCResolver(_ resolver: UTCOffsetResolver) {
        reference?.setUTCResolver(resolver)
    }
}

/// A value kept on the heap, immutable: a change stores a new box, so value semantics hold, and a reader can
/// load one field of it without copying the rest.
final class OutOfLine<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}

/// The clock's own timers (the ports have theirs, ``PortTimer``).
public enum ClockTimer: UInt8, Sendable, Hashable, CaseIterable {
    /// Three Sync intervals after the slave port's last measurement: the master went silent.
    case silence
}

/// Why the clock went into holdover.
public enum HoldoverCause: Sendable, Hashable, CustomStringConvertible {
    /// No measurement for this long (longer than three Sync intervals).
    case masterSilent(PTPDuration)
    /// The BMCA chose this clock as the grandmaster.
    case grandmasterRole

    public var description: String {
        switch self {
        case .masterSilent(let silence): "no Sync for \(silence.nanoseconds / 1_000_000) ms"
        case .grandmasterRole: "the grandmaster role is ours"
        }
    }
}

/// The clock went into holdover: it runs on `frequency`, fitted over its last `windowSeconds` locked (nil:
/// the servo's learned frequency).
public struct ClockHoldover: Sendable, Hashable, CustomStringConvertible {
    public var cause: HoldoverCause
    public var frequency: PartsPerBillion
    public var windowSeconds: Double?

    public var description: String {
        let basis = windowSeconds.map { "fitted over the last \(Int($0)) s" } ?? "the servo's learned frequency"
        let ppb = -frequency.value
        let rounded = ppb.isFinite ? Int64(max(-9e15, min(9e15, ppb.rounded()))) : 0
        return "holdover (\(cause)): the clock runs on freq \(rounded), \(basis)"
    }
}

/// What steered an adjustment.
public enum AdjustmentSource: Sendable, Hashable {
    /// The servo, on a measurement of the slave port.
    case servo
    /// The grandmaster's reference.
    case reference
    /// Holdover: the held frequency.
    case holdover
}

/// What the clock's owner must do or may report (``InstanceAction/clock(_:)``).
public enum ClockAction: Sendable {
    /// Step the clock by `step` (if any), then set its frequency adjustment (if any).
    case adjust(step: PTPDuration?, frequency: PartsPerBillion?, by: AdjustmentSource)
    /// Arm (or re-arm) a clock timer; it comes back as ``InstanceEvent/clockTimerFired(_:)``.
    case armTimer(ClockTimer, after: PTPDuration)
    /// What the servo made of a measurement of the slave port (ptp4l's `master offset` line; the step keeps the
    /// measurement's offset and path delay), and the Sync interval it was made at. Not boxed: at 82 bytes it
    /// fits within a port's send, which sizes every engine action, where a box cost an allocation per Sync.
    case measured(DisciplineStep, syncInterval: LogInterval)
    /// The servo now follows a different source; its frequency is kept (no step unless beyond step_threshold).
    case sourceChanged(ClockDiscipline.Source)
    /// The servo acquires afresh (``ClockEngine/followedUntraceableTimeChanged(into:)``).
    case acquisitionRestarted
    /// The clock went into holdover.
    case holdover(ClockHoldover)
    /// What the reference discipline made of a sample or tick (its offset line, a rejection, a state change).
    /// Boxed (`indirect`): unboxed it would make every engine action larger, copied through each owner's
    /// action list, for an action of once a second.
    indirect case reference(ReferenceDisciplineOutput, steering: Bool)
}

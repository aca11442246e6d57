import PTPCore

/// A clock servo: offset samples in, frequency adjustments (and the occasional step) out.
///
/// The model is linuxptp's `servo.h` (`servo_sample`, `servo_reset`, `servo_sync_interval`).
/// Implementations are value types with no I/O; the clock owner (the daemon's `ClockActor`, or the
/// simulator) applies the output to its clock.
public protocol ClockServo: Sendable {
    /// Feeds one sample. `offset` is local − master (`offsetFromMaster`, IEEE 1588-2019 11.2),
    /// `localTime` the local receive time of the Sync the offset belongs to.
    mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double) -> ServoOutput

    /// Tells the servo the interval between samples (the Sync interval), in seconds.
    mutating func setSyncInterval(_ seconds: Double)

    /// Forgets every sample; the next sample starts over from ``ServoState/unlocked``.
    mutating func reset()

    /// Starts a new acquisition as on the first update: forgets the samples, keeps the current frequency
    /// (the clock runs on it until the new estimate), and lets the new estimate step the clock once more
    /// when its offset is beyond `first_step_threshold`. For a clock whose time came from a grandmaster that
    /// was not traceable and that now follows another time (``ClockDiscipline/restartAcquisition()``).
    mutating func restartAcquisition()

    /// The state after the last sample.
    var state: ServoState { get }

    /// The frequency adjustment last returned.
    var lastFrequency: PartsPerBillion { get }

    /// The frequency the servo has learned for the clock — the adjustment that cancels the oscillator's
    /// own error, without the term that is correcting the current phase — or nil while ``state`` is
    /// ``ServoState/unlocked``. This is what a drift file keeps: `lastFrequency` also carries the answer to
    /// the last offset, which on software time stamps moves by thousands of ppb from one Sync to the next.
    var learnedFrequency: PartsPerBillion? { get }

    /// The source of samples is gone and the clock is to run on `frequency` from `localTime` on (an estimate
    /// its owner made, such as ``learnedFrequency`` or an average over a longer window): sets
    /// ``lastFrequency``, and what the servo carries forward, so that the next source's samples continue
    /// from this frequency rather than from the last adjustment (whose phase term answered one offset and,
    /// left in place, turns into a time error that grows for as long as no sample comes).
    mutating func hold(frequency: PartsPerBillion, at localTime: PTPInstant)
}

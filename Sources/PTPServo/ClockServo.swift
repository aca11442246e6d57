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

    /// The state after the last sample.
    var state: ServoState { get }

    /// The frequency adjustment last returned.
    var lastFrequency: PartsPerBillion { get }
}

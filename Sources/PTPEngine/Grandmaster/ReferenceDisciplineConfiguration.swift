import PTPCore
import PTPServo

/// The timescale the disciplined clock counts in, which decides where a labelled UTC second falls on it.
public enum ClockTimescale: Sendable, Hashable {
    /// PTP timescale (TAI), as a PHC keeps it: the edge of UTC second s is at s + (TAI − UTC).
    case tai
    /// UTC, as `CLOCK_REALTIME` (and a virtual clock over it) keeps it: the edge of UTC second s is at s.
    case utc
}

/// Everything ``ReferenceDiscipline`` needs from the configuration.
public struct ReferenceDisciplineConfiguration: Sendable, Hashable {
    public var validator: ReferenceValidatorConfiguration
    public var holdover: HoldoverConfiguration
    public var quality: GrandmasterQualityPolicy
    public var timescale: ClockTimescale
    /// Without a valid sample for this long the reference is lost (2.5 s: two missed pulses at 1 PPS).
    public var referenceTimeout: PTPDuration
    /// Consecutive valid samples with the servo locked and the offset within ``lockThreshold`` before the
    /// clock counts as locked (and announces clockClass 6).
    public var lockSamples: Int
    /// The largest |offset| that counts towards locking; nil means `holdover_max_error`.
    public var lockThreshold: PTPDuration?
    /// Reference offsets kept for the measured clockAccuracy and offsetScaledLogVariance.
    public var qualityWindow: Int
    /// How uncertain the crossing from the reference's clock to the disciplined clock is: zero when the
    /// reference stamps on the disciplined clock itself (PHC external timestamps, a virtual clock's
    /// timeline), the sys-offset read window when CLOCK_REALTIME stamps are carried onto a PHC. It is added
    /// to the measured error, so it enters clockAccuracy (7.6.2.6): the offsets the discipline sees cannot
    /// show it.
    public var conversionUncertainty: PTPDuration = .zero

    public init(
        validator: ReferenceValidatorConfiguration = ReferenceValidatorConfiguration(),
        holdover: HoldoverConfiguration = HoldoverConfiguration(),
        quality: GrandmasterQualityPolicy = GrandmasterQualityPolicy(), timescale: ClockTimescale = .tai,
        referenceTimeout: PTPDuration = .milliseconds(2_500), lockSamples: Int = 8, lockThreshold: PTPDuration? = nil,
        qualityWindow: Int = 64
    ) {
        self.validator = validator
        self.holdover = holdover
        self.quality = quality
        self.timescale = timescale
        self.referenceTimeout = referenceTimeout
        self.lockSamples = max(1, lockSamples)
        self.lockThreshold = lockThreshold
        self.qualityWindow = max(3, qualityWindow)
    }
}

/// A change of ``GrandmasterClockState``, for the log, the counters, management and subscribers.
public struct GrandmasterStateChange: Sendable, Hashable, CustomStringConvertible {
    public var from: GrandmasterClockState
    public var to: GrandmasterClockState
    /// The disciplined clock's time of the change.
    public var at: PTPInstant
    public var reason: String

    public var description: String { "reference state \(from) -> \(to): \(reason)" }
}

/// What the clock owner must do after ``ReferenceDiscipline/sample(_:)`` or ``ReferenceDiscipline/tick(now:)``,
/// in this order: step, set the frequency, publish the quality.
public struct ReferenceDisciplineOutput: Sendable, Hashable {
    /// Step the clock by this (positive forward).
    public var step: PTPDuration?
    /// Set the clock's frequency adjustment to this (absolute).
    public var frequency: PartsPerBillion?
    /// The sample's offset (local − reference) when it was accepted.
    public var offset: PTPDuration?
    /// The servo's state after an accepted sample.
    public var servoState: ServoState?
    /// Why the sample was refused.
    public var rejection: ReferenceRejection?
    public var stateChange: GrandmasterStateChange?
    /// A tick found the reference lost although a sample was accepted since the tick before: how old that
    /// sample's edge was. The samples still come, but their reports arrive more than `referenceTimeout` after
    /// their edges, so the reference counts as lost (a servo fed seconds-old offsets would oscillate); the daemon
    /// logs it.
    public var staleEdgeAge: PTPDuration?
    /// The new grandmaster quality when it changed: give it to `InstanceEngine.setGrandmasterQuality`.
    public var quality: GrandmasterQuality?

    public init() {}
}

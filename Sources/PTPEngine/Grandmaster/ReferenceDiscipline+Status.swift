import PTPCore
import PTPServo

/// A snapshot of a grandmaster's reference for management (Meridian's own status ID, alongside the PARENT_DATA_SET
/// and TIME_PROPERTIES_DATA_SET that ``ReferenceDiscipline/quality`` feeds) and for subscribers.
public struct ReferenceStatus: Sendable, Hashable {
    public var state: GrandmasterClockState
    public var stateSince: PTPInstant?
    /// How many times each state was entered since start.
    public var stateEntries: [GrandmasterClockState: Int]
    public var lastOffset: PTPDuration?
    public var accepted: Int
    public var rejections: [ReferenceRejection: Int]
    /// In holdover: the model's predicted time error now.
    public var predictedError: PTPDuration?
    /// The holdover model's frequency estimate, when it has one.
    public var estimatedFrequency: PartsPerBillion?
    public var utcOffset: UTCOffsetStatus
    public var quality: GrandmasterQuality
}

extension ReferenceDiscipline {
    /// What management and the status page show.
    public var status: ReferenceStatus {
        ReferenceStatus(
            state: state, stateSince: stateSince, stateEntries: stateEntries, lastOffset: lastOffset,
            accepted: validator.accepted, rejections: validator.rejections, predictedError: predictedError,
            estimatedFrequency: holdover.frozen?.frequency ?? holdover.estimate?.frequency, utcOffset: utcOffset, quality: quality
        )
    }
}

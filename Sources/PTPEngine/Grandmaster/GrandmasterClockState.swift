/// Where a grandmaster stands with its time reference; the daemon logs, counts and publishes every change.
///
/// The announced clockClass follows it (IEEE 1588-2019 7.6.2.5 table 4; ITU-T G.8275.1 6.7.2 and table 2):
/// 248 free-running, 6 locked to GNSS, 7 in holdover within specification, 140 (G.8275.1 category 1) once out.
public enum GrandmasterClockState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Never locked since start: the clock runs on its own oscillator.
    case freeRunning = "free-running"
    /// Samples arrive and the servo is pulling the clock in; not yet within the error budget.
    case locking
    /// Locked to the reference and within the error budget.
    case locked
    /// The reference is gone (or untrusted) and the holdover model says the error is still within
    /// `holdover_max_error` and `holdover_max_time`.
    case holdoverWithinSpecification = "holdover"
    /// Holdover past its budget.
    case holdoverOutOfSpecification = "holdover-out-of-spec"

    public var description: String { rawValue }

    /// Whether the clock's own time is trusted enough to judge the reference by (an edge far from where the
    /// clock expects it is rejected rather than followed).
    public var trustsItsOwnTime: Bool {
        self == .locked || self == .holdoverWithinSpecification
    }

    /// Whether the clock ever locked (so it is in some kind of holdover when not locked).
    public var isHoldover: Bool {
        self == .holdoverWithinSpecification || self == .holdoverOutOfSpecification
    }
}

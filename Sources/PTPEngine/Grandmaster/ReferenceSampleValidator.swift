import PTPCore

/// Why a reference sample was not given to the servo. Every rejection is counted by reason.
public enum ReferenceRejection: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The fix is below `gnss_min_fix` (default 3D): the receiver's time of day is not trusted.
    case fixTooLow = "fix-too-low"
    /// Fewer than `gnss_min_satellites` satellites used.
    case tooFewSatellites = "too-few-satellites"
    /// The labelled second is not after the previous one (a repeat or time going backwards).
    case secondNotIncreasing = "second-not-increasing"
    /// The labels moved by a different number of seconds than the edges did: the time of day jumped.
    case timeOfDayJump = "time-of-day-jump"
    /// The edge is more than `gnss_edge_window` from where the clock, which trusts its own time, expects it.
    case edgeOutsideWindow = "edge-outside-window"
    /// A number of the sample (UTC second, GPS − UTC, satellites) is outside its plausible range
    /// (``ReferenceSample/isPlausible``): a broken or hostile source, rejected before any arithmetic.
    case implausible = "implausible"

    public var description: String { rawValue }
}

/// The checks a reference sample passes before it may steer the clock (`gnss_min_fix`,
/// `gnss_min_satellites`, `gnss_edge_window`).
public struct ReferenceValidatorConfiguration: Sendable, Hashable {
    public var minimumFix: GNSSFixMode
    /// Samples whose satellite count is unknown are not held to this.
    public var minimumSatellites: Int
    public var edgeWindow: PTPDuration

    public init(
        minimumFix: GNSSFixMode = .threeDimensional, minimumSatellites: Int = 4, edgeWindow: PTPDuration = .milliseconds(1)
    ) {
        self.minimumFix = minimumFix
        self.minimumSatellites = minimumSatellites
        self.edgeWindow = edgeWindow.magnitude
    }
}

/// Time of day must agree with the edge, so a spoofed or glitching receiver cannot drag the clock.
///
/// In order: the fix and satellite count; the label must advance, and by as many seconds as the edges did
/// (a time-of-day jump fails this whatever the clock's own error); and while the clock trusts its own time
/// (locked, or in holdover within specification) the edge must be within `gnss_edge_window` of where the clock
/// expects it. A jumped time of day therefore stays rejected until the clock's holdover budget is spent;
/// then a consistent new time is followed. Pure: no clock, no I/O.
public struct ReferenceSampleValidator: Sendable {
    public let configuration: ReferenceValidatorConfiguration
    public private(set) var accepted = 0
    public private(set) var rejections: [ReferenceRejection: Int] = [:]
    /// The last sample that passed the fix checks: its edge (clock time) and label.
    private var previous: (edge: PTPInstant, second: Int64)?

    public init(configuration: ReferenceValidatorConfiguration = ReferenceValidatorConfiguration()) {
        self.configuration = configuration
    }

    /// Rejections so far, all reasons.
    public var rejected: Int { rejections.values.reduce(0, +) }

    /// Checks `sample`, whose edge is `offset` from where the clock expects the labelled second
    /// (local − reference), and counts the verdict. Nil means accepted.
    public mutating func validate(_ sample: ReferenceSample, offset: PTPDuration, clockTrusted: Bool) -> ReferenceRejection? {
        let verdict = check(sample, offset: offset, clockTrusted: clockTrusted)
        if let verdict {
            rejections[verdict, default: 0] += 1
        } else {
            accepted += 1
        }
        return verdict
    }

    /// Counts a rejection decided before ``validate(_:offset:clockTrusted:)`` could run (an implausible
    /// sample, which the discipline must not compute an offset for); returns `reason`.
    public mutating func reject(_ reason: ReferenceRejection) -> ReferenceRejection {
        rejections[reason, default: 0] += 1
        return reason
    }

    private mutating func check(_ sample: ReferenceSample, offset: PTPDuration, clockTrusted: Bool) -> ReferenceRejection? {
        guard sample.isPlausible else { return .implausible }
        if sample.fixMode < configuration.minimumFix { return .fixTooLow }
        if let used = sample.satellitesUsed, used < configuration.minimumSatellites { return .tooFewSatellites }
        if let previous {
            let labelStep = sample.utcSecond - previous.second
            if labelStep <= 0 {
                // Follow the labels, so a time of day that jumped back is judged by the window from here on.
                self.previous = (sample.edge, sample.utcSecond)
                return .secondNotIncreasing
            }
            let edgeStep = (sample.edge - previous.edge).secondsDouble.rounded()
            self.previous = (sample.edge, sample.utcSecond)
            if edgeStep != Double(labelStep) { return .timeOfDayJump }
        } else {
            previous = (sample.edge, sample.utcSecond)
        }
        if clockTrusted && offset.magnitude > configuration.edgeWindow { return .edgeOutsideWindow }
        return nil
    }

    /// The clock was stepped by `step`: the remembered edge moves with it.
    public mutating func clockStepped(by step: PTPDuration) {
        if let previous { self.previous = (previous.edge + step, previous.second) }
    }

    /// Forgets the previous sample (the reference restarted); counters stay.
    public mutating func forgetPrevious() {
        previous = nil
    }
}

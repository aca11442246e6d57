import LinuxPlatform
import PTPCore

/// Turns a PHC's external timestamps into pulse edges (ts2phc's `extts_polarity` and `extts_correction`):
/// adds the correction (cable and receiver delay, ns) and, when both edges are timestamped, keeps only the
/// edge that follows a gap of more than half a second — the leading edge of a pulse shorter than 500 ms.
public struct ExternalTimestampFilter: Sendable {
    public enum Polarity: String, Sendable, Hashable, CaseIterable {
        case rising, falling, both
    }

    public let polarity: Polarity
    public let correction: PTPDuration
    private var previous: PTPInstant?

    public init(polarity: Polarity, correction: PTPDuration) {
        self.polarity = polarity
        self.correction = correction
    }

    /// The edges to ask the driver for.
    public var edges: ExternalTimestamp.Edges {
        switch polarity {
        case .rising: .rising
        case .falling: .falling
        case .both: [.rising, .falling]
        }
    }

    /// The corrected edge for timestamp `time`, or nil when it is the trailing edge of a pulse.
    public mutating func edge(_ time: PTPInstant) -> PTPInstant? {
        defer { previous = time }
        if polarity == .both, let previous, time - previous < .milliseconds(500), time > previous {
            return nil
        }
        return time + correction
    }
}

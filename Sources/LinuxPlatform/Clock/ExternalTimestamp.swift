import CLinuxShims
import PTPCore

/// One external timestamp (`struct ptp_extts_event`): the PHC time an edge arrived on a channel.
public struct ExternalTimestamp: Sendable, Hashable {
    /// Which edges a channel records (`PTP_RISING_EDGE`, `PTP_FALLING_EDGE`).
    public struct Edges: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// The corresponding C constant is `PTP_RISING_EDGE`.
        public static let rising = Self(rawValue: UInt32(PTP_RISING_EDGE))
        /// The corresponding C constant is `PTP_FALLING_EDGE`.
        public static let falling = Self(rawValue: UInt32(PTP_FALLING_EDGE))
    }

    public var channel: UInt32
    /// On the PHC's timescale.
    public var time: PTPInstant

    public init(channel: UInt32, time: PTPInstant) {
        self.channel = channel
        self.time = time
    }

    /// Decodes what `read(2)` on `/dev/ptpN` returned.
    public init(_ event: ptp_extts_event) {
        self.init(channel: event.index, time: PTPInstant(event.t))
    }

    /// The `struct ptp_extts_request` that enables a channel for `edges`, or disables it.
    /// `PTP_STRICT_FLAGS` asks drivers to refuse edges they cannot do instead of silently using others.
    public static func request(channel: UInt32, edges: Edges, enable: Bool) -> ptp_extts_request {
        var request = ptp_extts_request()
        request.index = channel
        if enable {
            request.flags = UInt32(PTP_ENABLE_FEATURE) | edges.rawValue | UInt32(PTP_STRICT_FLAGS)
        }
        return request
    }
}

/// Counters of the transmit-timestamp pairing, for metrics and the management interface.
public struct TransmitTimestampStatistics: Sendable, Hashable {
    /// Stamps paired with their messages.
    public var paired: Int = 0
    /// Messages given up after `tx_timestamp_timeout`.
    public var missed: Int = 0
    /// Stamps that arrived for a message already given up, or for no known message; dropped.
    public var unmatched: Int = 0
    /// Stamps paired by payload because the OPT_ID counter disagreed with the prediction.
    public var pairedByPayload: Int = 0
    /// The current run of misses.
    public var consecutiveMisses: Int = 0

    public init() {}
}

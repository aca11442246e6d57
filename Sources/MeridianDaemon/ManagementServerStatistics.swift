import PTPManagement

/// Counters of the management server, for logs and metrics: nothing it receives goes uncounted.
public struct ManagementServerStatistics: Sendable, Hashable {
    /// Datagrams received (Unix sockets and network).
    public var received = 0
    /// Datagrams that do not decode as a PTP message (truncated, bad lengths, bad fields): dropped.
    public var malformed = 0
    /// Well-formed messages that get no reply, by reason (another clock, not a request, …).
    public var dropped: [ManagementDropReason: Int] = [:]
    /// RESPONSE and ACKNOWLEDGE messages sent.
    public var replies = 0
    /// MANAGEMENT_ERROR_STATUS messages sent.
    public var errorReplies = 0
    /// Replies or notifications the kernel refused (client gone, queue full, unnamed peer).
    public var sendFailures = 0
    /// Of those, replies to read-only clients whose receive queue was full: lost at once, never waited for.
    public var readOnlyRepliesLost = 0
    /// Commands carried out by the backend (or, for subscriptions, by the server).
    public var commandsApplied = 0
    /// Event notifications sent to subscribers.
    public var notifications = 0
    /// Messages handed to the forwarder (boundary hops left, 15.3.3).
    public var forwarded = 0

    public init() {}

    /// All drops, malformed or not.
    public var totalDropped: Int { malformed + dropped.values.reduce(0, +) }

    /// The counters as MERIDIAN_STATUS_NP carries them.
    public var wire: MeridianStatus.ManagementCounters {
        MeridianStatus.ManagementCounters(
            received: UInt32(clamping: received), malformed: UInt32(clamping: malformed),
            dropped: UInt32(clamping: dropped.values.reduce(0, +)), replies: UInt32(clamping: replies),
            errorReplies: UInt32(clamping: errorReplies))
    }
}

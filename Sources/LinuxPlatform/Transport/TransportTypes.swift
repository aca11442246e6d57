import PTPCore

/// Which of a port's two message classes (IEEE 1588-2019 7.3.2): event messages are timestamped,
/// general messages are not.
public enum TransportChannel: Sendable, Hashable {
    case event
    case general
}

/// Where a message goes.
public enum TransportDestination: Sendable, Hashable {
    /// 224.0.1.129, ff0X::181 or 01-1B-19-00-00-00 (IEEE 1588-2019 annexes C, D, E).
    case primaryMulticast
    /// 224.0.0.107, ff02::6b or 01-80-C2-00-00-0E, for the peer-delay mechanism.
    case peerDelayMulticast
    /// One peer; the address must match the transport's protocol.
    case unicast(PortAddress)
}

/// A handle to the transmit timestamp of one sent event message.
///
/// `key` is the `SOF_TIMESTAMPING_OPT_ID` counter the kernel gives the send; the socket also keeps the
/// payload, so a stamp is paired only with the message it belongs to.
public struct TransmitToken: Sendable, Hashable, CustomStringConvertible {
    public let key: UInt32

    public init(key: UInt32) {
        self.key = key
    }

    public var description: String { "tx#\(key)" }
}

/// What became of a transmit timestamp.
public enum TransmitTimestampOutcome: Sendable, Hashable {
    /// The kernel's stamp of the message, on the timestamping clock.
    case stamped(PTPInstant)
    /// No stamp within `tx_timestamp_timeout`: the message is given up and counted. `consecutive` is the length
    /// of the current run of misses; it stays below the fault threshold.
    case missed(consecutive: Int)
    /// A run of `consecutive` misses reached the configured threshold: the port should go FAULTY.
    case fault(consecutive: Int)
}

extension TransmitTimestampOutcome: CustomStringConvertible {
    /// ptp4l's wording for a missed stamp, which operators grep for, with the run length.
    public var description: String {
        switch self {
        case .stamped(let instant):
            "transmit timestamp \(instant)"
        case .missed(let run):
            "timed out while polling for tx timestamp (\(run) in a row); increasing tx_timestamp_timeout may "
                + "correct this issue, but it is likely caused by a driver bug"
        case .fault(let run):
            "\(run) tx timestamps in a row timed out: port faulty; increasing tx_timestamp_timeout may correct "
                + "this issue, but it is likely caused by a driver bug"
        }
    }
}

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

/// One message received with its kernel timestamp.
public struct ReceivedMessage: Sendable, Hashable {
    /// The PTP message (for IEEE 802.3, without the Ethernet header).
    public var bytes: [UInt8]
    public var channel: TransportChannel
    /// The receive stamp (software or hardware as the transport was opened); `nil` for general messages or
    /// when the kernel gave none.
    public var timestamp: PTPInstant?
    /// The sender: IPv4 or IPv6 address, or MAC address.
    public var source: PortAddress

    public init(bytes: [UInt8], channel: TransportChannel, timestamp: PTPInstant?, source: PortAddress) {
        self.bytes = bytes
        self.channel = channel
        self.timestamp = timestamp
        self.source = source
    }
}

import PTPCore

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

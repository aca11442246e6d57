import PTPCore

/// Where a message goes.
public enum TransportDestination: Sendable, Hashable {
    /// 224.0.1.129, ff0X::181 or 01-1B-19-00-00-00 (IEEE 1588-2019 annexes C, D, E).
    case primaryMulticast
    /// 224.0.0.107, ff02::6b or 01-80-C2-00-00-0E, for the peer-delay mechanism.
    case peerDelayMulticast
    /// One peer; the address must match the transport's protocol.
    case unicast(PortAddress)
}

import PTPCore

/// Opens the transport for a port's network protocol (ptp4l's `network_transport`).
public enum TransportFactory {
    /// Opens a UDPv4, UDPv6 or IEEE 802.3 transport in the calling thread's network namespace.
    public static func open(_ networkProtocol: NetworkProtocol, configuration: TransportConfiguration) throws(TransportError)
        -> any PTPTransport
    {
        switch networkProtocol {
        case .udpIPv4: try UDPv4Transport(configuration: configuration)
        case .udpIPv6: try UDPv6Transport(configuration: configuration)
        case .ieee802_3: try EthernetTransport(configuration: configuration)
        default: throw .unsupportedProtocol(networkProtocol)
        }
    }
}

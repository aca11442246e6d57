/// The network protocol of a port address (IEEE 1588-2019 7.4.1, table 3).
public struct NetworkProtocol: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let udpIPv4 = NetworkProtocol(rawValue: 1)
    public static let udpIPv6 = NetworkProtocol(rawValue: 2)
    public static let ieee802_3 = NetworkProtocol(rawValue: 3)
    public static let deviceNet = NetworkProtocol(rawValue: 4)
    public static let controlNet = NetworkProtocol(rawValue: 5)
    public static let profinet = NetworkProtocol(rawValue: 6)
    public static let unknown = NetworkProtocol(rawValue: 0xFFFE)
}

extension NetworkProtocol: CustomStringConvertible {
    /// The names pmc prints (`IEEE 802.3`, `UDPv4`, …).
    public var description: String {
        switch self {
        case .udpIPv4: "UDPv4"
        case .udpIPv6: "UDPv6"
        case .ieee802_3: "IEEE 802.3"
        case .deviceNet: "DeviceNet"
        case .controlNet: "ControlNet"
        case .profinet: "PROFINET"
        default: "unknown"
        }
    }
}

/// A protocol address: the protocol and the address bytes (IEEE 1588-2019 5.3.6).
public struct PortAddress: Sendable, Hashable {
    public var networkProtocol: NetworkProtocol
    public var address: [UInt8]

    public init(networkProtocol: NetworkProtocol, address: [UInt8]) {
        self.networkProtocol = networkProtocol
        self.address = address
    }
}

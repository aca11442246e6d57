import CLinuxShims
import Glibc
import PTPCore

/// PTP over UDP/IPv4 (IEEE 1588-2019 annex C): event port 319 with timestamps, general port 320 without,
/// multicast 224.0.1.129 and 224.0.0.107 (peer delay), bound to one interface, multicast TTL from the
/// configuration and loop off, DSCP per channel; unicast both ways. linuxptp's udp.c.
public final class UDPv4Transport: PTPTransport {
    /// 224.0.1.129, the primary PTP group.
    public static let primaryGroup: [UInt8] = [224, 0, 1, 129]
    /// 224.0.0.107, the peer-delay group.
    public static let peerDelayGroup: [UInt8] = [224, 0, 0, 107]

    public let configuration: TransportConfiguration
    public let interface: NetworkInterface
    public let localAddress: PortAddress
    public var networkProtocol: NetworkProtocol { .udpIPv4 }
    private let sockets: TransportSockets

    /// Opens both sockets on `configuration.interfaceName` in the calling thread's network namespace.
    ///
    /// For hardware timestamping the interface's capabilities are checked and `SIOCSHWTSTAMP` is applied
    /// first; a mode the interface lacks fails with ``TransportError/timestampingUnsupported(interface:requested:supported:)``.
    public init(configuration: TransportConfiguration) throws(TransportError) {
        let interface = try NetworkInterface.lookup(configuration.interfaceName)
        guard let address = interface.ipv4Addresses.first else {
            throw .noAddress(interface: interface.name, family: "IPv4")
        }
        try HardwareTimestamping.prepare(
            interface: interface.name, mode: configuration.timestamping, filter: .udp,
            transmit: configuration.transmitStamps)
        self.configuration = configuration
        self.interface = interface
        self.localAddress = PortAddress(networkProtocol: .udpIPv4, address: address)
        self.sockets = try .udp(
            configuration, interface: interface, networkProtocol: .udpIPv4, address: sockaddr_in.self, setUp: Self.setUp)
    }

    /// Binds `socket` to `port` on the interface, joins the groups and sets the multicast and DSCP options.
    private static func setUp(
        _ socket: TimestampingSocket, _ configuration: TransportConfiguration, _ interface: NetworkInterface, port: UInt16,
        dscp: UInt8
    ) throws(TransportError) {
        try socket.bind(to: sockaddr_in(anyAddressPort: port), operation: "bind(\(port))")
        try socket.bindToDevice()
        try socket.shim("setsockopt(IP_MULTICAST_IF)") { CLinuxShims_ipv4_multicast_interface($0, interface.index) }
        for group in [primaryGroup, peerDelayGroup] {
            let networkOrder = group.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            try socket.shim("IP_ADD_MEMBERSHIP \(group.map(String.init).joined(separator: "."))") {
                CLinuxShims_ipv4_join($0, networkOrder, interface.index)
            }
        }
        try socket.setOption(
            level: CInt(IPPROTO_IP), name: IP_MULTICAST_TTL, value: CInt(configuration.multicastTTL),
            operation: "setsockopt(IP_MULTICAST_TTL)")
        try socket.setOption(
            level: CInt(IPPROTO_IP), name: IP_MULTICAST_LOOP, value: CInt(0),
            operation: "setsockopt(IP_MULTICAST_LOOP)")
        try socket.setOption(
            level: CInt(IPPROTO_IP), name: IP_TOS, value: CInt(dscp & 0x3F) << 2,
            operation: "setsockopt(IP_TOS)")
        try socket.setPriority(configuration.socketPriority)
    }

    public func send(
        _ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination
    ) throws(TransportError) -> TransmitStampHandle? {
        try sockets.send(bytes, channel: channel, to: destination, mode: configuration.transmitStamps) {
            (destination) throws(TransportError) in try address(of: destination, channel: channel)
        }
    }

    public func send(batch: [OutgoingDatagram], channel: TransportChannel) -> [Result<TransmitStampHandle?, TransportError>] {
        sockets.send(batch: batch, channel: channel, mode: configuration.transmitStamps) {
            (destination) throws(TransportError) in try address(of: destination, channel: channel)
        }
    }

    /// The socket address of `destination` on `channel`'s port.
    private func address(of destination: TransportDestination, channel: TransportChannel) throws(TransportError) -> sockaddr_in {
        let group: [UInt8]
        switch destination {
        case .primaryMulticast: group = Self.primaryGroup
        case .peerDelayMulticast: group = Self.peerDelayGroup
        case .unicast(let address):
            guard address.networkProtocol == .udpIPv4, address.address.count == 4 else {
                throw .badDestination("UDPv4 needs a 4-byte IPv4 address, got \(address.networkProtocol)")
            }
            group = address.address
        }
        var to = sockaddr_in(anyAddressPort: configuration.port(for: channel))
        to.sin_addr.s_addr = group.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        return to
    }

    public func transmitTimestamp(for token: TransmitStampHandle) -> TransmitTimestampOutcome {
        sockets.transmitTimestamp(for: token)
    }

    public func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage? { try sockets.receive(timeout: timeout) }

    public func nextEvent(timeout: PTPDuration) throws(TransportError) -> TransportEvent? {
        try sockets.nextEvent(timeout: timeout)
    }

    public var pollDescriptors: [Int32] { sockets.pollDescriptors }

    public var eventOnlyDescriptorIndex: Int? { sockets.eventOnlyDescriptorIndex }

    public func readReady(descriptorIndex: Int, revents: Int16) throws(TransportError) -> TransportEvent? {
        try sockets.readReady(descriptorIndex: descriptorIndex, revents: revents)
    }

    public func readReady(descriptorIndex: Int, revents: Int16, limit: Int, _ each: (TransportEvent) -> Void)
        throws(TransportError)
    {
        try sockets.readReady(descriptorIndex: descriptorIndex, revents: revents, limit: limit, each)
    }

    public var isLinkUp: Bool { sockets.isLinkUp }

    public var transmitTimestampStatistics: TransmitTimestampStatistics { sockets.transmitTimestampStatistics }

    public func close() { sockets.close() }
}

import CLinuxShims
import Glibc
import PTPCore

/// PTP over UDP/IPv6 (IEEE 1588-2019 annex D): ports 319 and 320, primary group ff0X::181 with the scope
/// from the configuration (default ff0e), peer-delay group ff02::6b, bound to one interface, hop limit from
/// the configuration and loop off, traffic class from the DSCP. linuxptp's udp6.c.
public final class UDPv6Transport: PTPTransport {
    /// ff02::6b, the peer-delay group (link-local scope).
    public static let peerDelayGroup: [UInt8] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x6b]

    /// ff0X::181 for scope nibble `scope`.
    public static func primaryGroup(scope: UInt8) -> [UInt8] {
        [0xff, scope & 0x0F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x81]
    }

    public let configuration: TransportConfiguration
    public let interface: NetworkInterface
    public let localAddress: PortAddress
    public var networkProtocol: NetworkProtocol { .udpIPv6 }
    private let sockets: TransportSockets

    /// Opens both sockets on `configuration.interfaceName` in the calling thread's network namespace.
    public init(configuration: TransportConfiguration) throws(TransportError) {
        let interface = try NetworkInterface.lookup(configuration.interfaceName)
        // Prefer a global or unique-local address; fall back to the link-local one.
        let nonLinkLocal = interface.ipv6Addresses.first { !($0[0] == 0xfe && $0[1] & 0xc0 == 0x80) }
        guard let address = nonLinkLocal ?? interface.ipv6Addresses.first else {
            throw .noAddress(interface: interface.name, family: "IPv6")
        }
        try HardwareTimestamping.prepare(
            interface: interface.name, mode: configuration.timestamping, filter: .udp,
            transmit: configuration.transmitStamps)
        self.configuration = configuration
        self.interface = interface
        self.localAddress = PortAddress(networkProtocol: .udpIPv6, address: address)
        self.sockets = try .udp(
            configuration, interface: interface, networkProtocol: .udpIPv6, address: sockaddr_in6.self, setUp: Self.setUp)
    }

    /// Binds `socket` to `port` on the interface, joins the groups and sets the multicast and DSCP options.
    private static func setUp(
        _ socket: TimestampingSocket, _ configuration: TransportConfiguration, _ interface: NetworkInterface, port: UInt16,
        dscp: UInt8
    ) throws(TransportError) {
        let ipv6 = CInt(IPPROTO_IPV6)
        try socket.setOption(level: ipv6, name: IPV6_V6ONLY, value: CInt(1), operation: "setsockopt(IPV6_V6ONLY)")
        try socket.bind(to: sockaddr_in6(anyAddressPort: port), operation: "bind([::]:\(port))")
        try socket.bindToDevice()
        try socket.setOption(
            level: ipv6, name: IPV6_MULTICAST_IF, value: CInt(interface.index),
            operation: "setsockopt(IPV6_MULTICAST_IF)")
        for group in [primaryGroup(scope: configuration.ipv6Scope), peerDelayGroup] {
            try socket.shim("IPV6_ADD_MEMBERSHIP \(NetworkInterface.ipv6Text(group))") { fd in
                group.withUnsafeBufferPointer { CLinuxShims_ipv6_join(fd, $0.baseAddress, interface.index) }
            }
        }
        try socket.setOption(
            level: ipv6, name: IPV6_MULTICAST_HOPS, value: CInt(configuration.multicastTTL),
            operation: "setsockopt(IPV6_MULTICAST_HOPS)")
        try socket.setOption(
            level: ipv6, name: IPV6_MULTICAST_LOOP, value: CInt(0),
            operation: "setsockopt(IPV6_MULTICAST_LOOP)")
        try socket.setOption(
            level: ipv6, name: IPV6_TCLASS, value: CInt(dscp & 0x3F) << 2,
            operation: "setsockopt(IPV6_TCLASS)")
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
    private func address(of destination: TransportDestination, channel: TransportChannel) throws(TransportError) -> sockaddr_in6 {
        let target: [UInt8]
        switch destination {
        case .primaryMulticast: target = Self.primaryGroup(scope: configuration.ipv6Scope)
        case .peerDelayMulticast: target = Self.peerDelayGroup
        case .unicast(let address):
            guard address.networkProtocol == .udpIPv6, address.address.count == 16 else {
                throw .badDestination("UDPv6 needs a 16-byte IPv6 address, got \(address.networkProtocol)")
            }
            target = address.address
        }
        var to = sockaddr_in6(anyAddressPort: configuration.port(for: channel))
        withUnsafeMutableBytes(of: &to.sin6_addr) { $0.copyBytes(from: target) }
        // Link-local unicast and link- or interface-scoped multicast need the interface as scope id.
        let linkScoped = (target[0] == 0xfe && target[1] & 0xc0 == 0x80) || (target[0] == 0xff && target[1] & 0x0F <= 2)
        if linkScoped {
            to.sin6_scope_id = UInt32(bitPattern: interface.index)
        }
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

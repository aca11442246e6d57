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
    private let eventSocket: TimestampingSocket
    private let generalSocket: TimestampingSocket
    private let sockets: SocketSet

    /// Opens both sockets on `configuration.interfaceName` in the calling thread's network namespace.
    public init(configuration: TransportConfiguration) throws(TransportError) {
        let interface = try NetworkInterface.lookup(configuration.interfaceName)
        // Prefer a global or unique-local address; fall back to the link-local one.
        let nonLinkLocal = interface.ipv6Addresses.first { !($0[0] == 0xfe && $0[1] & 0xc0 == 0x80) }
        guard let address = nonLinkLocal ?? interface.ipv6Addresses.first else {
            throw .noAddress(interface: interface.name, family: "IPv6")
        }
        try HardwareTimestamping.prepare(interface: interface.name, mode: configuration.timestamping, filter: .udp)
        self.configuration = configuration
        self.interface = interface
        self.localAddress = PortAddress(networkProtocol: .udpIPv6, address: address)
        self.eventSocket = try Self.openSocket(
            configuration, interface: interface, port: configuration.eventPort,
            dscp: configuration.dscpEvent, timestamping: configuration.timestamping)
        do {
            self.generalSocket = try Self.openSocket(
                configuration, interface: interface, port: configuration.generalPort,
                dscp: configuration.dscpGeneral, timestamping: nil)
        } catch {
            eventSocket.close()
            throw error
        }
        let monitor: LinkMonitor
        do {
            monitor = try LinkMonitor(interfaceName: interface.name)
        } catch {
            eventSocket.close()
            generalSocket.close()
            throw error
        }
        self.sockets = SocketSet(members: [(eventSocket, .event), (generalSocket, .general)], monitor: monitor)
    }

    private static func openSocket(
        _ configuration: TransportConfiguration, interface: NetworkInterface, port: UInt16, dscp: UInt8,
        timestamping: TimestampingMode?
    ) throws(TransportError) -> TimestampingSocket {
        let socket = try TimestampingSocket(
            domain: AF_INET6, type: CInt(SOCK_DGRAM.rawValue), protocol: CInt(IPPROTO_UDP),
            interfaceName: interface.name, timestamping: timestamping,
            maxConsecutiveMisses: configuration.maxConsecutiveMissedTimestamps)
        do {
            let ipv6 = CInt(IPPROTO_IPV6)
            try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: CInt(1), operation: "setsockopt(SO_REUSEADDR)")
            try socket.setOption(level: ipv6, name: IPV6_V6ONLY, value: CInt(1), operation: "setsockopt(IPV6_V6ONLY)")
            var any = sockaddr_in6()
            any.sin6_family = sa_family_t(AF_INET6)
            any.sin6_port = port.bigEndian
            try socket.shim("bind([::]:\(port))") { fd in
                withUnsafePointer(to: &any) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
            try socket.bindToDevice()
            try socket.setOption(level: ipv6, name: IPV6_MULTICAST_IF, value: CInt(interface.index),
                                 operation: "setsockopt(IPV6_MULTICAST_IF)")
            for group in [primaryGroup(scope: configuration.ipv6Scope), peerDelayGroup] {
                try socket.shim("IPV6_ADD_MEMBERSHIP \(VethLab.ipv6Text(group))") { fd in
                    group.withUnsafeBufferPointer { CLinuxShims_ipv6_join(fd, $0.baseAddress, interface.index) }
                }
            }
            try socket.setOption(level: ipv6, name: IPV6_MULTICAST_HOPS, value: CInt(configuration.multicastTTL),
                                 operation: "setsockopt(IPV6_MULTICAST_HOPS)")
            try socket.setOption(level: ipv6, name: IPV6_MULTICAST_LOOP, value: CInt(0),
                                 operation: "setsockopt(IPV6_MULTICAST_LOOP)")
            try socket.setOption(level: ipv6, name: IPV6_TCLASS, value: CInt(dscp & 0x3F) << 2,
                                 operation: "setsockopt(IPV6_TCLASS)")
            socket.setReceiveBuffer(configuration.receiveBufferSize)
            try socket.enableTimestamping()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    public func send(
        _ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination
    ) throws(TransportError) -> TransmitToken? {
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
        var to = sockaddr_in6()
        to.sin6_family = sa_family_t(AF_INET6)
        to.sin6_port = (channel == .event ? configuration.eventPort : configuration.generalPort).bigEndian
        withUnsafeMutableBytes(of: &to.sin6_addr) { $0.copyBytes(from: target) }
        // Link-local unicast and link- or interface-scoped multicast need the interface as scope id.
        let linkScoped = (target[0] == 0xfe && target[1] & 0xc0 == 0x80) || (target[0] == 0xff && target[1] & 0x0F <= 2)
        if linkScoped {
            to.sin6_scope_id = UInt32(bitPattern: interface.index)
        }
        let socket = channel == .event ? eventSocket : generalSocket
        return try withUnsafePointer(to: &to) { pointer throws(TransportError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(TransportError) in
                try socket.send(bytes, to: address, length: socklen_t(MemoryLayout<sockaddr_in6>.size), stamped: channel == .event)
            }
        }
    }

    public func transmitTimestamp(for token: TransmitToken) -> TransmitTimestampOutcome {
        eventSocket.transmitTimestamp(for: token, timeout: configuration.transmitTimestampTimeout)
    }

    public func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage? {
        try sockets.receive(timeout: timeout, convert: convert)
    }

    public func nextEvent(timeout: PTPDuration) throws(TransportError) -> TransportEvent? {
        try sockets.next(timeout: timeout, includeLink: true, convert: convert)
    }

    public func nextEvent(timeout: PTPDuration, doorbell: Int32) throws(TransportError) -> TransportEvent? {
        try sockets.next(timeout: timeout, includeLink: true, doorbell: doorbell, convert: convert)
    }

    public var isLinkUp: Bool { sockets.isLinkUp }

    private func convert(_ datagram: ReceivedDatagram, index: Int) -> ReceivedMessage? {
        let channel = sockets.members[index].channel ?? .general
        var source: [UInt8] = []
        withUnsafeBytes(of: datagram.source) { raw in
            let sin6 = raw.loadUnaligned(as: sockaddr_in6.self)
            withUnsafeBytes(of: sin6.sin6_addr) { source = Array($0) }
        }
        return ReceivedMessage(
            bytes: datagram.bytes, channel: channel, timestamp: channel == .event ? datagram.timestamp : nil,
            source: PortAddress(networkProtocol: .udpIPv6, address: source))
    }

    public var transmitTimestampStatistics: TransmitTimestampStatistics { eventSocket.statistics }

    public func close() {
        sockets.close()
    }
}

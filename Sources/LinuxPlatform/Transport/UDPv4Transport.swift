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
    private let eventSocket: TimestampingSocket
    private let generalSocket: TimestampingSocket
    private let sockets: SocketSet

    /// Opens both sockets on `configuration.interfaceName` in the calling thread's network namespace.
    ///
    /// For hardware timestamping the interface's capabilities are checked and `SIOCSHWTSTAMP` is applied
    /// first; a mode the interface lacks fails with ``TransportError/timestampingUnsupported(interface:requested:supported:)``.
    public init(configuration: TransportConfiguration) throws(TransportError) {
        let interface = try NetworkInterface.lookup(configuration.interfaceName)
        guard let address = interface.ipv4Addresses.first else {
            throw .noAddress(interface: interface.name, family: "IPv4")
        }
        try HardwareTimestamping.prepare(interface: interface.name, mode: configuration.timestamping, filter: .udp)
        self.configuration = configuration
        self.interface = interface
        self.localAddress = PortAddress(networkProtocol: .udpIPv4, address: address)
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
            domain: AF_INET, type: CInt(SOCK_DGRAM.rawValue), protocol: CInt(IPPROTO_UDP),
            interfaceName: interface.name, timestamping: timestamping,
            maxConsecutiveMisses: configuration.maxConsecutiveMissedTimestamps)
        do {
            try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: CInt(1), operation: "setsockopt(SO_REUSEADDR)")
            var any = sockaddr_in()
            any.sin_family = sa_family_t(AF_INET)
            any.sin_port = port.bigEndian
            try socket.shim("bind(\(port))") { fd in
                withUnsafePointer(to: &any) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            try socket.bindToDevice()
            try socket.shim("setsockopt(IP_MULTICAST_IF)") { CLinuxShims_ipv4_multicast_interface($0, interface.index) }
            for group in [primaryGroup, peerDelayGroup] {
                let networkOrder = group.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                try socket.shim("IP_ADD_MEMBERSHIP \(group.map(String.init).joined(separator: "."))") {
                    CLinuxShims_ipv4_join($0, networkOrder, interface.index)
                }
            }
            try socket.setOption(level: CInt(IPPROTO_IP), name: IP_MULTICAST_TTL, value: CInt(configuration.multicastTTL),
                                 operation: "setsockopt(IP_MULTICAST_TTL)")
            try socket.setOption(level: CInt(IPPROTO_IP), name: IP_MULTICAST_LOOP, value: CInt(0),
                                 operation: "setsockopt(IP_MULTICAST_LOOP)")
            try socket.setOption(level: CInt(IPPROTO_IP), name: IP_TOS, value: CInt(dscp & 0x3F) << 2,
                                 operation: "setsockopt(IP_TOS)")
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
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_port = (channel == .event ? configuration.eventPort : configuration.generalPort).bigEndian
        to.sin_addr.s_addr = group.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let socket = channel == .event ? eventSocket : generalSocket
        return try withUnsafePointer(to: &to) { pointer throws(TransportError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(TransportError) in
                try socket.send(bytes, to: address, length: socklen_t(MemoryLayout<sockaddr_in>.size), stamped: channel == .event)
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
            let sin = raw.loadUnaligned(as: sockaddr_in.self)
            withUnsafeBytes(of: sin.sin_addr) { source = Array($0) }
        }
        return ReceivedMessage(
            bytes: datagram.bytes, channel: channel, timestamp: channel == .event ? datagram.timestamp : nil,
            source: PortAddress(networkProtocol: .udpIPv4, address: source))
    }

    public var transmitTimestampStatistics: TransmitTimestampStatistics { eventSocket.statistics }

    public func close() {
        sockets.close()
    }
}

import CLinuxShims
import Glibc
import PTPCore

/// PTP over IEEE 802.3 (IEEE 1588-2019 annex E): an `AF_PACKET` raw socket on one interface, ethertype
/// 0x88F7, groups 01-1B-19-00-00-00 and 01-80-C2-00-00-0E (or `ptp_dst_mac`/`p2p_dst_mac`), a BPF filter (untagged or one 802.1Q tag) so only PTP frames reach the
/// daemon, and the socket's own transmitted frames ignored. linuxptp's raw.c.
///
/// Event and general messages share the socket. The channel of a received frame is read from the low nibble
/// of the first PTP byte (messageType below 8 is an event, IEEE 1588-2019 table 36); nothing else is decoded.
public final class EthernetTransport: PTPTransport {
    public static let primaryGroup: [UInt8] = [0x01, 0x1B, 0x19, 0x00, 0x00, 0x00]
    public static let peerDelayGroup: [UInt8] = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E]
    public static let etherType: UInt16 = 0x88F7
    static let headerLength = 14
    static let maximumPayload = 1500

    public let configuration: TransportConfiguration
    public let interface: NetworkInterface
    public let localAddress: PortAddress
    public var networkProtocol: NetworkProtocol { .ieee802_3 }
    private let sockets: TransportSockets

    /// Opens the raw socket on `configuration.interfaceName` in the calling thread's network namespace.
    /// Needs `CAP_NET_RAW`.
    public init(configuration: TransportConfiguration) throws(TransportError) {
        let interface = try NetworkInterface.lookup(configuration.interfaceName)
        try HardwareTimestamping.prepare(
            interface: interface.name, mode: configuration.timestamping, filter: .ethernet,
            transmit: configuration.transmitStamps)
        self.configuration = configuration
        self.interface = interface
        self.localAddress = PortAddress(networkProtocol: .ieee802_3, address: interface.macAddress)
        let all = UInt16(ETH_P_ALL)
        let socket = try TimestampingSocket(
            domain: AF_PACKET, type: CInt(SOCK_RAW.rawValue), protocol: CInt(all.bigEndian),
            interfaceName: interface.name, timestamping: configuration.timestamping,
            maxConsecutiveMisses: configuration.maxConsecutiveMissedTimestamps)
        do {
            try socket.shim("setsockopt(SO_ATTACH_FILTER)") { CLinuxShims_attach_ptp_filter($0) }
            try socket.shim("bind(AF_PACKET)") { CLinuxShims_packet_bind($0, interface.index, all) }
            var groups = [configuration.primaryMAC]
            if configuration.peerDelayMAC != configuration.primaryMAC { groups.append(configuration.peerDelayMAC) }
            for group in groups where group.count == 6 {
                try socket.shim("PACKET_ADD_MEMBERSHIP") { fd in
                    group.withUnsafeBufferPointer { CLinuxShims_packet_add_membership(fd, interface.index, $0.baseAddress) }
                }
            }
            // Older kernels lack PACKET_IGNORE_OUTGOING; our own frames are then still skipped by the kernel.
            _ = try? socket.shim("setsockopt(PACKET_IGNORE_OUTGOING)") { CLinuxShims_packet_ignore_outgoing($0) }
            socket.setReceiveBuffer(configuration.receiveBufferSize)
            try socket.setPriority(configuration.socketPriority)
            try socket.enableTimestamping()
        } catch {
            socket.close()
            throw error
        }
        self.sockets = try TransportSockets(
            members: [(socket, nil)], interface: interface, stamping: socket,
            transmitTimestampTimeout: configuration.transmitTimestampTimeout,
            convert: {
                [stampGeneral = configuration.stampGeneralMessages && configuration.timestamping == .software] datagram, _ in
                Self.convert(datagram, stampGeneral: stampGeneral)
            })
    }

    public func send(
        _ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination
    ) throws(TransportError) -> TransmitStampHandle? {
        guard bytes.count <= Self.maximumPayload else {
            throw .messageTooLarge(size: bytes.count, limit: Self.maximumPayload)
        }
        let mac: [UInt8]
        switch destination {
        case .primaryMulticast: mac = configuration.primaryMAC
        case .peerDelayMulticast: mac = configuration.peerDelayMAC
        case .unicast(let address):
            guard address.networkProtocol == .ieee802_3, address.address.count == 6 else {
                throw .badDestination("IEEE 802.3 needs a 6-byte MAC address, got \(address.networkProtocol)")
            }
            mac = address.address
        }
        guard mac.count == 6 else { throw .badDestination("a destination MAC address has 6 bytes, not \(mac.count)") }
        var frame = mac
        frame.reserveCapacity(Self.headerLength + bytes.count)
        frame += interface.macAddress
        frame += [UInt8(Self.etherType >> 8), UInt8(Self.etherType & 0xFF)]
        frame += bytes
        return try sockets.stamping.send(frame, to: nil, length: 0, stamped: channel == .event)
    }

    public func transmitTimestamp(for token: TransmitStampHandle) -> TransmitTimestampOutcome {
        sockets.transmitTimestamp(for: token)
    }

    public func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage? { try sockets.receive(timeout: timeout) }

    public func nextEvent(timeout: PTPDuration) throws(TransportError) -> TransportEvent? {
        try sockets.nextEvent(timeout: timeout)
    }

    public var pollDescriptors: [Int32] { sockets.pollDescriptors }

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

    /// Strips the Ethernet header; frames that are not PTP (the filter should have dropped them) give `nil`.
    /// `stampGeneral` (check_fup_sync, software stamps): general frames keep the stamp the socket gave them.
    private static func convert(_ datagram: ReceivedDatagram, stampGeneral: Bool) -> ReceivedMessage? {
        let frame = datagram.bytes
        guard frame.count > headerLength else { return nil }
        var header = headerLength
        if UInt16(frame[12]) << 8 | UInt16(frame[13]) == 0x8100 {
            // A VLAN tag the driver left in place: the ethertype follows it.
            header += 4
        }
        guard frame.count > header, UInt16(frame[header - 2]) << 8 | UInt16(frame[header - 1]) == etherType else {
            return nil
        }
        let payload = Array(frame[header...])
        let channel: TransportChannel = payload[0] & 0x0F < 8 ? .event : .general
        return ReceivedMessage(
            bytes: payload, channel: channel, timestamp: channel == .event || stampGeneral ? datagram.timestamp : nil,
            source: PortAddress(networkProtocol: .ieee802_3, address: Array(frame[6..<12])))
    }
}

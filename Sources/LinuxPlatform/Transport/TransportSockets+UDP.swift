import CLinuxShims
import Glibc
import PTPCore

/// What UDP over IPv4 and over IPv6 (IEEE 1588-2019 annexes C and D) share: an event socket with
/// timestamps and a general socket without, and the `sockaddr` handling around `bind` and `sendto`.
extension TransportSockets {
    /// Opens the event socket (stamped as `configuration.timestamping` says) and the general socket, each a
    /// UDP socket of `Address`'s family that `setUp` binds to its port and gives the options of its family,
    /// then the interface's link monitor; closes what it opened when a later step fails. Received messages
    /// carry their sender as an `Address` host address of `networkProtocol`.
    static func udp<Address: UDPSocketAddress>(
        _ configuration: TransportConfiguration, interface: NetworkInterface, networkProtocol: NetworkProtocol,
        address: Address.Type,
        setUp: (
            _ socket: TimestampingSocket, _ configuration: TransportConfiguration, _ interface: NetworkInterface, _ port: UInt16,
            _ dscp: UInt8
        ) throws(TransportError) -> Void
    ) throws(TransportError) -> TransportSockets {
        func open(port: UInt16, dscp: UInt8, timestamping: TimestampingMode?) throws(TransportError) -> TimestampingSocket {
            let socket = try TimestampingSocket(
                domain: Address.family, type: CInt(SOCK_DGRAM.rawValue), protocol: CInt(IPPROTO_UDP),
                interfaceName: interface.name, timestamping: timestamping,
                maxConsecutiveMisses: configuration.maxConsecutiveMissedTimestamps)
            do {
                try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: CInt(1), operation: "setsockopt(SO_REUSEADDR)")
                try setUp(socket, configuration, interface, port, dscp)
                socket.setReceiveBuffer(configuration.receiveBufferSize)
                try socket.enableTimestamping()
            } catch {
                socket.close()
                throw error
            }
            return socket
        }
        let eventSocket = try open(
            port: configuration.eventPort, dscp: configuration.dscpEvent, timestamping: configuration.timestamping)
        let generalSocket: TimestampingSocket
        do {
            // check_fup_sync: the general socket stamps received messages in software as well.
            let stampGeneral = configuration.stampGeneralMessages && configuration.timestamping == .software
            generalSocket = try open(
                port: configuration.generalPort, dscp: configuration.dscpGeneral, timestamping: stampGeneral ? .software : nil)
        } catch {
            eventSocket.close()
            throw error
        }
        return try TransportSockets(
            members: [(eventSocket, .event), (generalSocket, .general)], interface: interface,
            stamping: eventSocket, transmitTimestampTimeout: configuration.transmitTimestampTimeout,
            convert: { datagram, channel in
                let channel = channel ?? .general
                let source = withUnsafeBytes(of: datagram.source) { $0.loadUnaligned(as: Address.self) }
                let stamped = channel == .event || configuration.stampGeneralMessages
                return ReceivedMessage(
                    bytes: datagram.bytes, channel: channel, timestamp: stamped ? datagram.timestamp : nil,
                    source: PortAddress(networkProtocol: networkProtocol, address: source.hostAddress))
            })
    }

    /// Sends `bytes` through `channel`'s socket to `address`; event messages return their transmit-stamp token.
    func send<Address: UDPSocketAddress>(_ bytes: [UInt8], channel: TransportChannel, to address: Address) throws(TransportError)
        -> TransmitStampHandle?
    {
        var address = address
        let socket = socket(for: channel)
        return try withUnsafePointer(to: &address) { pointer throws(TransportError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw throws(TransportError) in
                try socket.send(bytes, to: raw, length: socklen_t(MemoryLayout<Address>.size), stamped: channel == .event)
            }
        }
    }
}

extension TransportSockets {
    /// Sends `bytes` (padded for one-step as `mode` says) to the address `address` gives `destination`.
    func send<Address: UDPSocketAddress>(
        _ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination, mode: TransmitStampMode,
        address: (TransportDestination) throws(TransportError) -> Address
    ) throws(TransportError) -> TransmitStampHandle? {
        try send(
            TransportConfiguration.paddedForOneStep(bytes, channel: channel, mode: mode), channel: channel,
            to: address(destination))
    }

    /// Sends `batch` through `channel`'s socket (``TimestampingSocket/send(batch:to:stamped:)``), each message
    /// to the address `address` gives its destination; a destination it refuses fails that message alone.
    func send<Address: UDPSocketAddress>(
        batch: [OutgoingDatagram], channel: TransportChannel, mode: TransmitStampMode,
        address: (TransportDestination) throws(TransportError) -> Address
    ) -> [Result<TransmitStampHandle?, TransportError>] {
        var results = [Result<TransmitStampHandle?, TransportError>?](repeating: nil, count: batch.count)
        var payloads: [[UInt8]] = []
        var addresses: [Address] = []
        var positions: [Int] = []
        payloads.reserveCapacity(batch.count)
        addresses.reserveCapacity(batch.count)
        positions.reserveCapacity(batch.count)
        for (i, datagram) in batch.enumerated() {
            do throws(TransportError) {
                addresses.append(try address(datagram.destination))
                payloads.append(TransportConfiguration.paddedForOneStep(datagram.bytes, channel: channel, mode: mode))
                positions.append(i)
            } catch {
                results[i] = .failure(error)
            }
        }
        let sent = socket(for: channel).send(batch: payloads, to: addresses, stamped: channel == .event)
        for (position, result) in zip(positions, sent) { results[position] = result }
        return results.map { $0 ?? .failure(.closed) }
    }
}

extension TransportConfiguration {
    /// The UDP port of `channel`: `event_port` or `general_port`.
    func port(for channel: TransportChannel) -> UInt16 {
        channel == .event ? eventPort : generalPort
    }
}

extension TimestampingSocket {
    /// Binds to `address`; `operation` names the call in a failure.
    ///
    /// The corresponding C function is `bind`.
    func bind<Address: UDPSocketAddress>(to address: Address, operation: String) throws(TransportError) {
        var address = address
        try shim(operation) { fd in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size))
                }
            }
        }
    }
}

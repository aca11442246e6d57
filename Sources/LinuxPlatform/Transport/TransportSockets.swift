import PTPCore
import SystemPackage

/// An open transport's sockets, link monitor and stamping socket, and the ``PTPTransport`` operations every
/// transport carries out through them the same way. Each transport forwards those requirements here in one
/// line and keeps only what differs: opening its sockets, addressing a send, and reading a received datagram.
struct TransportSockets: Sendable {
    let socketSet: SocketSet
    /// The socket whose transmit stamps are paired: UDP's event socket, IEEE 802.3's only socket.
    let stamping: TimestampingSocket
    let transmitTimestampTimeout: PTPDuration
    /// Turns a datagram from the member carrying `channel` (`nil` for a socket carrying both) into a message,
    /// or refuses it with `nil`.
    let convert: @Sendable (_ datagram: ReceivedDatagram, _ channel: TransportChannel?) -> ReceivedMessage?

    /// Adds `interface`'s link monitor to `members` (open sockets); when it cannot be opened, closes the
    /// members and throws.
    init(
        members: [(socket: TimestampingSocket, channel: TransportChannel?)], interface: NetworkInterface,
        stamping: TimestampingSocket, transmitTimestampTimeout: PTPDuration,
        convert: @escaping @Sendable (_ datagram: ReceivedDatagram, _ channel: TransportChannel?) -> ReceivedMessage?
    ) throws(TransportError) {
        let monitor: LinkMonitor
        do {
            monitor = try LinkMonitor(interfaceName: interface.name)
        } catch {
            for member in members { member.socket.close() }
            throw error
        }
        socketSet = SocketSet(members: members, monitor: monitor)
        self.stamping = stamping
        self.transmitTimestampTimeout = transmitTimestampTimeout
        self.convert = convert
    }

    /// The member that carries `channel`, or the stamping socket when one socket carries both.
    func socket(for channel: TransportChannel) -> TimestampingSocket {
        socketSet.members.first { $0.channel == channel }?.socket ?? stamping
    }

    /// See ``PTPTransport/transmitTimestamp(for:)``.
    func transmitTimestamp(for token: TransmitStampHandle) -> TransmitTimestampOutcome {
        stamping.transmitTimestamp(for: token, timeout: transmitTimestampTimeout)
    }

    /// See ``PTPTransport/receive(timeout:)``.
    func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage? {
        try socketSet.receive(timeout: timeout, convert: message)
    }

    /// See ``PTPTransport/nextEvent(timeout:)``.
    func nextEvent(timeout: PTPDuration) throws(TransportError) -> TransportEvent? {
        try socketSet.next(timeout: timeout, includeLink: true, convert: message)
    }

    /// See ``PTPTransport/readReady(descriptorIndex:revents:)``; the descriptors are ordered as
    /// ``pollDescriptors``: the members, then the link monitor.
    func readReady(descriptorIndex: Int, revents: Int16) throws(TransportError) -> TransportEvent? {
        switch try socketSet.readReady(member: descriptorIndex, revents: revents) {
        case nil: nil
        case .link(let event): .link(event)
        case .datagram(let datagram, let index): message(datagram, index: index).map { .message($0) }
        }
    }

    /// See ``PTPTransport/readReady(descriptorIndex:revents:limit:_:)``.
    func readReady(descriptorIndex: Int, revents: Int16, limit: Int, _ each: (TransportEvent) -> Void)
        throws(TransportError)
    {
        try socketSet.readAllReady(member: descriptorIndex, revents: revents, limit: limit) { ready in
            switch ready {
            case .link(let event): each(.link(event))
            case .datagram(let datagram, let index): if let message = message(datagram, index: index) { each(.message(message)) }
            }
        }
    }

    var isLinkUp: Bool { socketSet.isLinkUp }

    /// See ``PTPTransport/pollDescriptors``.
    var pollDescriptors: [Int32] {
        socketSet.members.map(\.socket.descriptor.rawValue) + (socketSet.monitor.map { [$0.descriptor.rawValue] } ?? [])
    }

    /// See ``PTPTransport/eventOnlyDescriptorIndex``: the member that carries the event channel alone.
    var eventOnlyDescriptorIndex: Int? { socketSet.members.firstIndex { $0.channel == .event } }

    var transmitTimestampStatistics: TransmitTimestampStatistics { stamping.statistics }

    func close() {
        socketSet.close()
    }

    private func message(_ datagram: ReceivedDatagram, index: Int) -> ReceivedMessage? {
        convert(datagram, socketSet.members[index].channel)
    }
}

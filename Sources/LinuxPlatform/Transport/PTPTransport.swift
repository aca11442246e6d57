import PTPCore

/// A PTP transport on one interface: UDP over IPv4 or IPv6, or IEEE 802.3 (IEEE 1588-2019 annexes C, D, E).
///
/// It moves bytes and kernel timestamps only: it never decodes a message. All methods are synchronous and
/// may block for at most the timeout they are given; run them on a dedicated thread (the daemon's clock
/// loop), never on the cooperative pool.
///
/// Timestamps are readings of the timestamping clock, unconverted: `CLOCK_REALTIME` (UTC, as the kernel keeps
/// it) in software mode, the interface's PHC in hardware mode. A lab turns software stamps into a virtual
/// clock's time with ``VirtualClock/convert(systemTimestamp:)``; a daemon on the system clock applies the
/// UTC offset itself.
public protocol PTPTransport: AnyObject, Sendable {
    var networkProtocol: NetworkProtocol { get }
    var configuration: TransportConfiguration { get }
    /// The interface as it was when the transport opened.
    var interface: NetworkInterface { get }
    /// This port's protocol address (IPv4, IPv6 or MAC), for the port's `PortAddress`.
    var localAddress: PortAddress { get }

    /// Sends one message. Event messages return the token of their transmit timestamp; general messages `nil`.
    func send(_ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination) throws(TransportError)
        -> TransmitStampHandle?

    /// Sends several messages through one channel, in order, with as few system calls as the transport can
    /// make (`sendmmsg` on UDP): one result per message, as ``send(_:channel:to:)`` gives it. A message that
    /// fails does not stop the others unless the send queue is full or the link is gone.
    func send(batch: [OutgoingDatagram], channel: TransportChannel) -> [Result<TransmitStampHandle?, TransportError>]

    /// Waits up to `tx_timestamp_timeout` for the transmit stamp of an event message.
    func transmitTimestamp(for token: TransmitStampHandle) -> TransmitTimestampOutcome

    /// Receives the next message on either channel, waiting at most `timeout`; `nil` on timeout.
    func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage?

    /// Waits up to `timeout` for the next message or link change, whichever comes first; `nil` on timeout.
    /// This is the call a port's receive thread makes.
    func nextEvent(timeout: PTPDuration) throws(TransportError) -> TransportEvent?

    /// Every descriptor a caller polling many transports in one `poll` waits on for this one (its sockets and
    /// its link monitor); when any is ready, ``readReady(descriptorIndex:revents:)`` reads what came.
    var pollDescriptors: [Int32] { get }

    /// The index in ``pollDescriptors`` of the socket that carries event messages only (UDP's port 319), or `nil`
    /// when one socket carries both channels (IEEE 802.3). A master port using the delay request-response
    /// mechanism receives only Delay_Reqs there, which a poller may leave waiting until its next timer.
    var eventOnlyDescriptorIndex: Int? { get }

    /// Reads what the caller's own `poll` reported on `pollDescriptors[descriptorIndex]` (`revents`), without
    /// polling again: drains the error queue on `POLLERR`, reads one datagram on `POLLIN`, or the link change.
    /// At most one event, so a caller's poll loop (level-triggered) comes back for the next and its timers are
    /// served between two messages, as ptp4l reads one message per ready descriptor per `poll`. `nil` when
    /// there was nothing to hand on (only stamps, a refused datagram, a spurious wake-up).
    func readReady(descriptorIndex: Int, revents: Int16) throws(TransportError) -> TransportEvent?

    /// ``readReady(descriptorIndex:revents:)`` handing on every message waiting on the descriptor, up to
    /// `limit`, read together (`recvmmsg` on UDP and IEEE 802.3): a server port with many unicast clients finds
    /// several Delay_Reqs at each poll, and the clock answers them together (one `sendmmsg`). The default reads
    /// one, as ``readReady(descriptorIndex:revents:)``.
    func readReady(descriptorIndex: Int, revents: Int16, limit: Int, _ each: (TransportEvent) -> Void)
        throws(TransportError)

    /// Whether the interface was up (and had carrier) when last seen.
    var isLinkUp: Bool { get }

    /// The transmit-timestamp pairing counters.
    var transmitTimestampStatistics: TransmitTimestampStatistics { get }

    /// Closes the sockets; later calls fail with ``TransportError/closed``. Stop polling its descriptors first,
    /// so no thread is inside `poll` on a descriptor being closed.
    func close()
}

/// One message of a batch send (``PTPTransport/send(batch:channel:)``).
public struct OutgoingDatagram: Sendable {
    public var bytes: [UInt8]
    public var destination: TransportDestination

    public init(bytes: [UInt8], destination: TransportDestination) {
        self.bytes = bytes
        self.destination = destination
    }
}

extension PTPTransport {
    /// No event-only socket: the default for a transport whose one socket carries both channels.
    public var eventOnlyDescriptorIndex: Int? { nil }

    /// One event at most, as ``readReady(descriptorIndex:revents:)``: for a transport with no batch read.
    public func readReady(descriptorIndex: Int, revents: Int16, limit: Int, _ each: (TransportEvent) -> Void)
        throws(TransportError)
    {
        if let event = try readReady(descriptorIndex: descriptorIndex, revents: revents) { each(event) }
    }

    /// One `send` per message: for a transport with no batch send of its own (IEEE 802.3's packet socket).
    public func send(batch: [OutgoingDatagram], channel: TransportChannel) -> [Result<TransmitStampHandle?, TransportError>] {
        batch.map { datagram in
            Result { () throws(TransportError) in try send(datagram.bytes, channel: channel, to: datagram.destination) }
        }
    }
}

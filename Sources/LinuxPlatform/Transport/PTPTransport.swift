import Glibc
import PTPCore
import SystemPackage

/// A PTP transport on one interface: UDP over IPv4 or IPv6, or IEEE 802.3 (IEEE 1588-2019 annexes C, D, E).
///
/// It moves bytes and kernel timestamps only: it never decodes a message. All methods are synchronous and
/// may block for at most the timeout they are given; run them on a dedicated thread (``TransportReceiver``),
/// never on the cooperative pool.
public protocol PTPTransport: AnyObject, Sendable {
    var networkProtocol: NetworkProtocol { get }
    var configuration: TransportConfiguration { get }
    /// The interface as it was when the transport opened.
    var interface: NetworkInterface { get }
    /// This port's protocol address (IPv4, IPv6 or MAC), for the port's `PortAddress`.
    var localAddress: PortAddress { get }

    /// Sends one message. Event messages return the token of their transmit timestamp; general messages `nil`.
    func send(_ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination) throws(TransportError) -> TransmitToken?

    /// Waits up to `tx_timestamp_timeout` for the transmit stamp of an event message.
    func transmitTimestamp(for token: TransmitToken) -> TransmitTimestampOutcome

    /// Receives the next message on either channel, waiting at most `timeout`; `nil` on timeout.
    func receive(timeout: PTPDuration) throws(TransportError) -> ReceivedMessage?

    /// The transmit-timestamp pairing counters.
    var transmitTimestampStatistics: TransmitTimestampStatistics { get }

    /// Closes the sockets; later calls fail with ``TransportError/closed``.
    func close()
}

/// The sockets of one transport and which channel each carries; polls them together.
struct SocketSet: Sendable {
    var members: [(socket: TimestampingSocket, channel: TransportChannel?)]

    /// Waits up to `timeout` for a datagram on any member. A socket with only error-queue traffic has its
    /// stamps drained into its pairing table, so a poll never spins on `POLLERR`.
    ///
    /// The corresponding C function is `poll`.
    func receive(timeout: PTPDuration) throws(TransportError) -> (ReceivedDatagram, index: Int)? {
        let deadline = monotonicNanoseconds() + max(0, timeout.nanoseconds)
        var fds = members.map { pollfd(fd: $0.socket.descriptor.rawValue, events: CShort(POLLIN), revents: 0) }
        // Bounded: each pass either returns, drains an error queue, or waits until the deadline.
        for _ in 0..<100_000 {
            if members.contains(where: { $0.socket.isClosed }) {
                throw .closed
            }
            let remaining = deadline - monotonicNanoseconds()
            let milliseconds = CInt(clamping: max(0, (remaining + 999_999) / 1_000_000))
            for i in fds.indices { fds[i].revents = 0 }
            let ready = poll(&fds, nfds_t(fds.count), remaining > 0 ? min(milliseconds, 100) : 0)
            if ready < 0 {
                let error = Errno(rawValue: errno)
                if error == .interrupted { continue }
                throw .system(operation: "poll", interface: members.first?.socket.interfaceName ?? "", errno: error)
            }
            for (index, pfd) in fds.enumerated() where pfd.revents != 0 {
                if pfd.revents & CShort(POLLERR) != 0 {
                    members[index].socket.drainErrorQueue()
                }
                if pfd.revents & CShort(POLLIN) != 0, let datagram = try members[index].socket.receiveNow() {
                    return (datagram, index)
                }
            }
            if monotonicNanoseconds() >= deadline { return nil }
        }
        return nil
    }
}

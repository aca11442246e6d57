import Glibc
import PTPCore
import SystemPackage

/// The sockets of one transport and which channel each carries, plus its link monitor; polls them together.
struct SocketSet: Sendable {
    enum Ready {
        case datagram(ReceivedDatagram, index: Int)
        case link(LinkEvent)
    }

    var members: [(socket: TimestampingSocket, channel: TransportChannel?)]
    var monitor: LinkMonitor?

    /// Waits up to `timeout` for a datagram on any member, or (with `includeLink`) a link change. A socket
    /// with only error-queue traffic has its stamps drained into its pairing table, so a poll never spins on
    /// `POLLERR`.
    ///
    /// The corresponding C function is `poll`.
    func wait(timeout: PTPDuration, includeLink: Bool) throws(TransportError) -> Ready? {
        let deadline = monotonicNanoseconds() + max(0, timeout.nanoseconds)
        var fds = members.map { pollfd(fd: $0.socket.descriptor.rawValue, events: CShort(POLLIN), revents: 0) }
        if includeLink, let monitor {
            fds.append(pollfd(fd: monitor.descriptor.rawValue, events: CShort(POLLIN), revents: 0))
        }
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
                if let ready = try readReady(member: index, revents: pfd.revents) { return ready }
            }
            if monotonicNanoseconds() >= deadline { return nil }
        }
        return nil
    }

    /// What a `poll` found on member `member` (or, one past the members, the link monitor): the error queue
    /// drained on `POLLERR`, one datagram read on `POLLIN`. No `poll` of its own and no allocation beyond the
    /// datagram's: ``wait(timeout:includeLink:)`` after its own poll, and a caller that polls many transports
    /// at once (``PTPTransport/readReady(descriptorIndex:revents:)``).
    func readReady(member: Int, revents: Int16) throws(TransportError) -> Ready? {
        if member == members.count {
            return monitor?.readPending().map { .link($0) }
        }
        guard members.indices.contains(member) else { return nil }
        let socket = members[member].socket
        if socket.isClosed { throw .closed }
        if revents & Int16(POLLERR) != 0 {
            socket.drainErrorQueue()
        }
        if revents & Int16(POLLIN) != 0, let datagram = try socket.receiveNow() {
            return .datagram(datagram, index: member)
        }
        return nil
    }

    /// ``readReady(member:revents:)`` reading every datagram waiting on `POLLIN`, up to `limit`, with one
    /// `recvmmsg`.
    func readAllReady(member: Int, revents: Int16, limit: Int, _ each: (Ready) -> Void) throws(TransportError) {
        guard member != members.count, members.indices.contains(member), revents & Int16(POLLIN) != 0 else {
            if let ready = try readReady(member: member, revents: revents) { each(ready) }
            return
        }
        let socket = members[member].socket
        if socket.isClosed { throw .closed }
        if revents & Int16(POLLERR) != 0 {
            socket.drainErrorQueue()
        }
        _ = try socket.receiveWaiting(limit: limit) { each(.datagram($0, index: member)) }
    }

    /// Waits for the next message that `convert` accepts, or a link change when `includeLink`.
    func next(
        timeout: PTPDuration, includeLink: Bool, convert: (ReceivedDatagram, Int) -> ReceivedMessage?
    ) throws(TransportError) -> TransportEvent? {
        let deadline = monotonicNanoseconds() + max(0, timeout.nanoseconds)
        // Bounded: a datagram `convert` refuses costs one pass.
        for _ in 0..<10_000 {
            let remaining = PTPDuration.nanoseconds(max(0, deadline - monotonicNanoseconds()))
            switch try wait(timeout: remaining, includeLink: includeLink) {
            case nil:
                return nil
            case .link(let event):
                return .link(event)
            case .datagram(let datagram, let index):
                if let message = convert(datagram, index) { return .message(message) }
            }
        }
        return nil
    }

    /// The next message only (link changes stay queued for ``next(timeout:includeLink:convert:)``).
    func receive(timeout: PTPDuration, convert: (ReceivedDatagram, Int) -> ReceivedMessage?) throws(TransportError)
        -> ReceivedMessage?
    {
        guard case .message(let message) = try next(timeout: timeout, includeLink: false, convert: convert) else { return nil }
        return message
    }

    var isLinkUp: Bool { monitor?.isUp ?? true }

    func close() {
        for member in members { member.socket.close() }
        monitor?.close()
    }
}

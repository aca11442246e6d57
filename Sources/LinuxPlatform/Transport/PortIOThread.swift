import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// What a port's I/O thread reports.
public enum PortIOEvent: Sendable {
    /// A received message or a link change.
    case transport(TransportEvent)
    /// The transmit timestamp (or its absence) of the event message sent with `id`.
    case transmitted(id: UInt64, TransmitTimestampOutcome)
    /// A send failed; the message was not sent.
    case sendFailed(id: UInt64, TransportError)
}

/// One thread per port that both receives and sends, the way ptp4l's single loop does.
///
/// Why not a receive thread plus sends from elsewhere: a transmit timestamp is queued on the socket's
/// error queue inside the kernel's transmit path, and that wakes every thread sleeping in `poll` on the
/// socket (POLLERR cannot be masked). On this VM the wake-up costs an IPI, about 2 µs, spent between
/// the software transmit stamp and the frame reaching the peer: a constant asymmetry and extra jitter
/// in every measurement. Here the thread that sends is the only one polling, so nobody sleeps on the
/// socket while it transmits; it then reads the stamp itself, as ptp4l does.
public final class PortIOThread: Sendable {
    /// Where the thread's events go (``init(transport:pollInterval:bufferLimit:)``'s stream, or a caller's sink).
    public struct Sink: Sendable {
        public var yield: @Sendable (PortIOEvent) -> Void
        /// Called once when the thread ends (stopped, or a fatal socket error).
        public var finish: @Sendable () -> Void

        public init(yield: @escaping @Sendable (PortIOEvent) -> Void, finish: @escaping @Sendable () -> Void) {
            self.yield = yield
            self.finish = finish
        }
    }

    /// The events, when the thread was made with a stream rather than a caller's sink.
    public let events: AsyncStream<PortIOEvent>

    private struct Outgoing: Sendable {
        var id: UInt64
        var bytes: [UInt8]
        var channel: TransportChannel
        var destination: TransportDestination
        var wantsTimestamp: Bool
    }

    private let transport: any PTPTransport
    private let queue = Mutex<[Outgoing]>([])
    /// Set by the first ``send`` that finds the thread not yet rung; the thread clears it when it takes the
    /// queue. Further sends before then neither write the doorbell again nor make the thread read it twice.
    private let rung = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let sink: Sink
    /// A non-blocking pipe: writing a byte wakes the thread's poll.
    private let doorbell: Int32
    private let doorbellWriter: Int32
    private let thread: Mutex<PlatformThread?>

    /// Starts the thread. `pollInterval` bounds how long a stop request waits.
    public convenience init(transport: any PTPTransport, pollInterval: PTPDuration = .milliseconds(200), bufferLimit: Int = 4096)
        throws(Errno)
    {
        let (stream, continuation) = AsyncStream<PortIOEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        try self.init(
            transport: transport, pollInterval: pollInterval, events: stream,
            sink: Sink(yield: { continuation.yield($0) }, finish: { continuation.finish() }))
    }

    /// Starts the thread, handing every event to `sink` on the thread itself (the sink must not block).
    public convenience init(transport: any PTPTransport, pollInterval: PTPDuration = .milliseconds(200), sink: Sink) throws(Errno)
    {
        try self.init(transport: transport, pollInterval: pollInterval, events: AsyncStream { $0.finish() }, sink: sink)
    }

    private init(transport: any PTPTransport, pollInterval: PTPDuration, events: AsyncStream<PortIOEvent>, sink: Sink)
        throws(Errno)
    {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw Errno(rawValue: errno) }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        doorbell = pipeEnds[0]
        doorbellWriter = pipeEnds[1]
        self.transport = transport
        self.events = events
        self.sink = sink
        thread = Mutex(nil)
        let spawned: PlatformThread
        do {
            spawned = try PlatformThread.spawn { [self] in
                self.loop(sink, pollInterval: pollInterval)
            }
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        thread.withLock { $0 = spawned }
    }

    /// Sends one message. An event message whose transmit stamp is wanted is queued and sent by the I/O
    /// thread, which then reads the stamp (see the type's comment); its stamp comes back as
    /// ``PortIOEvent/transmitted(id:_:)``. Any other message asks the kernel for no transmit stamp, so sending
    /// it wakes no thread polling the socket: it goes out at once from the caller's thread, which saves the
    /// doorbell write, the I/O thread's wake-up and its read (a Follow_Up, Announce or Delay_Resp costs one
    /// `sendmsg`, as in ptp4l). A failed send is reported as ``PortIOEvent/sendFailed(id:_:)`` either way.
    public func send(
        _ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination, id: UInt64, wantsTimestamp: Bool
    ) {
        let message = Outgoing(id: id, bytes: bytes, channel: channel, destination: destination, wantsTimestamp: wantsTimestamp)
        guard wantsTimestamp else {
            transmit(message, sink)
            return
        }
        queue.withLock { $0.append(message) }
        if !rung.exchange(true, ordering: .acquiringAndReleasing) {
            ring()
        }
    }

    private func ring() {
        var one: UInt8 = 1
        _ = write(doorbellWriter, &one, 1)
    }

    /// Stops the thread (after at most `pollInterval`) and ends the event stream. The transport stays open.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        ring()
        let handle = thread.withLock { handle -> PlatformThread? in
            defer { handle = nil }
            return handle
        }
        handle?.join()
    }

    deinit {
        stop()
        close(doorbell)
        close(doorbellWriter)
    }

    private func loop(_ sink: Sink, pollInterval: PTPDuration) {
        defer { sink.finish() }
        while !stopping.load(ordering: .acquiring) {
            if rung.exchange(false, ordering: .acquiringAndReleasing) {
                sendQueued(sink)
            }
            let result = Result { () throws(TransportError) in try transport.nextEvent(timeout: pollInterval, doorbell: doorbell)
            }
            switch result {
            case .success(let event?):
                sink.yield(.transport(event))
            case .success(nil):
                // The doorbell rang (or the wait timed out): one read empties it, since a send writes a byte
                // only when it sets `rung`, and `stop` one more.
                var drain = [UInt8](repeating: 0, count: 64)
                _ = drain.withUnsafeMutableBytes { read(doorbell, $0.baseAddress, $0.count) }
            case .failure(.closed):
                return
            case .failure:
                // A failed poll or receive is reported through the stream's end; the port goes FAULTY.
                return
            }
        }
    }

    private func sendQueued(_ sink: Sink) {
        let batch = queue.withLock { pending -> [Outgoing] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        for message in batch {
            transmit(message, sink)
        }
    }

    /// Sends `message` on the calling thread; for a stamped event message, waits for its transmit stamp.
    private func transmit(_ message: Outgoing, _ sink: Sink) {
        let result = Result { () throws(TransportError) in
            try transport.send(message.bytes, channel: message.channel, to: message.destination)
        }
        switch result {
        case .failure(let error):
            sink.yield(.sendFailed(id: message.id, error))
        case .success(let token):
            if let token, message.wantsTimestamp {
                sink.yield(.transmitted(id: message.id, transport.transmitTimestamp(for: token)))
            }
        }
    }
}

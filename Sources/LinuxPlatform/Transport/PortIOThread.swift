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

/// One thread per port that both receives and sends, the way ptp4l's single loop does — and, when a clock
/// actor makes it its executor, the thread that runs that actor too, with the actor's timers in its poll.
///
/// Why not a receive thread plus sends from elsewhere: a transmit timestamp is queued on the socket's
/// error queue inside the kernel's transmit path, and that wakes every thread sleeping in `poll` on the
/// socket (POLLERR cannot be masked). On this VM the wake-up costs an IPI, about 2 µs, spent between
/// the software transmit stamp and the frame reaching the peer: a constant asymmetry and extra jitter
/// in every measurement. Here the thread that sends is the only one polling, so nobody sleeps on the
/// socket while it transmits; it then reads the stamp itself, as ptp4l does.
///
/// As a `SerialExecutor` it runs the jobs of the actor that uses it (``asUnownedSerialExecutor()``), plain
/// calls queued with ``run(_:)`` and timers set with ``schedule(after:_:)``, in order, between polls. A clock
/// whose actor runs here handles a received message, fires a Sync timer and sends the result without any
/// other thread waking: the cost ptp4l pays, not a thread hop per message. A thread made without a transport
/// (``init(pollInterval:)``) is only an executor, for clocks whose ports are not sockets (tests).
public final class PortIOThread: SerialExecutor, Sendable {
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

    /// Work for the thread: an actor's job, or a plain call.
    private enum Work: @unchecked Sendable {
        case job(UnownedJob)
        case call(@Sendable () -> Void)
    }

    private struct Timer: @unchecked Sendable {
        var deadline: Int64
        var sequence: UInt64
        var body: @Sendable () -> Void
    }

    private struct Pending: @unchecked Sendable {
        var work: [Work] = []
        var outgoing: [Outgoing] = []
        var timers: [Timer] = []
        var timerSequence: UInt64 = 0
        /// Whether the thread may be asleep in poll (a producer on another thread must ring then).
        var sleeping = false
    }

    private let transport: (any PTPTransport)?
    private let sink: Sink
    /// Set (on the thread) by ``closeTransport()``: the thread goes on as an executor only.
    private let transportClosed = Atomic<Bool>(false)
    private let pending = Mutex(Pending())
    private let stopping = Atomic<Bool>(false)
    /// The loop thread's id (pthread_self), for ``isCurrent``.
    private let loopThread = Atomic<UInt>(0)
    /// A non-blocking pipe: writing a byte wakes the thread's poll.
    private let doorbell: Int32
    private let doorbellWriter: Int32
    private let thread: Mutex<PlatformThread?>

    /// Starts the thread. `pollInterval` bounds how long a stop request waits.
    public convenience init(transport: any PTPTransport, pollInterval: PTPDuration = .milliseconds(200), bufferLimit: Int = 4096) throws(Errno) {
        let (stream, continuation) = AsyncStream<PortIOEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        try self.init(
            transport: transport, pollInterval: pollInterval, events: stream,
            sink: Sink(yield: { continuation.yield($0) }, finish: { continuation.finish() }))
    }

    /// Starts the thread, handing every event to `sink` on the thread itself (the sink must not block).
    public convenience init(transport: any PTPTransport, pollInterval: PTPDuration = .milliseconds(200), sink: Sink) throws(Errno) {
        try self.init(transport: transport, pollInterval: pollInterval, events: AsyncStream { $0.finish() }, sink: sink)
    }

    /// Starts a thread that is only an executor: jobs, calls and timers, no sockets.
    public convenience init(pollInterval: PTPDuration = .milliseconds(200)) throws(Errno) {
        try self.init(transport: nil, pollInterval: pollInterval, events: AsyncStream { $0.finish() }, sink: Sink(yield: { _ in }, finish: {}))
    }

    private init(transport: (any PTPTransport)?, pollInterval: PTPDuration, events: AsyncStream<PortIOEvent>, sink: Sink) throws(Errno) {
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
                self.loop(pollInterval: pollInterval)
            }
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        thread.withLock { $0 = spawned }
    }

    /// Queues one message; the I/O thread sends it as soon as the work in hand is done. For an event message
    /// with `wantsTimestamp`, its transmit timestamp comes back as ``PortIOEvent/transmitted(id:_:)``.
    public func send(_ bytes: [UInt8], channel: TransportChannel, to destination: TransportDestination, id: UInt64, wantsTimestamp: Bool) {
        let ring = pending.withLock {
            $0.outgoing.append(Outgoing(id: id, bytes: bytes, channel: channel, destination: destination, wantsTimestamp: wantsTimestamp))
            return $0.sleeping
        }
        if ring { self.ring() }
    }

    // MARK: Executor

    /// True on the thread itself.
    public var isCurrent: Bool { loopThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Closes the transport on the thread, between polls, and ends the event stream; the thread goes on
    /// running jobs, calls and timers (an actor whose executor it is keeps working) until ``stop()``.
    public func closeTransport() {
        run { [self] in
            guard let transport, !transportClosed.load(ordering: .relaxed) else { return }
            transportClosed.store(true, ordering: .relaxed)
            transport.close()
            sink.finish()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        add(.job(UnownedJob(job)))
    }

    /// Runs `body` on the thread, after the work queued before it.
    public func run(_ body: @escaping @Sendable () -> Void) {
        add(.call(body))
    }

    /// Runs `body` on the thread once `after` has passed (to within the poll's millisecond).
    public func schedule(after: PTPDuration, _ body: @escaping @Sendable () -> Void) {
        let deadline = monotonicNanoseconds() + max(0, after.nanoseconds)
        let ring = pending.withLock {
            $0.timerSequence &+= 1
            $0.timers.append(Timer(deadline: deadline, sequence: $0.timerSequence, body: body))
            return $0.sleeping
        }
        if ring { self.ring() }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// `assumeIsolated` on an actor whose executor this is holds only on this thread.
    public func checkIsolated() {
        precondition(isCurrent, "not on the port's I/O thread")
    }

    private func add(_ work: Work) {
        let ring = pending.withLock {
            $0.work.append(work)
            return $0.sleeping
        }
        if ring { self.ring() }
    }

    private func ring() {
        var one: UInt8 = 1
        _ = write(doorbellWriter, &one, 1)
    }

    /// Stops the thread (after at most `pollInterval`) and ends the event stream. The transport stays open.
    /// Work still queued is dropped.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        ring()
        guard !isCurrent else { return }
        let handle = thread.withLock { handle -> PlatformThread? in
            defer { handle = nil }
            return handle
        }
        handle?.join()
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        close(doorbell)
        close(doorbellWriter)
    }

    // MARK: The loop

    private func loop(pollInterval: PTPDuration) {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        defer { if !transportClosed.load(ordering: .relaxed) { sink.finish() } }
        var drain = [UInt8](repeating: 0, count: 64)
        var batch: [Work] = []
        var due: [Timer] = []
        while !stopping.load(ordering: .acquiring) {
            while drain.withUnsafeMutableBytes({ read(doorbell, $0.baseAddress, $0.count) }) > 0 {}
            // Work, due timers, then what they sent, until nothing is left; then sleep in poll.
            var timeout = pollInterval
            for _ in 0..<64 {
                let now = monotonicNanoseconds()
                pending.withLock { state in
                    swap(&batch, &state.work)
                    if !state.timers.isEmpty {
                        due.append(contentsOf: state.timers.lazy.filter { $0.deadline <= now })
                        state.timers.removeAll { $0.deadline <= now }
                    }
                }
                due.sort { ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence) }
                for work in batch {
                    switch work {
                    case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
                    case .call(let body): body()
                    }
                }
                for timer in due { timer.body() }
                let didWork = !batch.isEmpty || !due.isEmpty
                batch.removeAll(keepingCapacity: true)
                due.removeAll(keepingCapacity: true)
                let sent = sendQueued()
                if !didWork && !sent { break }
            }
            // Sleep until the next timer, a doorbell, or a message.
            let idle = pending.withLock { state -> Bool in
                guard state.work.isEmpty, state.outgoing.isEmpty else { return false }
                if let next = state.timers.min(by: { $0.deadline < $1.deadline })?.deadline {
                    timeout = min(timeout, .nanoseconds(max(0, next - monotonicNanoseconds())))
                }
                state.sleeping = true
                return true
            }
            if !idle { continue }
            defer { pending.withLock { $0.sleeping = false } }
            if let transport, !transportClosed.load(ordering: .relaxed) {
                let result = Result { () throws(TransportError) in try transport.nextEvent(timeout: timeout, doorbell: doorbell) }
                switch result {
                case .success(let event):
                    if let event { sink.yield(.transport(event)) }
                case .failure:
                    // A failed poll or receive (or a closed transport) is reported through the stream's end;
                    // the port goes FAULTY.
                    return
                }
            } else {
                var fd = pollfd(fd: doorbell, events: CShort(POLLIN), revents: 0)
                let milliseconds = (max(0, timeout.nanoseconds) + 999_999) / 1_000_000
                _ = poll(&fd, 1, Int32(clamping: milliseconds))
            }
        }
    }

    /// Sends what was queued; true when anything was.
    private func sendQueued() -> Bool {
        guard let transport, !transportClosed.load(ordering: .relaxed) else {
            pending.withLock { $0.outgoing.removeAll() }
            return false
        }
        let batch = pending.withLock { state -> [Outgoing] in
            defer { state.outgoing.removeAll(keepingCapacity: true) }
            return state.outgoing
        }
        for message in batch {
            let result = Result { () throws(TransportError) in try transport.send(message.bytes, channel: message.channel, to: message.destination) }
            switch result {
            case .failure(let error):
                sink.yield(.sendFailed(id: message.id, error))
            case .success(let token):
                if let token, message.wantsTimestamp {
                    sink.yield(.transmitted(id: message.id, transport.transmitTimestamp(for: token)))
                }
            }
        }
        return !batch.isEmpty
    }
}

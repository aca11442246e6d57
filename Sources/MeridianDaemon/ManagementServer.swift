import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire
import ServiceLifecycle
import Synchronization

/// Serves IEEE 1588 management (clause 15) to linuxptp's `pmc` and to `meridianctl`, the way ptp4l
/// serves `pmc -u`: on a read-write Unix datagram socket (`uds_address`, default `/var/run/ptp4l`,
/// mode 0660) and a read-only one (`uds_ro_address`, default `/var/run/ptp4lro`, mode 0666, GET only).
/// PTP ports hand network requests in through ``handleNetwork(_:ingressPort:)``.
///
/// Each socket has its own receive thread (``PlatformThread``) that waits in `poll`, so nothing
/// blocks the cooperative pool; datagrams go through an `AsyncStream` to this actor, which decodes
/// them, asks ``ManagementDispatcher`` what to do with a fresh ``ManagementSnapshot``, carries out
/// SET and COMMAND through the ``ManagementBackend``, and replies to the sender's address. Garbage
/// is counted and dropped; the server never stops serving because of what it received.
///
/// Wiring it into the daemon:
/// 1. implement ``ManagementBackend`` over the actors (``ManagementSnapshot/init(engine:ports:ingressTime:synchronizationUncertain:status:)``
///    and ``PTPEngine/InstanceEngine/applyManagement(_:at:into:)`` do most of it);
/// 2. `ManagementServer(configuration: .init(config), backend:)`, `try await start()` before
///    announcing readiness, and add it to the `ServiceGroup` (``run()``);
/// 3. each PortActor hands received Management messages to ``handleNetwork(_:ingressPort:)`` and sends
///    what it returns on its general channel; ``setForwarder(_:)`` sends boundary-hop copies out of
///    the listed ports;
/// 4. after every port state change, call ``notifyPortStateChanged(port:)``.
public actor ManagementServer: Service {
    public struct Configuration: Sendable, Hashable {
        public var readWritePath: String
        /// nil: no read-only socket.
        public var readOnlyPath: String?
        public var readWriteMode: UInt32
        public var readOnlyMode: UInt32
        /// The group of the read-write socket (`uds_group`, issue #17): its members may SET with pmc without
        /// root. nil: the daemon's own group.
        public var readWriteGroup: UInt32?
        /// The owner of both sockets: the `user` meridiand switches to after start-up (the sockets are then the
        /// user's, as when it makes them unprivileged). nil: whoever meridiand runs as.
        public var socketOwner: UInt32?
        /// Whether SET and COMMAND are accepted from the network (off, as in ptp4l).
        public var networkWritesAllowed: Bool

        public init(
            readWritePath: String = "/var/run/ptp4l", readOnlyPath: String? = "/var/run/ptp4lro",
            readWriteMode: UInt32 = 0o660, readOnlyMode: UInt32 = 0o666, networkWritesAllowed: Bool = false,
            readWriteGroup: UInt32? = nil
        ) {
            self.readWriteGroup = readWriteGroup
            self.readWritePath = readWritePath
            self.readOnlyPath = readOnlyPath
            self.readWriteMode = readWriteMode
            self.readOnlyMode = readOnlyMode
            self.networkWritesAllowed = networkWritesAllowed
        }
    }

    struct Incoming: Sendable {
        var datagram: UnixDatagram
        var privilege: ManagementPrivilege
    }

    public let configuration: Configuration
    private let backend: any ManagementBackend
    private let dispatcher = ManagementDispatcher()
    private var subscribers = ManagementSubscribers()
    private var counters = ManagementServerStatistics() {
        didSet { publishedStatistics.withLock { $0 = counters } }
    }
    /// The counters as of the last change, readable from any thread without a hop onto this actor (the HTTP
    /// endpoint's `/metrics` and `/status.json`).
    nonisolated let publishedStatistics = Mutex(ManagementServerStatistics())
    /// Whether some subscription (live or lapsed since) asked for NOTIFY_TIME_SYNC: the clock only makes a task
    /// per Sync for ``notifyTimeSync()`` while it does.
    nonisolated let timeSyncSubscribed = Mutex(false)
    private var sockets: [ManagementPrivilege: UnixDatagramSocket] = [:]
    /// One queue per socket (issue #17): a flood on the 0666 read-only socket fills only its own queue, and the
    /// read-write socket's requests are served beside it, never behind it.
    private var streams: [AsyncStream<Incoming>]?
    private let stopping = StopFlag()
    private var forwarder: (@Sendable (_ message: [UInt8], _ ports: [UInt16]) async -> Void)?
    /// The read-write socket's last client: where replies forwarded from the network go (ptp4l's UDS port
    /// answers the address it last heard from).
    private var lastReadWriteClient: UnixSocketAddress?
    /// Datagrams received that found their socket's queue full (counted by the receive threads).
    final class OverflowCount: Sendable { let count = Atomic<Int>(0) }
    private let overflow = OverflowCount()
    /// Requests per second one sender may make: on the read-write socket (pmc's largest batch is 28 GETs) and on
    /// the read-only one, which any local user can reach.
    static let readWriteRequestsPerSecond = 1_000
    static let readOnlyRequestsPerSecond = 200
    private var readWriteAllowance = SenderRateLimiter<UnixSocketAddress>(limit: readWriteRequestsPerSecond)
    private var readOnlyAllowance = SenderRateLimiter<UnixSocketAddress>(limit: readOnlyRequestsPerSecond)

    public init(configuration: Configuration = Configuration(), backend: any ManagementBackend) {
        self.configuration = configuration
        self.backend = backend
    }

    /// Installs how management messages with boundary hops left are sent out of the PTP ports
    /// (``ManagementForwarding``: a boundary clock passes requests and replies on, 15.3.3). Without
    /// one, nothing is forwarded.
    public func setForwarder(_ forwarder: @escaping @Sendable (_ message: [UInt8], _ ports: [UInt16]) async -> Void) {
        self.forwarder = forwarder
    }

    /// The counters so far.
    public var statistics: ManagementServerStatistics { counters }

    /// The number of live subscribers.
    public var subscriberCount: Int {
        var copy = subscribers
        copy.prune(now: .now)
        return copy.count
    }

    /// Binds the sockets and starts the receive threads; ``run()`` then serves. Separate so a caller
    /// knows the sockets exist before it announces readiness. Calling it twice does nothing.
    public func start() throws {
        guard streams == nil else { return }
        var opened: [(UnixDatagramSocket, ManagementPrivilege)] = []
        do {
            opened.append(
                (
                    try UnixDatagramSocket.bind(
                        path: configuration.readWritePath, mode: configuration.readWriteMode,
                        group: configuration.readWriteGroup, owner: configuration.socketOwner),
                    .localReadWrite
                ))
            if let path = configuration.readOnlyPath {
                opened.append(
                    (
                        try UnixDatagramSocket.bind(
                            path: path, mode: configuration.readOnlyMode, owner: configuration.socketOwner),
                        .localReadOnly
                    ))
            }
        } catch {
            for (socket, _) in opened { socket.close() }
            throw error
        }
        let stopping = self.stopping
        let overflow = self.overflow
        var streams: [AsyncStream<Incoming>] = []
        for (socket, privilege) in opened {
            sockets[privilege] = socket
            stopping.onStop { socket.wakeReceiver() }
            let (stream, continuation) = AsyncStream.makeStream(of: Incoming.self, bufferingPolicy: .bufferingNewest(256))
            continuation.onTermination = { _ in stopping.stop() }
            streams.append(stream)
            _ = try PlatformThread.spawn(name: "meridian-mgmt") {
                Self.receiveLoop(
                    socket: socket, privilege: privilege, stopping: stopping, overflow: overflow, continuation: continuation)
            }
        }
        self.streams = streams
    }

    /// Serves until cancelled or the service group shuts down, then closes and removes the sockets.
    public func run() async throws {
        try start()
        guard let streams else { return }
        let stopping = self.stopping
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for stream in streams {
                        group.addTask {
                            for await incoming in stream {
                                await self.handleLocal(incoming)
                            }
                        }
                    }
                }
            } onCancel: {
                stopping.stop()
            }
        }
        stopping.stop()
    }

    /// The receive thread: waits for datagrams, hands them on, and closes its socket when stopped.
    private static func receiveLoop(
        socket: UnixDatagramSocket, privilege: ManagementPrivilege, stopping: StopFlag, overflow: OverflowCount,
        continuation: AsyncStream<Incoming>.Continuation
    ) {
        defer {
            socket.close()
            continuation.finish()
        }
        // Bounded: a stop wakes the wait at once (``StopFlag/onStop(_:)``: `shutdown` makes the poll return); the
        // 10 s timeout is a backstop that costs an idle daemon no wake-up a second.
        while !stopping.isStopped {
            do {
                if let datagram = try socket.receive(timeoutMilliseconds: 10_000), !stopping.isStopped {
                    if case .dropped = continuation.yield(Incoming(datagram: datagram, privilege: privilege)) {
                        overflow.count.add(1, ordering: .relaxed)
                    }
                }
            } catch .closed {
                return
            } catch {
                // A transient receive error (ENOMEM, a peer's error) must not end the service.
                continue
            }
        }
    }

    private func handleLocal(_ incoming: Incoming) async {
        guard let socket = sockets[incoming.privilege] else { return }
        // Datagrams a socket's queue had no room for (its newest 256 are kept) are counted too.
        let overflowed = overflow.count.load(ordering: .relaxed)
        if overflowed != counters.dropped[.queueFull, default: 0] {
            counters.received += overflowed - counters.dropped[.queueFull, default: 0]
            counters.dropped[.queueFull] = overflowed
        }
        let sender = incoming.datagram.sender
        // Per-sender allowance (issue #17): a client that floods is cut to its allowance per second, the rest
        // dropped and counted; other clients keep theirs.
        let admitted =
            incoming.privilege == .localReadOnly
            ? readOnlyAllowance.admit(sender, now: .now) : readWriteAllowance.admit(sender, now: .now)
        guard admitted else {
            counters.received += 1
            counters.dropped[.rateLimited, default: 0] += 1
            return
        }
        if incoming.privilege == .localReadWrite, !sender.isUnnamed { lastReadWriteClient = sender }
        let replies = await handle(
            incoming.datagram.bytes, privilege: incoming.privilege, ingressPort: 0, sender: sender)
        // A read-only client (any local user) gets no patience: a reply it does not make room for is lost and
        // counted, so it cannot hold the server for ``replyPatience`` per reply while pmc waits on the
        // read-write socket (issue #17).
        let patience = incoming.privilege == .localReadOnly ? Duration.zero : Self.replyPatience
        for reply in replies where !(await Self.send(reply, to: sender, on: socket, patience: patience)) {
            counters.sendFailures += 1
            if incoming.privilege == .localReadOnly { counters.readOnlyRepliesLost += 1 }
        }
    }

    /// Sends `reply` to a Unix client, waiting while the client's receive queue is full.
    ///
    /// A Unix datagram socket queues at most `net.unix.max_dgram_qlen` (10) datagrams per reader, so a
    /// pmc batch of 28 GETs overflows it while pmc is still sending: ptp4l's blocking `sendto` simply
    /// waits for pmc to read. Here a full queue (EAGAIN) is retried every millisecond for up to
    /// ``replyPatience``, pmc's own straggler window, so a client that stopped reading costs at most
    /// that per reply; false when the reply could not be sent.
    private static func send(
        _ reply: [UInt8], to peer: UnixSocketAddress, on socket: UnixDatagramSocket, patience: Duration = replyPatience
    ) async -> Bool {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                try socket.send(reply, to: peer)
                return true
            } catch  where error.isPeerQueueFull && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            } catch {
                return false
            }
        }
    }

    /// How long a reply waits for a Unix client whose receive queue is full (pmc listens 100 ms).
    static let replyPatience = Duration.milliseconds(100)

    /// Answers a management message that arrived on PTP port `ingressPort` from the network; returns
    /// the replies for the port to send back to the requester (IEEE 1588-2019 15.3.4: the reply goes
    /// out the port the request came in on).
    public func handleNetwork(_ bytes: [UInt8], ingressPort: UInt16) async -> [[UInt8]] {
        await handle(
            bytes, privilege: .network(writesAllowed: configuration.networkWritesAllowed), ingressPort: ingressPort,
            sender: nil)
    }

    private func handle(
        _ bytes: [UInt8], privilege: ManagementPrivilege, ingressPort: UInt16, sender: UnixSocketAddress?
    ) async -> [[UInt8]] {
        counters.received += 1
        let message: PTPMessage
        do {
            message = try PTPMessage.decode(bytes)
        } catch {
            counters.malformed += 1
            return []
        }
        let now = ContinuousClock.now
        let subscription = sender.flatMap { subscribers.subscription(of: $0, now: now) }
        let requester = ManagementRequester(privilege: privilege, ingressPort: ingressPort, subscription: subscription)
        var snapshot = await backend.snapshot()
        snapshot.status.management = counters.wire
        // 15.3.3, as ptp4l's clock_forward_mgmt_msg: out of the other forwarding ports, and a reply from the
        // network to the read-write socket's last client (pmc asks with boundaryHops 1 by default, so it hears
        // the clocks beyond this one too). The read-only socket forwards nothing (linuxptp 4's UDS-RO port).
        if privilege != .localReadOnly,
            let forward = ManagementForwarding.forward(
                message, ingressPort: privilege.isLocal ? nil : ingressPort, snapshot: snapshot)
        {
            let bytes = forward.message.encoded()
            if let forwarder, !forward.ports.isEmpty {
                counters.forwarded += 1
                await forwarder(bytes, forward.ports)
            }
            if forward.toLocalClient, let client = lastReadWriteClient, let socket = sockets[.localReadWrite] {
                counters.forwarded += 1
                if !(await Self.send(bytes, to: client, on: socket)) { counters.sendFailures += 1 }
            }
        }
        let decision = dispatcher.handle(message, snapshot: snapshot, requester: requester)
        let replies: [PTPMessage]
        switch decision {
        case .drop(let reason):
            counters.dropped[reason, default: 0] += 1
            return []
        case .reply(let messages):
            replies = messages
        case .apply(let commands, let pending):
            var result: Result<Void, ManagementErrorID> = .success(())
            for command in commands {
                result = await apply(command, sender: sender, requester: pending.request.header.sourcePortIdentity)
                guard case .success = result else { break }
                counters.commandsApplied += 1
            }
            replies = dispatcher.complete(pending, result: result, snapshot: await backend.snapshot())
        }
        for reply in replies {
            if case .managementErrorStatus = reply.tlvs.first { counters.errorReplies += 1 } else { counters.replies += 1 }
        }
        return replies.map { $0.encoded() }
    }

    private func apply(
        _ command: ManagementCommand, sender: UnixSocketAddress?, requester: PortIdentity
    ) async -> Result<Void, ManagementErrorID> {
        guard case .subscribe(let events) = command else { return await backend.apply(command) }
        guard let sender, !sender.isUnnamed else { return .failure(.notSupported) }
        subscribers.update(sender, target: requester, events: events, now: .now)
        let timeSync = subscribers.byAddress.values.contains { $0.events.isSubscribed(SubscribeEventsNP.notifyTimeSync) }
        timeSyncSubscribed.withLock { $0 = timeSync }
        return .success(())
    }

    /// Pushes NOTIFY_PORT_STATE for port `number` to its live subscribers, as ptp4l does on every port
    /// state change: a PORT_DATA_SET RESPONSE from the port (``ManagementMessages/portStateNotification``).
    /// The daemon calls this after each state change.
    public func notifyPortStateChanged(port number: UInt16) async {
        let snapshot = await backend.snapshot()
        guard let port = snapshot.port(number) else { return }
        await push(SubscribeEventsNP.notifyPortState) { target, sequenceId in
            ManagementMessages.portStateNotification(
                port: port, domainNumber: snapshot.defaultDS.domainNumber, subscriber: target, sequenceId: sequenceId)
        }
    }

    /// Pushes NOTIFY_PARENT_DATA_SET (linuxptp 4's event): the grandmaster, or its announced quality, changed.
    public func notifyParentChanged() async {
        let snapshot = await backend.snapshot()
        await push(SubscribeEventsNP.notifyParentDataSet) { target, sequenceId in
            ManagementMessages.clockNotification(.parentDataSet, snapshot: snapshot, subscriber: target, sequenceId: sequenceId)
        }
    }

    /// Pushes NOTIFY_TIME_SYNC (linuxptp 4): TIME_STATUS_NP after a measurement adjusted the clock.
    public func notifyTimeSync() async {
        let snapshot = await backend.snapshot()
        await push(SubscribeEventsNP.notifyTimeSync) { target, sequenceId in
            ManagementMessages.clockNotification(.timeStatusNP, snapshot: snapshot, subscriber: target, sequenceId: sequenceId)
        }
    }

    /// Pushes Meridian's status notification (MERIDIAN_STATUS_NP): the reference entered another state
    /// (locking, locked, holdover within or out of specification), or the clock's sync state changed
    /// (LOCKED, HOLDOVER — master silent or reference lost — FREERUN).
    public func notifyReferenceStateChanged() async {
        let snapshot = await backend.snapshot()
        await push(SubscribeEventsNP.notifyMeridianStatus) { target, sequenceId in
            ManagementMessages.clockNotification(
                .meridianStatusNP, snapshot: snapshot, subscriber: target, sequenceId: sequenceId)
        }
    }

    /// Sends what `build` makes to every live subscriber of event `bit` over the read-write socket.
    private func push(_ bit: Int, _ build: (PortIdentity, UInt16) -> PTPMessage?) async {
        guard let socket = sockets[.localReadWrite] else { return }
        for recipient in subscribers.takeRecipients(of: bit, now: .now) {
            guard let message = build(recipient.target, recipient.sequenceId) else { continue }
            if await Self.send(message.encoded(), to: recipient.address, on: socket) {
                counters.notifications += 1
            } else {
                counters.sendFailures += 1
            }
        }
    }
}

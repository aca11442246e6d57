import LinuxPlatform
import PTPCore
import Synchronization

/// A port on a real interface: its transport (UDPv4, UDPv6 or IEEE 802.3), polled by its clock's
/// ``ClockLoop`` on the loop's own thread, as ptp4l polls its ports: received messages and link changes are
/// read there, and sends go out there (the clock actor runs on that thread): a multicast message at once, the
/// unicast messages the clock sends while it handles one event (a Sync slot to hundreds of clients) queued and
/// sent when the loop flushes right after it, each run on one socket in one `sendmmsg`; the event messages'
/// transmit stamps are read from the error queue right after they are sent. No other
/// thread sleeps on the socket while it transmits, so the stamp's wake-up costs no inter-processor interrupt
/// between stamp and wire.
final class LinuxPortChannel: PortChannel, PolledPort {
    /// Unused: the loop delivers this port's inputs (``attach(to:port:)``).
    let inputs: AsyncStream<PortInput> = AsyncStream { $0.finish() }
    let macAddress: [UInt8]
    let protocolAddress: PortAddress
    let pollDescriptors: [Int32]
    /// The UDP event socket (port 319); `nil` on IEEE 802.3, whose one socket carries every message.
    let deferrableDescriptorIndex: Int?
    private let transport: any PTPTransport
    private let filter: SourceFilter
    private struct Attachment {
        var loop: ClockLoop?
        var index = 0
    }
    private let attachment = Mutex(Attachment())

    init(settings: DaemonSettings.Port) throws {
        transport = try TransportFactory.open(settings.networkProtocol, configuration: settings.transport)
        filter = settings.sourceFilter
        let nic = transport.interface
        macAddress = nic.macAddress
        pollDescriptors = transport.pollDescriptors
        deferrableDescriptorIndex = transport.eventOnlyDescriptorIndex
        protocolAddress =
            switch settings.networkProtocol {
            case .udpIPv4: PortAddress(networkProtocol: .udpIPv4, address: nic.ipv4Addresses.first ?? [])
            case .udpIPv6: PortAddress(networkProtocol: .udpIPv6, address: nic.ipv6Addresses.first ?? [])
            default: PortAddress(networkProtocol: .ieee802_3, address: nic.macAddress)
            }
    }

    func attach(to loop: ClockLoop, port index: Int) -> Bool {
        attachment.withLock {
            $0.loop = loop
            $0.index = index
        }
        loop.add(self, index: index)
        return true
    }

    /// Sends one multicast message at once; a unicast one is queued, and the loop sends what the clock queued
    /// once it has handled the event that queued it (``flushSends()``).
    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool) {
        send(
            bytes, event: event, destination: peerDelay ? .peerDelayMulticast : .primaryMulticast, id: id,
            wantsTimestamp: wantsTimestamp)
    }

    /// One peer: a granted unicast client or master (16.1).
    func send(_ bytes: [UInt8], event: Bool, to destination: PortAddress, id: UInt64, wantsTimestamp: Bool) {
        send(bytes, event: event, destination: .unicast(destination), id: id, wantsTimestamp: wantsTimestamp)
    }

    /// A message queued for the next ``flushSends()``.
    private struct Queued {
        var datagram: OutgoingDatagram
        var event: Bool
        var id: UInt64
        var wantsTimestamp: Bool
    }
    /// What the clock sent while handling one event, sent when the loop flushes, and an emptied list kept
    /// for the next (so a flush allocates nothing). Touched on the loop's thread only (the clock actor runs
    /// there); the lock makes that safe to state rather than to assume.
    private struct Outbox {
        var queued: [Queued] = []
        var spare: [Queued] = []
    }
    private let outbox = Mutex(Outbox())

    private func send(_ bytes: [UInt8], event: Bool, destination: TransportDestination, id: UInt64, wantsTimestamp: Bool) {
        let (loop, index) = attachment.withLock { ($0.loop, $0.index) }
        let queued = Queued(
            datagram: OutgoingDatagram(bytes: bytes, destination: destination), event: event, id: id,
            wantsTimestamp: wantsTimestamp)
        // Multicast goes at once: one message per event (a grandmaster's Sync, Follow_Up, Announce), nothing to
        // gather. Off the loop's thread (nothing sends from there today), anything goes at once.
        guard let loop, loop.isIsolatingCurrentContext() == true, case .unicast = destination else {
            sendNow(queued, loop: loop, index: index)
            return
        }
        let first = outbox.withLock {
            $0.queued.append(queued)
            return $0.queued.count == 1
        }
        if first { loop.flushLater(self) }
    }

    /// Sends what was queued, in order: each run of messages on one channel in one batch (one `sendmmsg` on
    /// UDP, where a unicast Sync slot to hundreds of clients would otherwise be hundreds of `sendmsg`), then
    /// the wanted transmit stamps, read back together, posted to the loop for the clock.
    func flushSends() {
        var queued = outbox.withLock { outbox -> [Queued] in
            var taken = outbox.spare
            swap(&taken, &outbox.queued)
            outbox.spare = []
            return taken
        }
        guard !queued.isEmpty else { return }
        transmit(queued)
        queued.removeAll(keepingCapacity: true)
        outbox.withLock { $0.spare = queued }
    }

    private func transmit(_ queued: [Queued]) {
        let (loop, index) = attachment.withLock { ($0.loop, $0.index) }
        var start = 0
        // Bounded: each pass takes at least one message.
        while start < queued.count {
            let event = queued[start].event
            var end = start + 1
            while end < queued.count && queued[end].event == event { end += 1 }
            let run = queued[start..<end]
            let channel: TransportChannel = event ? .event : .general
            if run.count == 1, let only = run.first {
                // One message (a unicast Delay_Resp): a plain send, nothing to gather.
                sendNow(only, loop: loop, index: index)
            } else {
                let results = transport.send(batch: run.map(\.datagram), channel: channel)
                // The first stamp waited for reads every stamp that has come (all of the batch's, with software
                // stamps) in one go; the rest are found paired.
                for (message, result) in zip(run, results) { report(message, result, loop: loop, index: index) }
            }
            start = end
        }
    }

    /// One message with one `sendmsg`, and what became of it posted.
    private func sendNow(_ message: Queued, loop: ClockLoop?, index: Int) {
        let result = Result { () throws(TransportError) in
            try transport.send(
                message.datagram.bytes, channel: message.event ? .event : .general, to: message.datagram.destination)
        }
        report(message, result, loop: loop, index: index)
    }

    /// Posts what became of one sent message: a failure, or its transmit stamp when the clock wants it.
    private func report(
        _ message: Queued, _ result: Result<TransmitStampHandle?, TransportError>, loop: ClockLoop?, index: Int
    ) {
        switch result {
        case .failure(let error):
            loop?.post(.input(port: index, .sendFailed(id: message.id, reason: "\(error)")))
        case .success(let token?) where message.wantsTimestamp:
            loop?.post(.input(port: index, Self.input(id: message.id, transport.transmitTimestamp(for: token))))
        case .success:
            break
        }
    }

    /// How many messages one read of a ready socket takes at most
    /// (``PTPTransport/readReady(descriptorIndex:revents:limit:_:)``): enough to answer a poll's worth of
    /// Delay_Reqs from thousands of clients in one `sendmmsg`, few enough that a due timer (a Sync slot) waits
    /// for no more than 16 messages' handling.
    static let readLimit = 16

    var readLimit: Int { Self.readLimit }

    /// Reads what the loop's poll found on one of its descriptors: the messages waiting on a socket, up to
    /// ``readLimit``, or a link change (see ``PTPTransport/readReady(descriptorIndex:revents:limit:_:)``), or
    /// nothing when only stamps came; a message the source filter refuses is handed on as `.filtered`.
    func readReady(descriptorIndex: Int, revents: Int16, _ deliver: (PortInput) -> Void) -> Result<Void, PortIOFailure> {
        let read = Result { () throws(TransportError) in
            try transport.readReady(descriptorIndex: descriptorIndex, revents: revents, limit: Self.readLimit) { event in
                if !filter.isEmpty, case .message(let message) = event,
                    let reason = filter.verdict(source: message.source.address, bytes: message.bytes)
                {
                    deliver(.filtered(reason, firstByte: message.bytes.first ?? 0))
                } else {
                    deliver(Self.input(event))
                }
            }
        }
        switch read {
        case .success:
            return .success(())
        case .failure(let error):
            return .failure(PortIOFailure(reason: "\(error)"))
        }
    }

    /// Sends what is still queued when called on the loop's thread (the clock closing a faulty port), then
    /// closes the sockets. The clock flushes its last sends itself before it stops (``ClockActor/stop()``), so
    /// the daemon closing its ports from another thread afterwards finds nothing queued.
    func close() {
        if attachment.withLock({ $0.loop })?.isIsolatingCurrentContext() == true { flushSends() }
        transport.close()
    }

    private static func input(_ event: TransportEvent) -> PortInput {
        switch event {
        case .message(let message):
            return .message(
                bytes: message.bytes, timestamp: message.timestamp, isEvent: message.channel == .event,
                source: message.source)
        case .link(let change):
            return .link(up: change.isUp)
        }
    }

    private static func input(id: UInt64, _ outcome: TransmitTimestampOutcome) -> PortInput {
        switch outcome {
        case .stamped(let instant):
            return .transmitted(id: id, instant)
        case .fault:
            return .transmitMissed(id: id, reason: "\(outcome)", fault: true)
        case .missed:
            return .transmitMissed(id: id, reason: "\(outcome)", fault: false)
        }
    }
}

import Glibc
import LinuxPlatform
import PTPCore
import Synchronization
import Testing

/// A thread receiving on `transport` (bounded: 30 s) what `ptpMessage` numbered, with each one's receive stamp.
final class StampedReceiver: Sendable {
    private final class State: Sendable {
        let received = Mutex<[UInt32: PTPInstant]>([:])
        let stop = Atomic<Bool>(false)
    }
    private let state = State()
    private let thread: PlatformThread

    init(_ transport: any PTPTransport) throws {
        let state = self.state
        thread = try PlatformThread.spawn {
            let deadline = ContinuousClock.now + .seconds(30)
            while !state.stop.load(ordering: .acquiring) && ContinuousClock.now < deadline {
                guard let message = try? transport.receive(timeout: .milliseconds(20)) else { continue }
                if let index = messageIndex(message.bytes), let stamp = message.timestamp {
                    state.received.withLock { $0[index] = stamp }
                }
            }
        }
    }

    /// Waits (at most 3 s) until `count` messages came, stops the thread and returns what came.
    func finish(expecting count: Int) -> [UInt32: PTPInstant] {
        let settle = ContinuousClock.now + .seconds(3)
        while state.received.withLock({ $0.count }) < count && ContinuousClock.now < settle {
            usleep(1_000)
        }
        state.stop.store(true, ordering: .releasing)
        thread.join()
        return state.received.withLock { $0 }
    }
}

/// Every message of a burst got its TX stamp, in send order, each paired by its key with its own message
/// (none missed, unmatched or paired by payload), 99 % were received, and no RX stamp lies outside its TX
/// interval. Returns the largest RX − TX.
func expectEveryStampPaired(
    _ kind: TransportKind, _ sender: any PTPTransport, transmitted: [PTPInstant?], received rx: [UInt32: PTPInstant]
) -> PTPDuration {
    let stamps = transmitted.compactMap { $0 }
    #expect(stamps.count == transmitted.count, "\(kind): \(transmitted.count - stamps.count) TX stamps missing")
    #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 <= $1 }, "\(kind): TX stamps out of send order")
    let statistics = sender.transmitTimestampStatistics
    #expect(
        statistics.missed == 0 && statistics.unmatched == 0 && statistics.pairedByPayload == 0, "\(kind): \(statistics)")
    #expect(rx.count >= transmitted.count * 99 / 100, "\(kind): only \(rx.count) of \(transmitted.count) received")
    let (misplaced, maximum) = misplacedReceiveStamps(rx, transmitted: transmitted)
    #expect(misplaced == 0, "\(kind): \(misplaced) RX stamps outside their TX interval")
    return maximum
}

/// On veth the receive stamp is taken inside the sender's transmit, so each message's RX stamp lies between its
/// own TX stamp and the next one's: a pairing off by one message breaks this. How many do not, and the largest
/// RX − TX.
func misplacedReceiveStamps(_ rx: [UInt32: PTPInstant], transmitted: [PTPInstant?]) -> (Int, PTPDuration) {
    var misplaced = 0
    var maximum = PTPDuration.zero
    for (index, rxStamp) in rx {
        guard transmitted.indices.contains(Int(index)), let tx = transmitted[Int(index)] else { continue }
        let next = Int(index) + 1 < transmitted.count ? transmitted[Int(index) + 1] : nil
        if !(tx < rxStamp) || (next.map { rxStamp > $0 } ?? false) { misplaced += 1 }
        maximum = max(maximum, rxStamp - tx)
    }
    return (misplaced, maximum)
}

/// 10,000 event messages in a burst: no TX stamp lost, none paired wrongly.
@Suite("Burst over veth")
struct BurstTests {
    static let count = 10_000

    /// `window` is how many sends may await their stamps: 64, or all 10,000 sent before any stamp is read.
    @Test(
        "10,000 event messages: every TX stamp collected and paired with its own message",
        arguments: TransportKind.allCases, [64, 10_000])
    func burst(kind: TransportKind, window: Int) throws {
        try withTransportPair(kind, configure: { $0.receiveBufferSize = 32 << 20 }) { _, a, b in
            let receiver = try StampedReceiver(b)
            var tokens: [TransmitStampHandle] = []
            var transmitted: [PTPInstant?] = Array(repeating: nil, count: Self.count)
            var outcomes: [TransmitTimestampOutcome] = []
            let start = ContinuousClock.now
            for index in 0..<Self.count {
                let token = try #require(
                    try a.send(ptpMessage(type: 0, index: UInt32(index)), channel: .event, to: .primaryMulticast))
                tokens.append(token)
                if index >= window {
                    let outcome = a.transmitTimestamp(for: tokens[index - window])
                    if case .stamped(let t) = outcome { transmitted[index - window] = t } else { outcomes.append(outcome) }
                }
            }
            for index in max(0, Self.count - window)..<Self.count {
                let outcome = a.transmitTimestamp(for: tokens[index])
                if case .stamped(let t) = outcome { transmitted[index] = t } else { outcomes.append(outcome) }
            }
            let elapsed = ContinuousClock.now - start
            let rx = receiver.finish(expecting: Self.count)

            #expect(outcomes.isEmpty, "\(kind): \(outcomes.count) TX stamps not collected: \(outcomes.prefix(3))")
            let maximum = expectEveryStampPaired(kind, a, transmitted: transmitted, received: rx)
            print("\(kind), window \(window): burst of \(Self.count) in \(elapsed), \(rx.count) received, max RX − TX \(maximum)")
        }
    }
}

/// Sends in batches, as a master serving many unicast clients sends a Sync slot: `sendmmsg` on UDP, one send
/// each on IEEE 802.3.
@Suite("Batch sends over veth")
struct BatchSendTests {
    static let count = 10_000
    static let batch = 250

    @Test(
        "10,000 unicast event messages in batches of 250: each sent once, in order, every TX stamp paired with its own message",
        arguments: TransportKind.allCases)
    func batches(kind: TransportKind) throws {
        try withTransportPair(kind, configure: { $0.receiveBufferSize = 32 << 20 }) { lab, a, b in
            let toB = kind.unicastAddress(of: lab.b, transport: b)
            let receiver = try StampedReceiver(b)
            var transmitted: [PTPInstant?] = Array(repeating: nil, count: Self.count)
            var failures: [String] = []
            for first in stride(from: 0, to: Self.count, by: Self.batch) {
                let indices = first..<min(Self.count, first + Self.batch)
                let datagrams = indices.map {
                    OutgoingDatagram(bytes: ptpMessage(type: 0, index: UInt32($0)), destination: .unicast(toB))
                }
                let results = a.send(batch: datagrams, channel: .event)
                #expect(results.count == indices.count)
                for (index, result) in zip(indices, results) {
                    switch result {
                    case .success(let token?):
                        if case .stamped(let t) = a.transmitTimestamp(for: token) { transmitted[index] = t }
                    case .success(nil):
                        failures.append("\(index): no token")
                    case .failure(let error):
                        failures.append("\(index): \(error)")
                    }
                }
            }
            let rx = receiver.finish(expecting: Self.count)

            #expect(failures.isEmpty, "\(kind): \(failures.count) sends failed: \(failures.prefix(3))")
            _ = expectEveryStampPaired(kind, a, transmitted: transmitted, received: rx)
        }
    }

    @Test(
        "A message of a batch with a destination of the wrong family fails alone; the rest are sent",
        arguments: [
            TransportKind.udpIPv4, .udpIPv6,
        ])
    func aBadDestinationFailsAlone(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, b in
            let toB = kind.unicastAddress(of: lab.b, transport: b)
            let wrong = PortAddress(networkProtocol: .ieee802_3, address: [2, 0, 0, 0, 0, 1])
            let datagrams = [toB, wrong, toB].enumerated().map {
                OutgoingDatagram(bytes: ptpMessage(type: 0xB, index: UInt32($0.offset)), destination: .unicast($0.element))
            }
            let results = a.send(batch: datagrams, channel: .general)
            #expect(results.count == 3)
            if case .failure(.badDestination) = results[1] {} else { Issue.record("\(kind): \(results[1])") }
            for i in [0, 2] {
                if case .success(nil) = results[i] {} else { Issue.record("\(kind): message \(i): \(results[i])") }
                let message = try receive(b) { messageIndex($0.bytes) == UInt32(i) }
                #expect(message != nil, "\(kind): message \(i) not received")
            }
        }
    }
}

/// The receive side of a server port: what waits on a socket at a poll is read with one `recvmmsg`, up to the
/// limit, each message whole, in arrival order, with its own receive stamp and its sender.
@Suite("Batch receive over veth")
struct BatchReceiveTests {
    @Test(
        "40 waiting event messages come in reads of 16, 16 and 8, in order, each with its own stamp and sender",
        arguments: TransportKind.allCases)
    func waitingMessagesAreReadTogether(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, b in
            let toB = kind.unicastAddress(of: lab.b, transport: b)
            let fromA = kind.unicastAddress(of: lab.a, transport: a)
            let count = 40
            var transmitted: [PTPInstant?] = []
            for index in 0..<count {
                let token = try a.send(ptpMessage(type: 0, index: UInt32(index)), channel: .event, to: .unicast(toB))
                if let token, case .stamped(let t) = a.transmitTimestamp(for: token) {
                    transmitted.append(t)
                } else {
                    transmitted.append(nil)
                }
            }
            usleep(50_000)  // every message has reached b's socket before the first read
            var reads: [Int] = []
            var received: [ReceivedMessage] = []
            var fds = b.pollDescriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // Bounded: 100 polls of at most 50 ms.
            for _ in 0..<100 where received.count < count {
                for i in fds.indices { fds[i].revents = 0 }
                guard poll(&fds, nfds_t(fds.count), 50) > 0 else { continue }
                for (index, fd) in fds.enumerated() where fd.revents & Int16(POLLIN) != 0 {
                    var read = 0
                    try b.readReady(descriptorIndex: index, revents: fd.revents, limit: 16) { event in
                        guard case .message(let message) = event, messageIndex(message.bytes) != nil else { return }
                        received.append(message)
                        read += 1
                    }
                    if read > 0 { reads.append(read) }
                }
            }
            #expect(reads == [16, 16, 8], "\(kind): reads \(reads)")
            #expect(received.compactMap { messageIndex($0.bytes) } == (0..<UInt32(count)).map { $0 }, "\(kind)")
            #expect(received.allSatisfy { $0.bytes.count == 44 && $0.channel == .event && $0.source == fromA }, "\(kind)")
            var rx: [UInt32: PTPInstant] = [:]
            for message in received { if let i = messageIndex(message.bytes), let t = message.timestamp { rx[i] = t } }
            #expect(rx.count == count, "\(kind): \(count - rx.count) without a receive stamp")
            #expect(misplacedReceiveStamps(rx, transmitted: transmitted).0 == 0, "\(kind): a stamp paired with another message")
        }
    }
}

import PTPCore
import Synchronization

@testable import MeridianDaemon

/// A port with no socket: what it sends is delivered at once to the port it is wired to, and both stamps
/// (the sender's transmit stamp, the receiver's receive stamp of an event message) are each side's clock
/// read at the same true instant: a link with no delay and no jitter, so the slave's true error shows only
/// what the daemon does. A muted port neither sends nor receives: its master "goes silent".
final class FakePortChannel: PortChannel {
    let inputs: AsyncStream<PortInput>
    let macAddress: [UInt8]
    var protocolAddress: PortAddress { PortAddress(networkProtocol: .ieee802_3, address: macAddress) }
    private let continuation: AsyncStream<PortInput>.Continuation
    private let clock: FakeClock
    private let peer = Mutex<FakePortChannel?>(nil)
    private let muted = Atomic<Bool>(false)
    private let sentCount = Atomic<Int>(0)

    init(mac: [UInt8], clock: FakeClock) {
        macAddress = mac
        self.clock = clock
        (inputs, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4096))
    }

    /// Wires two ports back to back (a link with no delay).
    static func link(_ a: FakePortChannel, _ b: FakePortChannel) {
        a.peer.withLock { $0 = b }
        b.peer.withLock { $0 = a }
    }

    func setMuted(_ value: Bool) { muted.store(value, ordering: .relaxed) }
    var sent: Int { sentCount.load(ordering: .relaxed) }

    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool) {
        guard !muted.load(ordering: .relaxed) else { return }
        sentCount.add(1, ordering: .relaxed)
        let instant = clock.trueNow
        if wantsTimestamp { continuation.yield(.transmitted(id: id, clock.reading(atTrue: instant))) }
        peer.withLock { $0 }?.deliver(bytes, event: event, at: instant)
    }

    private func deliver(_ bytes: [UInt8], event: Bool, at instant: PTPInstant) {
        guard !muted.load(ordering: .relaxed) else { return }
        continuation.yield(.message(bytes: bytes, timestamp: event ? clock.reading(atTrue: instant) : nil, isEvent: event))
    }

    func close() {
        continuation.finish()
    }
}

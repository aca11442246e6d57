import PTPCore
import Synchronization

@testable import MeridianDaemon

/// A port with no socket: what it sends is delivered at once to the port it is wired to, and both stamps
/// (the sender's transmit stamp, the receiver's receive stamp of an event message) are each side's clock
/// read at the same true instant: a link with no delay and no jitter, so the slave's true error shows only
/// what the daemon does. Several ports wired together form a hub (every port hears every other). A muted
/// port neither sends nor receives: its master "goes silent". ``inject(_:)`` hands the daemon an input as the
/// I/O thread would (a link change, a transmit-stamp fault).
final class FakePortChannel: PortChannel {
    let inputs: AsyncStream<PortInput>
    let macAddress: [UInt8]
    var protocolAddress: PortAddress { PortAddress(networkProtocol: .ieee802_3, address: macAddress) }
    private let continuation: AsyncStream<PortInput>.Continuation
    private let clock: FakeClock
    private let peers = Mutex<[FakePortChannel]>([])
    private let muted = Atomic<Bool>(false)
    private let sentCount = Atomic<Int>(0)

    init(mac: [UInt8], clock: FakeClock) {
        macAddress = mac
        self.clock = clock
        (inputs, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4096))
    }

    /// Wires two ports back to back (a link with no delay).
    static func link(_ a: FakePortChannel, _ b: FakePortChannel) {
        hub([a, b])
    }

    /// Wires ports into one segment: each hears all the others.
    static func hub(_ ports: [FakePortChannel]) {
        for port in ports {
            port.peers.withLock { $0 = ports.filter { $0 !== port } }
        }
    }

    /// Hands the daemon an input as its I/O thread would.
    func inject(_ input: PortInput) {
        continuation.yield(input)
    }

    func setMuted(_ value: Bool) { muted.store(value, ordering: .relaxed) }
    var sent: Int { sentCount.load(ordering: .relaxed) }

    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool) {
        guard !muted.load(ordering: .relaxed) else { return }
        sentCount.add(1, ordering: .relaxed)
        let instant = clock.trueNow
        if wantsTimestamp { continuation.yield(.transmitted(id: id, clock.reading(atTrue: instant))) }
        for peer in peers.withLock({ $0 }) { peer.deliver(bytes, event: event, at: instant) }
    }

    private func deliver(_ bytes: [UInt8], event: Bool, at instant: PTPInstant) {
        guard !muted.load(ordering: .relaxed) else { return }
        continuation.yield(.message(bytes: bytes, timestamp: event ? clock.reading(atTrue: instant) : nil, isEvent: event))
    }

    func close() {
        continuation.finish()
    }

    /// Delivers through ``inputs``, which the clock actor drains: the loop polls nothing of this port.
    func attach(to loop: ClockLoop, port index: Int) -> Bool { false }
}

import Glibc
import PTPCore

/// Pairs transmit timestamps from the error queue with the messages they belong to.
///
/// Each stamped send is recorded under the `SOF_TIMESTAMPING_OPT_ID` key the kernel will give it (the kernel
/// counts stamped sends from 0). A stamp is paired with a pending send only if the key matches *and* the
/// returned packet contains the sent payload; if the key disagrees, the oldest pending send whose payload
/// matches is used and the key offset is corrected. A stamp for a send already given up is dropped and
/// counted, never paired with another message. This is ptp4u's OPT_ID pairing with linuxptp's payload check.
///
/// Pure state: the socket holds it behind a lock and feeds it what the error queue returns.
struct TransmitTimestampQueue: Sendable {
    private struct Pending: Sendable {
        var payload: [UInt8]
        var stamp: PTPInstant?
    }

    /// The key the next stamped send will carry.
    private(set) var nextKey: UInt32 = 0
    /// kernel key − our key, corrected when payload pairing shows a disagreement.
    private var keyOffset: UInt32 = 0
    private var pending: [UInt32: Pending] = [:]
    /// Keys in send order; entries no longer pending are skipped and compacted away lazily.
    private var order: [UInt32] = []
    private var orderHead = 0
    /// How many of the oldest unstamped sends a stamp with a disagreeing key is compared with.
    static let payloadSearchDepth = 64
    /// Keys given up recently, with their payloads, so their late stamps are recognised and dropped.
    private var abandoned: [UInt32: [UInt8]] = [:]
    private var abandonedOrder: [UInt32] = []
    private let abandonedMemory = 256
    let maxConsecutiveMisses: Int
    static let pendingLimit = 65_536
    private(set) var statistics = TransmitTimestampStatistics()

    init(maxConsecutiveMisses: Int) {
        self.maxConsecutiveMisses = max(1, maxConsecutiveMisses)
    }

    /// Records a stamped send and returns its token. Call only after the send succeeded.
    mutating func recordSend(payload: [UInt8]) -> TransmitStampHandle {
        let key = nextKey
        nextKey &+= 1
        pending[key] = Pending(payload: payload, stamp: nil)
        trimOrder()
        order.append(key)
        // A caller that never asks for its stamps must not grow the table without bound.
        let stale = key &- UInt32(Self.pendingLimit)
        if pending.count > Self.pendingLimit, pending[stale] != nil {
            _ = giveUp(TransmitStampHandle(key: stale))
        }
        return TransmitStampHandle(key: key)
    }

    /// Offers one error-queue message: its `ee_data` key, the returned packet bytes and the stamp.
    /// Returns the token it was paired with, or `nil` when it was dropped as unmatched.
    @discardableResult
    mutating func offer(kernelKey: UInt32, returnedPacket: [UInt8], stamp: PTPInstant) -> TransmitStampHandle? {
        returnedPacket.withUnsafeBytes { offer(kernelKey: kernelKey, returnedPacket: $0, stamp: stamp) }
    }

    /// As ``offer(kernelKey:returnedPacket:stamp:)``, the packet read where the socket's reusable buffer holds it
    /// (the error queue is read on every stamped send: no copy of each returned frame).
    @discardableResult
    mutating func offer(kernelKey: UInt32, returnedPacket: UnsafeRawBufferPointer, stamp: PTPInstant) -> TransmitStampHandle? {
        let key = kernelKey &- keyOffset
        if let entry = pending[key], entry.stamp == nil, Self.packet(returnedPacket, contains: entry.payload) {
            pending[key]?.stamp = stamp
            return TransmitStampHandle(key: key)
        }
        if let late = abandoned[key], Self.packet(returnedPacket, contains: late) {
            statistics.unmatched += 1
            return nil
        }
        // The key disagrees with the prediction: stamps come back in send order, so pair with the oldest
        // unstamped send carrying this payload, looking at a bounded number of the oldest sends.
        if let oldest = oldestUnstamped(matching: returnedPacket) {
            keyOffset = kernelKey &- oldest
            pending[oldest]?.stamp = stamp
            statistics.pairedByPayload += 1
            return TransmitStampHandle(key: oldest)
        }
        statistics.unmatched += 1
        return nil
    }

    /// Drops keys no longer pending from the front of the send order (amortised O(1) per send).
    private mutating func trimOrder() {
        while orderHead < order.count, pending[order[orderHead]] == nil {
            orderHead += 1
        }
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// The oldest of the first ``payloadSearchDepth`` unstamped sends whose payload the packet carries.
    private mutating func oldestUnstamped(matching packet: UnsafeRawBufferPointer) -> UInt32? {
        trimOrder()
        var examined = 0
        for key in order[orderHead...] where examined < Self.payloadSearchDepth {
            guard let entry = pending[key], entry.stamp == nil else { continue }
            examined += 1
            if Self.packet(packet, contains: entry.payload) { return key }
        }
        return nil
    }

    /// Takes the stamp of `token` if it has arrived; a stamp taken resets the run of misses.
    mutating func take(_ token: TransmitStampHandle) -> PTPInstant? {
        guard let stamp = pending[token.key]?.stamp else { return nil }
        pending[token.key] = nil
        statistics.paired += 1
        statistics.consecutiveMisses = 0
        return stamp
    }

    /// How many sends are recorded and not yet taken or given up (an upper bound on the stamps to come).
    var pendingCount: Int { pending.count }

    /// Whether `token`'s stamp has come and waits to be taken.
    func isStamped(_ token: TransmitStampHandle) -> Bool {
        pending[token.key]?.stamp != nil
    }

    /// Whether `token` is still waited for.
    func isPending(_ token: TransmitStampHandle) -> Bool {
        pending[token.key] != nil
    }

    /// Gives up on `token` after the timeout: counts the miss and says whether the run of misses faults the port.
    mutating func giveUp(_ token: TransmitStampHandle) -> TransmitTimestampOutcome {
        guard let entry = pending.removeValue(forKey: token.key) else {
            return .missed(consecutive: statistics.consecutiveMisses)
        }
        abandoned[token.key] = entry.payload
        abandonedOrder.append(token.key)
        if abandonedOrder.count > abandonedMemory {
            abandoned[abandonedOrder.removeFirst()] = nil
        }
        statistics.missed += 1
        statistics.consecutiveMisses += 1
        if statistics.consecutiveMisses >= maxConsecutiveMisses {
            return .fault(consecutive: statistics.consecutiveMisses)
        }
        return .missed(consecutive: statistics.consecutiveMisses)
    }

    /// Whether the kernel's returned packet (with its link, network and transport headers) carries `payload`.
    static func packet(_ packet: [UInt8], contains payload: [UInt8]) -> Bool {
        packet.withUnsafeBytes { Self.packet($0, contains: payload) }
    }

    static func packet(_ packet: UnsafeRawBufferPointer, contains payload: [UInt8]) -> Bool {
        guard !payload.isEmpty, packet.count >= payload.count, let base = packet.baseAddress else { return false }
        // The payload follows at most the Ethernet, VLAN, IPv6 and UDP headers. memcmp, not a generic element-wise
        // comparison: this runs for every transmit timestamp, and the generic one was 4 % of the daemon's
        // instructions as a grandmaster.
        let lastStart = min(packet.count - payload.count, 128)
        return payload.withUnsafeBytes { wanted in
            guard let first = wanted.baseAddress else { return false }
            for start in stride(from: lastStart, through: 0, by: -1)
            where packet[start] == payload[0] && memcmp(base + start, first, wanted.count) == 0 {
                return true
            }
            return false
        }
    }
}

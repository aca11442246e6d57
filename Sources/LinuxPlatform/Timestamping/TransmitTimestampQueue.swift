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
    /// The sends in key order: `slots[i]` is key `baseKey + i`, nil once taken or given up. Keys are consecutive
    /// and stamps come back in send order, so a send is found by subtraction, with no hashing (a dictionary
    /// hashed every key three times per stamped send: a grandmaster's every Sync).
    private var slots: [Pending?] = []
    private var baseKey: UInt32 = 0
    /// The first slot that may still be live; the ones before it are done and dropped lazily.
    private var head = 0
    /// Live slots (recorded, not yet taken or given up).
    private(set) var pendingCount = 0
    /// How many of the oldest unstamped sends a stamp with a disagreeing key is compared with.
    static let payloadSearchDepth = 64
    /// Keys given up recently, with their payloads, so their late stamps are recognised and dropped.
    private var abandoned: [UInt32: [UInt8]] = [:]
    private var abandonedOrder: [UInt32] = []
    private let abandonedMemory = 256
    let maxConsecutiveMisses: Int
    /// The most sends kept waiting for their stamps (from the oldest live one to the newest).
    static let pendingLimit = 65_536
    private(set) var statistics = TransmitTimestampStatistics()

    init(maxConsecutiveMisses: Int) {
        self.maxConsecutiveMisses = max(1, maxConsecutiveMisses)
    }

    /// Where `key`'s send is in `slots`, if it is still kept there.
    private func slot(of key: UInt32) -> Int? {
        let offset = key &- baseKey
        guard offset < UInt32(truncatingIfNeeded: slots.count) else { return nil }
        let index = Int(offset)
        return index >= head ? index : nil
    }

    /// Records a stamped send and returns its token. Call only after the send succeeded.
    mutating func recordSend(payload: [UInt8]) -> TransmitStampHandle {
        let key = nextKey
        nextKey &+= 1
        // An emptied table (``release(_:)``) starts again at the next key.
        if slots.isEmpty { baseKey = key }
        slots.append(Pending(payload: payload, stamp: nil))
        pendingCount += 1
        // A caller that never asks for its stamps must not grow the table without bound: beyond the limit the
        // oldest send still waiting is given up.
        if slots.count - head > Self.pendingLimit {
            _ = giveUp(TransmitStampHandle(key: baseKey &+ UInt32(truncatingIfNeeded: head)))
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
        if let index = slot(of: key), let entry = slots[index], entry.stamp == nil,
            Self.packet(returnedPacket, contains: entry.payload)
        {
            slots[index]?.stamp = stamp
            return TransmitStampHandle(key: key)
        }
        if let late = abandoned[key], Self.packet(returnedPacket, contains: late) {
            statistics.unmatched += 1
            return nil
        }
        // The key disagrees with the prediction: stamps come back in send order, so pair with the oldest
        // unstamped send carrying this payload, looking at a bounded number of the oldest sends.
        if let oldest = oldestUnstamped(matching: returnedPacket) {
            keyOffset = kernelKey &- (baseKey &+ UInt32(truncatingIfNeeded: oldest))
            slots[oldest]?.stamp = stamp
            statistics.pairedByPayload += 1
            return TransmitStampHandle(key: baseKey &+ UInt32(truncatingIfNeeded: oldest))
        }
        statistics.unmatched += 1
        return nil
    }

    /// The slot of the oldest of the first ``payloadSearchDepth`` unstamped sends whose payload the packet carries.
    private func oldestUnstamped(matching packet: UnsafeRawBufferPointer) -> Int? {
        var examined = 0
        // Bounded: the slots from the oldest live one, at most `payloadSearchDepth` of them examined.
        for index in head..<slots.count where examined < Self.payloadSearchDepth {
            guard let entry = slots[index], entry.stamp == nil else { continue }
            examined += 1
            if Self.packet(packet, contains: entry.payload) { return index }
        }
        return nil
    }

    /// Empties slot `index` (taken or given up) and drops the done slots at the front: all of them at once when
    /// none is live, else once they are more than half the table (amortised O(1) per send).
    private mutating func release(_ index: Int) {
        slots[index] = nil
        pendingCount -= 1
        // Bounded: `head` only moves forward, to at most `slots.count`.
        while head < slots.count, slots[head] == nil { head += 1 }
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
            baseKey = nextKey
        } else if head > 1024 && head * 2 > slots.count {
            slots.removeFirst(head)
            baseKey &+= UInt32(truncatingIfNeeded: head)
            head = 0
        }
    }

    /// Takes the stamp of `token` if it has arrived; a stamp taken resets the run of misses.
    mutating func take(_ token: TransmitStampHandle) -> PTPInstant? {
        guard let index = slot(of: token.key), let stamp = slots[index]?.stamp else { return nil }
        release(index)
        statistics.paired += 1
        statistics.consecutiveMisses = 0
        return stamp
    }

    /// Whether `token`'s stamp has come and waits to be taken.
    func isStamped(_ token: TransmitStampHandle) -> Bool {
        guard let index = slot(of: token.key) else { return false }
        return slots[index]?.stamp != nil
    }

    /// Whether `token` is still waited for.
    func isPending(_ token: TransmitStampHandle) -> Bool {
        guard let index = slot(of: token.key) else { return false }
        return slots[index] != nil
    }

    /// Gives up on `token` after the timeout: counts the miss and says whether the run of misses faults the port.
    mutating func giveUp(_ token: TransmitStampHandle) -> TransmitTimestampOutcome {
        guard let index = slot(of: token.key), let entry = slots[index] else {
            return .missed(consecutive: statistics.consecutiveMisses)
        }
        release(index)
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

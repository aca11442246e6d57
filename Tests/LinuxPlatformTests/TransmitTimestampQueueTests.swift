import PTPCore
import Testing

@testable import LinuxPlatform

@Suite("Transmit timestamp pairing")
struct TransmitTimestampQueueTests {
    /// What the kernel returns on the error queue for UDPv4: Ethernet, IPv4 and UDP headers, then the payload.
    func returned(_ payload: [UInt8]) -> [UInt8] {
        [UInt8](repeating: 0xEE, count: 14 + 20 + 8) + payload
    }

    let stamp = PTPInstant(seconds: 100, nanoseconds: 5)

    @Test("a stamp pairs with the send its OPT_ID key names")
    func pairsByKey() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let first = queue.recordSend(payload: ptpMessage(type: 0, index: 1))
        let second = queue.recordSend(payload: ptpMessage(type: 0, index: 2))
        #expect(first.key == 0 && second.key == 1)
        #expect(queue.offer(kernelKey: 1, returnedPacket: returned(ptpMessage(type: 0, index: 2)), stamp: stamp) == second)
        #expect(queue.take(first) == nil)
        #expect(queue.take(second) == stamp)
        #expect(queue.statistics.paired == 1)
    }

    @Test("a key whose payload disagrees is never trusted; the payload decides and the offset is learnt")
    func payloadWinsOverKey() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let first = queue.recordSend(payload: ptpMessage(type: 0, index: 1))
        let second = queue.recordSend(payload: ptpMessage(type: 0, index: 2))
        // The kernel's counter is 5 ahead of our prediction (say a send we did not count).
        #expect(queue.offer(kernelKey: 5, returnedPacket: returned(ptpMessage(type: 0, index: 1)), stamp: stamp) == first)
        #expect(queue.statistics.pairedByPayload == 1)
        // Learnt: key 6 is now our key 1.
        #expect(queue.offer(kernelKey: 6, returnedPacket: returned(ptpMessage(type: 0, index: 2)), stamp: stamp) == second)
        #expect(queue.statistics.pairedByPayload == 1)
    }

    @Test("a late stamp for a message given up is dropped and counted, not given to the next message")
    func lateStampIsDropped() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let payload = ptpMessage(type: 0, index: 9)
        let lost = queue.recordSend(payload: payload)
        #expect(queue.giveUp(lost) == .missed(consecutive: 1))
        // The same payload is sent again (a retransmission with the same sequenceId).
        let again = queue.recordSend(payload: payload)
        #expect(queue.offer(kernelKey: lost.key, returnedPacket: returned(payload), stamp: stamp) == nil)
        #expect(queue.statistics.unmatched == 1)
        #expect(queue.take(again) == nil)
        let fresh = PTPInstant(seconds: 101, nanoseconds: 0)
        #expect(queue.offer(kernelKey: again.key, returnedPacket: returned(payload), stamp: fresh) == again)
        #expect(queue.take(again) == fresh)
    }

    @Test("a stamp for no known message is dropped")
    func unknownStamp() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        _ = queue.recordSend(payload: ptpMessage(type: 0, index: 1))
        #expect(queue.offer(kernelKey: 0, returnedPacket: returned(ptpMessage(type: 0, index: 77)), stamp: stamp) == nil)
        #expect(queue.statistics.unmatched == 1)
    }

    @Test("one miss never faults; a run of misses reaching the threshold does; a stamp resets the run")
    func missesAndFault() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        for expected in 1...2 {
            let token = queue.recordSend(payload: ptpMessage(type: 0, index: UInt32(expected)))
            #expect(queue.giveUp(token) == .missed(consecutive: expected))
        }
        let good = queue.recordSend(payload: ptpMessage(type: 0, index: 50))
        queue.offer(kernelKey: good.key, returnedPacket: returned(ptpMessage(type: 0, index: 50)), stamp: stamp)
        #expect(queue.take(good) == stamp)
        #expect(queue.statistics.consecutiveMisses == 0)
        var outcomes: [TransmitTimestampOutcome] = []
        for index in 60..<63 {
            let token = queue.recordSend(payload: ptpMessage(type: 0, index: UInt32(index)))
            outcomes.append(queue.giveUp(token))
        }
        #expect(outcomes == [.missed(consecutive: 1), .missed(consecutive: 2), .fault(consecutive: 3)])
        #expect(queue.statistics.missed == 5)
    }

    @Test("payload search finds the message behind any header and not elsewhere")
    func payloadSearch() {
        let payload = ptpMessage(type: 0, index: 3)
        #expect(TransmitTimestampQueue.packet(returned(payload), contains: payload))
        #expect(TransmitTimestampQueue.packet(payload + [0, 0], contains: payload))  // Ethernet padding
        #expect(!TransmitTimestampQueue.packet(returned(ptpMessage(type: 0, index: 4)), contains: payload))
        #expect(!TransmitTimestampQueue.packet([1, 2], contains: payload))
        #expect(!TransmitTimestampQueue.packet(returned(payload), contains: []))
    }

    /// The table keeps sends in key order and drops the done ones at its front in bulk: sends after that, and one
    /// left waiting behind many done ones, still pair by their keys, and an emptied table starts afresh.
    @Test("done sends are dropped from the front; the rest still pair by key, in any order")
    func dropsDoneSendsAndKeepsPairing() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let tokens = (0..<3_000).map { queue.recordSend(payload: ptpMessage(type: 0, index: UInt32($0))) }
        // 0 stays waiting; 1..<2_000 are stamped and taken in order, so nothing at the front can go yet.
        for index in 1..<2_000 {
            let payload = ptpMessage(type: 0, index: UInt32(index))
            #expect(queue.offer(kernelKey: UInt32(index), returnedPacket: returned(payload), stamp: stamp) == tokens[index])
            #expect(queue.take(tokens[index]) == stamp)
        }
        #expect(queue.pendingCount == 1_001 && queue.isPending(tokens[0]) && !queue.isPending(tokens[1]))
        // 0 given up: the 2,000 done sends at the front go at once.
        #expect(queue.giveUp(tokens[0]) == .missed(consecutive: 1))
        // The rest, newest first: still found by key.
        for index in (2_000..<3_000).reversed() {
            let payload = ptpMessage(type: 0, index: UInt32(index))
            #expect(queue.offer(kernelKey: UInt32(index), returnedPacket: returned(payload), stamp: stamp) == tokens[index])
            #expect(queue.isStamped(tokens[index]))
            #expect(queue.take(tokens[index]) == stamp)
        }
        #expect(queue.pendingCount == 0 && queue.statistics.paired == 2_999 && queue.statistics.pairedByPayload == 0)
        // Taken twice, or never sent: nothing.
        #expect(queue.take(tokens[2_500]) == nil && !queue.isPending(TransmitStampHandle(key: 9_999)))
        // Empty now: the next send starts a fresh table and pairs by its key.
        let next = queue.recordSend(payload: ptpMessage(type: 0, index: 7))
        #expect(next.key == 3_000)
        #expect(queue.offer(kernelKey: 3_000, returnedPacket: returned(ptpMessage(type: 0, index: 7)), stamp: stamp) == next)
        #expect(queue.take(next) == stamp)
    }

    @Test("sends whose stamps are never asked for do not grow the table without bound")
    func boundedTable() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        for index in 0..<(TransmitTimestampQueue.pendingLimit + 100) {
            _ = queue.recordSend(payload: [UInt8(truncatingIfNeeded: index), 1])
        }
        #expect(queue.statistics.missed == 100)
    }
}

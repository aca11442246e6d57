import PTPCore
import Testing

@testable import LinuxPlatform

@Suite("Transmit timestamp pairing at scale")
struct TransmitTimestampQueueScaleTests {
    @Test("10,000 outstanding sends, stamps with keys off by one: paired by payload in bounded time")
    func misalignedKeysAtScale() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let payloads = (0..<10_000).map { ptpMessage(type: 0, index: UInt32($0)) }
        let tokens = payloads.map { queue.recordSend(payload: $0) }
        let start = ContinuousClock.now
        for (index, payload) in payloads.enumerated() {
            // The kernel's counter runs one ahead of ours.
            let paired = queue.offer(
                kernelKey: UInt32(index + 1), returnedPacket: [0xEE, 0xEE] + payload,
                stamp: PTPInstant(seconds: Int64(index)))
            #expect(paired == tokens[index])
        }
        for (index, token) in tokens.enumerated() {
            #expect(queue.take(token) == PTPInstant(seconds: Int64(index)))
        }
        #expect(queue.statistics.pairedByPayload == 1 && queue.statistics.paired == 10_000)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("late stamps of many sends given up are dropped without pairing the others wrongly")
    func manyLateStamps() {
        var queue = TransmitTimestampQueue(maxConsecutiveMisses: 3)
        let lost = (0..<1_000).map { queue.recordSend(payload: ptpMessage(type: 0, index: UInt32($0))) }
        for token in lost { _ = queue.giveUp(token) }
        let live = queue.recordSend(payload: ptpMessage(type: 0, index: 5_000))
        for (index, token) in lost.enumerated() {
            #expect(
                queue.offer(
                    kernelKey: token.key, returnedPacket: ptpMessage(type: 0, index: UInt32(index)),
                    stamp: PTPInstant(seconds: 1)) == nil)
        }
        #expect(queue.statistics.unmatched == 1_000)
        #expect(queue.take(live) == nil)
    }
}

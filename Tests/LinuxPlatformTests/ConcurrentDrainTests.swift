import LinuxPlatform
import PTPCore
import Synchronization
import Testing

/// Another thread polling the same transport (a receive loop) drains the error queue while the sender waits for
/// its stamps.
@Suite("Transmit stamps with a concurrent receive thread")
struct ConcurrentDrainTests {
    @Test("stamps drained by the receive thread still reach their senders, none unmatched", arguments: TransportKind.allCases)
    func concurrentDrain(kind: TransportKind) throws {
        try withTransportPair(kind) { _, a, _ in
            let stopping = Atomic<Bool>(false)
            let receiver = try PlatformThread.spawn {
                // Bounded: ends when the sends are done, each pass waits at most 10 ms.
                while !stopping.load(ordering: .relaxed) {
                    _ = try? a.nextEvent(timeout: .milliseconds(10))
                }
            }
            defer {
                stopping.store(true, ordering: .relaxed)
                receiver.join()
            }
            var stamps: [PTPInstant] = []
            var failures: [TransmitTimestampOutcome] = []
            for index in 0..<2_000 {
                let token = try #require(
                    try a.send(ptpMessage(type: 0, index: UInt32(index)), channel: .event, to: .primaryMulticast))
                switch a.transmitTimestamp(for: token) {
                case .stamped(let stamp): stamps.append(stamp)
                case let other: failures.append(other)
                }
            }
            #expect(failures.isEmpty, "\(kind): \(failures.count) stamps missed")
            #expect(stamps.count == 2_000)
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 <= $1 })
            let statistics = a.transmitTimestampStatistics
            #expect(statistics.unmatched == 0 && statistics.pairedByPayload == 0 && statistics.paired == 2_000, "\(statistics)")
        }
    }
}

import Foundation
import LinuxPlatform
import MeridianDaemon
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// Issue #17: a local user on the 0666 read-only socket who sends wildcard GETs and never reads used to stall
/// the read-write socket (each reply waited up to 100 ms for room). Now each socket has its own queue and a
/// read-only reply that finds no room is lost at once, counted.
@Suite(.serialized) struct ReadOnlyFloodTests {
    @Test func aReadOnlyClientThatNeverReadsCannotDelayTheReadWriteSocket() async throws {
        try await ServerHarness.with(ports: 4) { harness in
            let flooder = try UnixDatagramSocket.bind(path: harness.directory + "/flooder", mode: 0o600)
            defer { flooder.close() }
            let client = try UnixDatagramSocket.bind(path: harness.directory + "/client", mode: 0o600)
            defer { client.close() }
            let readOnly = UnixSocketAddress(path: harness.readOnlyPath)
            // 100 wildcard GETs of PORT_DATA_SET: 400 replies for a reader whose queue holds 10.
            for sequence in 0..<100 {
                let get = ManagementMessages.request(
                    action: .get, id: .portDataSet, data: nil, sequenceId: UInt16(sequence), sourcePort: 1)
                try PMCInteropTests.send(get.encoded(), from: flooder, to: readOnly)
            }
            // The read-write client asks once and must be answered within 2 s (before the fix: the 390 replies
            // that found the flooder's queue full waited 100 ms each, about 39 s).
            let started = ContinuousClock.now
            let get = ManagementMessages.request(action: .get, id: .priority1, data: nil, sequenceId: 4242, sourcePort: 2)
            try PMCInteropTests.send(get.encoded(), from: client, to: UnixSocketAddress(path: harness.readWritePath))
            var answered: Duration?
            for _ in 0..<40 {
                guard let datagram = try client.receive(timeoutMilliseconds: 100) else { continue }
                if let message = try? PTPMessage.decode(datagram.bytes), message.header.sequenceId == 4242 {
                    answered = ContinuousClock.now - started
                    break
                }
            }
            let elapsed = try #require(answered, "the read-write client got no answer in 4 s")
            #expect(elapsed < .seconds(2), "the read-write answer took \(elapsed)")
            // Give the server time to work through the flood, then check the lost replies were counted.
            var lost = 0
            for _ in 0..<50 {
                lost = await harness.server.statistics.readOnlyRepliesLost
                if lost >= 300 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(lost >= 300, "read-only replies lost: \(lost)")
        }
    }
}

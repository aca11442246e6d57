import Foundation
import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire
import Testing

@testable import MeridianDaemon

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

    /// Per-sender allowance (issue #17): one read-only client sending 500 requests at once is answered for its
    /// 200 a second and the rest are dropped and counted as rate-limited; another client is answered meanwhile.
    @Test func oneSenderIsCutToItsAllowanceAndOthersAreStillAnswered() async throws {
        try await ServerHarness.with(ports: 1) { harness in
            let flooder = try UnixDatagramSocket.bind(path: harness.directory + "/flooder", mode: 0o600)
            defer { flooder.close() }
            let other = try UnixDatagramSocket.bind(path: harness.directory + "/other", mode: 0o600)
            defer { other.close() }
            let readOnly = UnixSocketAddress(path: harness.readOnlyPath)
            for sequence in 0..<500 {
                let get = ManagementMessages.request(
                    action: .get, id: .priority1, data: nil, sequenceId: UInt16(sequence), sourcePort: 1)
                try PMCInteropTests.send(get.encoded(), from: flooder, to: readOnly)
            }
            let get = ManagementMessages.request(action: .get, id: .priority1, data: nil, sequenceId: 4243, sourcePort: 2)
            try PMCInteropTests.send(get.encoded(), from: other, to: readOnly)
            var answered = false
            for _ in 0..<30 where !answered {
                guard let datagram = try other.receive(timeoutMilliseconds: 100) else { continue }
                answered = (try? PTPMessage.decode(datagram.bytes))?.header.sequenceId == 4243
            }
            #expect(answered, "the other client got no answer")
            var limited = 0
            var overflowed = 0
            for _ in 0..<30 {
                let statistics = await harness.server.statistics
                limited = statistics.dropped[.rateLimited] ?? 0
                overflowed = statistics.dropped[.queueFull] ?? 0
                if limited + overflowed >= 300 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // 500 in well under a second: at most 200 admitted (a second window could admit up to 200 more if
            // the sending took over a second; it takes milliseconds). On a loaded machine some never reach the
            // limiter: the socket's queue (256) overflowed first, and those are counted as queueFull.
            #expect(
                limited > 0 && limited + overflowed >= 300 && limited + overflowed <= 300 + 200,
                "rate-limited \(limited), queue full \(overflowed)")
        }
    }

    @Test func theAllowanceIsPerSenderPerSecondAndTheTableIsBounded() {
        var limiter = SenderRateLimiter<String>(limit: 3, capacity: 2)
        let start = ContinuousClock.now
        var answers: [Bool] = []
        for _ in 0..<5 { answers.append(limiter.admit("a", now: start)) }
        #expect(answers == [true, true, true, false, false])
        #expect((limiter.admit("a", now: start + .seconds(1)) as Bool))
        #expect((limiter.admit("b", now: start) as Bool))
        // A third sender finds the table full: it shares the overflow allowance with every other newcomer.
        var shared: [Bool] = []
        for _ in 0..<3 { shared.append(limiter.admit("c", now: start)) }
        #expect(shared == [true, true, true])
        #expect(!(limiter.admit("d", now: start) as Bool))
        #expect(limiter.trackedSenders == 2)
        // Once the windows expired the table makes room again.
        #expect((limiter.admit("e", now: start + .seconds(3)) as Bool))
        #expect(limiter.trackedSenders == 1)
    }
}

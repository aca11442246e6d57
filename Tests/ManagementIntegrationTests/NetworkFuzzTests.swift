import Foundation
import MeridianDaemon
import MeridianTestSupport
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// The network endpoint takes fuzzed, truncated and mutated management messages: nothing traps,
/// every one is answered or counted, and a good request still gets its answer afterwards.
@Suite(.serialized)
struct NetworkFuzzTests {
    @Test
    func garbageFromTheNetworkIsCountedAndServiceContinues() async throws {
        let backend = TestBackend(ExampleSnapshot.snapshot(ports: 2))
        let server = ManagementServer(
            configuration: .init(readWritePath: "/tmp/unused-\(getpid())", readOnlyPath: nil), backend: backend)
        var random = SplitMix64(seed: 0x1588)
        func next() -> UInt64 { random.next() }
        let good = ManagementMessages.request(action: .get, id: .defaultDataSet, data: nil, sequenceId: 1, sourcePort: 9)
            .encoded()
        var answered = 0
        for round in 0..<3000 {
            var bytes = good
            switch round % 4 {
            case 0: bytes = (0..<Int(next() % 120)).map { _ in UInt8(truncatingIfNeeded: next()) }
            case 1: bytes.removeLast(Int(next() % UInt64(bytes.count)))
            case 2: for _ in 0..<4 { bytes[Int(next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: next() | 1) }
            default:
                // A valid header and body with a random TLV (ID, length, data).
                bytes = Array(good.prefix(48)) + (0..<Int(next() % 40)).map { _ in UInt8(truncatingIfNeeded: next()) }
                bytes[2] = UInt8(bytes.count >> 8)
                bytes[3] = UInt8(truncatingIfNeeded: bytes.count)
            }
            let replies = await server.handleNetwork(bytes, ingressPort: 1)
            answered += replies.isEmpty ? 0 : 1
            for reply in replies { #expect((try? PTPMessage.decode(reply)) != nil) }
        }
        let stats = await server.statistics
        #expect(stats.received == 3000)
        #expect(stats.malformed > 500 && answered > 100, "\(stats) answered \(answered)")
        #expect(stats.malformed + stats.dropped.values.reduce(0, +) + answered == 3000, "\(stats)")
        let replies = await server.handleNetwork(good, ingressPort: 1)
        #expect(replies.count == 1)
        #expect(await backend.applied.isEmpty, "network writes are off: nothing may have been applied")
    }
}

/// A request from pmc with `-b 1` on the Unix socket is answered and also passed on out of the
/// forwarding ports with one hop less, as ptp4l's boundary clock does.
@Suite(.serialized)
struct ForwardingServerTests {
    actor Forwarded {
        var sent: [([UInt8], [UInt16])] = []
        func add(_ bytes: [UInt8], _ ports: [UInt16]) { sent.append((bytes, ports)) }
    }

    @Test
    func pmcWithOneBoundaryHopIsForwardedAndAnswered() async throws {
        try await ServerHarness.with(ports: 2) { harness in
            await harness.backend.setPortState(2, .slave)
            let forwarded = Forwarded()
            await harness.server.setForwarder { bytes, ports in await forwarded.add(bytes, ports) }
            let output = try await ProcessRunner.run(
                ProcessRunner.pmc, ["-u", "-s", harness.readWritePath, "-b", "1"], input: ["GET PRIORITY1"]
            ) { try? await Task.sleep(for: .milliseconds(200)) }
            #expect(output.stdout.contains("RESPONSE MANAGEMENT PRIORITY1"))
            let sent = await forwarded.sent
            #expect(sent.count == 1)
            #expect(sent.first?.1 == [1, 2])
            let message = try PTPMessage.decode(sent.first?.0 ?? [])
            guard case .management(let body) = message.body else {
                Issue.record("not management")
                return
            }
            #expect(body.boundaryHops == 0 && body.startingBoundaryHops == 1 && body.action == .get)
        }
    }
}

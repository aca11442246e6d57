import MeridianTestSupport
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// Fuzzed, truncated and bit-flipped management messages never trap the dispatcher: each either does
/// not decode (the server counts and drops it), is dropped with a reason, or gets replies that are
/// themselves valid messages.
struct ManagementFuzzTests {
    typealias Generator = SplitMix64

    @Test
    func mutatedRequestsNeverTrapAndAlwaysGetAnAnswerOrACountedDrop() throws {
        let dispatcher = ManagementDispatcher()
        let snapshot = ExampleSnapshot.snapshot(ports: 2)
        let ids = ManagementID.known + [.meridianStatusNP, ManagementID(rawValue: 0xBEEF)]
        var random = Generator(seed: 1588)
        var outcomes = (undecodable: 0, dropped: 0, errors: 0, answers: 0, applied: 0)
        for round in 0..<40_000 {
            let id = ids[random.below(ids.count)]
            let action = ManagementAction.allCases[random.below(ManagementAction.allCases.count)]
            let dataLength = [0, 1, 2, 3, 8, 20, 26, 50, 66, 300][random.below(10)]
            let data = (0..<dataLength).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var bytes = Requests.make(action, id, data: data, sequenceId: UInt16(truncatingIfNeeded: round)).encoded()
            switch random.below(4) {
            case 0: bytes.removeLast(random.below(bytes.count))
            case 1: for _ in 0..<3 { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
            case 2: bytes[2...3] = [UInt8(random.below(256)), UInt8(random.below(256))]
            default: break
            }
            guard let message = try? PTPMessage.decode(bytes) else {
                outcomes.undecodable += 1
                continue
            }
            let privilege: ManagementPrivilege =
                [.localReadWrite, .localReadOnly, .network(writesAllowed: false)][random.below(3)]
            switch dispatcher.handle(message, snapshot: snapshot, requester: ManagementRequester(privilege: privilege)) {
            case .drop: outcomes.dropped += 1
            case .reply(let replies):
                #expect(!replies.isEmpty)
                for reply in replies {
                    #expect((try? PTPMessage.decode(reply.encoded())) == reply)
                    if Requests.errorID(reply) != nil { outcomes.errors += 1 } else { outcomes.answers += 1 }
                }
            case .apply(let commands, let pending):
                #expect(!commands.isEmpty)
                outcomes.applied += 1
                let replies = dispatcher.complete(pending, result: .success(()), snapshot: snapshot)
                #expect(!replies.isEmpty)
            }
        }
        // Every kind of outcome happened, so the mutations reached every path.
        #expect(outcomes.undecodable > 1000 && outcomes.dropped > 100 && outcomes.errors > 1000)
        #expect(outcomes.answers > 200 && outcomes.applied > 5)
    }
}

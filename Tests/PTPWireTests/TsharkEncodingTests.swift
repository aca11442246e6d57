import Foundation
import PTPCore
import Testing

@testable import PTPWire

/// Messages we encode, written to a pcap and read back by tshark's PTP dissector: none is malformed,
/// and tshark's field values equal ours. Needs tshark (`make deps` installs it); without it the test fails.
struct TsharkEncodingTests {
    @Test(arguments: PcapWriter.Transport.allCases)
    func tsharkDissectsWhatWeEncodeWithoutComplaint(_ transport: PcapWriter.Transport) throws {
        let tshark = try #require(Command.which("tshark"), "tshark is not installed: run `make deps`")
        var generator = MessageGenerator(seed: 0x75_4A52 + UInt64(transport.hashValue & 0xFF), tsharkSafe: true)
        var messages: [PTPMessage] = []
        for type in MessageType.allCases {
            for _ in 0..<25 { messages.append(generator.message(type)) }
        }
        var writer = PcapWriter()
        for message in messages {
            writer.add(message.encoded(), event: message.messageType.isEvent, over: transport)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-tshark-\(getpid())-\(transport).pcap")
        try writer.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let (status, output) = try Command.run(tshark, ["-r", file.path, "-T", "json"])
        try #require(status == 0, "tshark exited with \(status)")
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-tshark-\(getpid())-\(transport).json")
        try output.write(to: json)
        defer { try? FileManager.default.removeItem(at: json) }

        let dissections = try TsharkFields.load(json)
        let layers = try TsharkFields.allKeys(json)
        try #require(dissections.count == messages.count, "tshark saw \(dissections.count) frames, we wrote \(messages.count)")
        for (index, message) in messages.enumerated() {
            let keys = layers[index]
            #expect(keys["_ws.malformed"] == nil, "frame \(index + 1) \(message.messageType) is malformed to tshark")
            let errors = keys.filter { $0.key == "_ws.expert.severity" && $0.value == "8388608" }
            #expect(
                errors.isEmpty,
                "frame \(index + 1) \(message.messageType): tshark expert error \(keys.filter { $0.key.hasPrefix("_ws.expert") })"
            )
            guard let fields = dissections[index] else {
                Issue.record("frame \(index + 1): no PTP layer")
                continue
            }
            var expected = message
            expected.header.messageLength = UInt16(message.encoded().count)
            let problems = TsharkComparison.mismatches(expected, fields)
            #expect(problems.isEmpty, "frame \(index + 1) \(message.messageType): \(problems)")
        }
    }
}

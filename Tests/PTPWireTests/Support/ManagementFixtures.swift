import Foundation
import PTPCore
import PTPWire

/// One management message of a capture, with the raw payload and the tshark dissection of its frame.
struct CapturedManagement {
    var capture: String
    var index: Int
    var payload: [UInt8]
    var message: PTPMessage
    var body: ManagementBody
    /// tshark's `ptp` layer for the frame, flattened (nested trees merged, inner keys last).
    var tshark: [String: String]

    var sequenceId: UInt16 { message.header.sequenceId }
    var label: String { "\(capture) frame \(index + 1) seq \(sequenceId) \(body.action)" }
}

enum ManagementFixtures {
    /// Every management message of `capture`, decoded with `PTPMessage.decode`, with tshark's fields.
    static func messages(_ capture: String) throws -> [CapturedManagement] {
        let json = try tsharkLayers(capture)
        var out: [CapturedManagement] = []
        for packet in try Fixtures.ptpPackets(capture) {
            let message = try PTPMessage.decode(packet.payload)
            guard case .management(let body) = message.body else { continue }
            let fields = packet.index < json.count ? json[packet.index] : [:]
            out.append(
                CapturedManagement(
                    capture: capture, index: packet.index, payload: packet.payload, message: message, body: body,
                    tshark: fields))
        }
        return out
    }

    /// The `ptp` layer of every frame of the capture's tshark JSON, flattened; index = frame − 1.
    static func tsharkLayers(_ capture: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: Fixtures.url(capture + ".json"))
        guard let frames = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return frames.map { frame in
            let source = frame["_source"] as? [String: Any]
            let layers = source?["layers"] as? [String: Any]
            var flat: [String: String] = [:]
            if let ptp = layers?["ptp"] as? [String: Any] { flatten(ptp, into: &flat) }
            return flat
        }
    }

    private static func flatten(_ object: [String: Any], into flat: inout [String: String]) {
        // Scalars first, then subtrees, so a tree's inner value wins over its summary line.
        for (key, value) in object {
            if let text = value as? String { flat[key] = text }
        }
        for (_, value) in object {
            if let tree = value as? [String: Any] { flatten(tree, into: &flat) }
        }
    }

    /// What pmc printed for each response, by sequence number: the ID's name and its `key value` lines.
    static func pmcResponses(_ capture: String) throws -> [UInt16: (name: String, fields: [String: String])] {
        let text = try String(contentsOf: Fixtures.url(capture + "-pmc.txt"), encoding: .utf8)
        var out: [UInt16: (name: String, fields: [String: String])] = [:]
        var current: UInt16?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("\t\t"), let seq = current {
                let parts = line.trimmingCharacters(in: .whitespaces).split(
                    separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                guard let key = parts.first else { continue }
                let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                out[seq]?.fields[String(key)] = value
                continue
            }
            current = nil
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("\t"), words.count >= 4, words[1] == "seq", let seq = UInt16(words[2]),
                words[3] == "RESPONSE"
            {
                let name = words.count >= 6 && words[4] == "MANAGEMENT" ? String(words[5]) : ""
                out[seq] = (name, [:])
                current = seq
            }
        }
        return out
    }
}

/// Formatting helpers matching tshark and pmc.
enum Fmt {
    static func hex(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func colons(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    static func bit(_ flag: Bool) -> String { flag ? "1" : "0" }

    /// pmc's spelling of a PortAddress: the protocol number and the address as text.
    static func portAddress(_ address: PortAddress) -> String {
        let bytes = address.address
        let text: String
        switch address.networkProtocol {
        case .udpIPv4 where bytes.count == 4:
            text = bytes.map(String.init).joined(separator: ".")
        case .udpIPv6 where bytes.count == 16:
            var storage = in6_addr()
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count))
            text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        default:
            text = colons(bytes)
        }
        return "\(address.networkProtocol.rawValue) \(text)"
    }
}

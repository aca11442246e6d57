import Foundation

/// tshark's `-T json` dissection, flattened: every `ptp.*` field name to its value string (for a name that
/// appears more than once, as in a message with several TLVs, the last one wins).
struct TsharkFields {
    var values: [String: String]

    subscript(_ name: String) -> String? { values[name] }

    /// An integer field; tshark writes hex as `0x…`.
    func int(_ name: String) -> Int64? {
        guard let text = values[name] else { return nil }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) } }
        return Int64(text)
    }

    /// The `layers.ptp` object of every frame in a tshark JSON file, in frame order (nil for non-PTP frames).
    static func load(_ url: URL) throws -> [TsharkFields?] {
        let data = try Data(contentsOf: url)
        guard let frames = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return frames.map { frame in
            let source = frame["_source"] as? [String: Any]
            let layers = source?["layers"] as? [String: Any]
            guard let ptp = layers?["ptp"] as? [String: Any] else { return nil }
            var flat: [String: String] = [:]
            flatten(ptp, into: &flat)
            return TsharkFields(values: flat)
        }
    }

    /// Every layer key of every frame, to look for tshark's `_ws.malformed` and expert errors.
    static func allKeys(_ url: URL) throws -> [[String: String]] {
        let data = try Data(contentsOf: url)
        guard let frames = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return frames.map { frame in
            var flat: [String: String] = [:]
            let source = frame["_source"] as? [String: Any]
            flatten(source?["layers"] as? [String: Any] ?? [:], into: &flat)
            return flat
        }
    }

    private static func flatten(_ object: [String: Any], into flat: inout [String: String]) {
        for (key, value) in object {
            if let nested = value as? [String: Any] {
                flat[key] = flat[key] ?? ""
                flatten(nested, into: &flat)
            } else if let text = value as? String {
                flat[key] = text
            } else if let list = value as? [Any] {
                for item in list {
                    if let nested = item as? [String: Any] {
                        flatten(nested, into: &flat)
                    } else if let text = item as? String {
                        flat[key] = text
                    }
                }
            }
        }
    }
}

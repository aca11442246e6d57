import PTPCore

/// JSON text for the HTTP endpoint's documents (`/status.json`, `/history.json`), written as FoundationEssentials'
/// `JSONEncoder` writes them with `[.sortedKeys, .withoutEscapingSlashes]`: keys in order, integers and booleans as
/// Swift prints them, a `Double` as its shortest round-trip text without a trailing `.0`, strings with `"`, `\`
/// and control characters escaped, `nil` properties left out. `meridianctl status --json` uses that encoder for
/// the same `StatusReport.Document`, so both print the same text (JSONTextTests compares them).
///
/// Meridian's own rather than FoundationEssentials': that library would be the only reason meridiand links it,
/// and its type metadata, relocated data and the protocol conformances the runtime scans cost the daemon about
/// 0.5 MB of resident memory for its whole life (ARCHITECTURE.md, "Memory and CPU").
enum JSONText {
    /// A value that cannot be JSON: a non-finite number (JSON has no NaN or infinity).
    struct Unrepresentable: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        root.write(into: &out)
        return out
    }

    /// One value of the tree the encoder builds; objects and arrays fill in as their containers encode.
    final class Node {
        enum Content {
            case empty
            case scalar(String)
            case object([String: Node])
            case array([Node])
        }
        var content = Content.empty

        func write(into out: inout [UInt8]) {
            switch content {
            case .empty:
                out.append(contentsOf: "{}".utf8)
            case .scalar(let text):
                out.append(contentsOf: text.utf8)
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                for (index, key) in members.keys.sorted().enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    JSONString.append(key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    members[key]?.write(into: &out)
                }
                out.append(UInt8(ascii: "}"))
            case .array(let elements):
                out.append(UInt8(ascii: "["))
                for (index, element) in elements.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    element.write(into: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
    }

    /// A floating-point number as `JSONEncoder` writes it: the shortest text that reads back to the same value,
    /// without a trailing `.0` (`1`, `0.25`, `1e-07`).
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, path: [any CodingKey]) throws -> String {
        guard value.isFinite else {
            throw Unrepresentable(
                description: "\(value) at \(path.map(\.stringValue).joined(separator: ".")) is not a JSON number")
        }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// Encodes into a ``JSONText/Node``.
private struct TreeEncoder: Encoder {
    let node: JSONText.Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

/// The scalars every container writes the same way.
private protocol ScalarWriting {
    var codingPath: [any CodingKey] { get }
    /// A new node at `key` (or the next index), for one value.
    mutating func slot(_ key: (any CodingKey)?) -> JSONText.Node
}

extension ScalarWriting {
    mutating func put(_ text: String, _ key: (any CodingKey)?) { slot(key).content = .scalar(text) }

    /// A nested value: it encodes itself into a new node (a `Double` or `String` through its single-value
    /// container, so it is written as above).
    mutating func putValue<T: Encodable>(_ value: T, _ key: (any CodingKey)?) throws {
        try value.encode(to: TreeEncoder(node: slot(key), codingPath: key.map { codingPath + [$0] } ?? codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, ScalarWriting {
    let node: JSONText.Node
    let codingPath: [any CodingKey]

    mutating func slot(_ key: (any CodingKey)?) -> JSONText.Node {
        let child = JSONText.Node()
        guard case .object(var members) = node.content else { return child }
        node.content = .empty  // one reference to the members while they grow
        members[key?.stringValue ?? ""] = child
        node.content = .object(members)
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { put("null", key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(value ? "true" : "false", key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(JSONString.quoted(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        put(try JSONText.number(value, path: codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        put(try JSONText.number(value, path: codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try putValue(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: slot(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: slot(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: slot(nil), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: slot(key), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer, PositionalScalars {
    let node: JSONText.Node
    let codingPath: [any CodingKey]
    var count: Int {
        guard case .array(let elements) = node.content else { return 0 }
        return elements.count
    }

    mutating func slot(_ key: (any CodingKey)?) -> JSONText.Node {
        let child = JSONText.Node()
        guard case .array(var elements) = node.content else { return child }
        node.content = .empty  // one reference to the array while it grows
        elements.append(child)
        node.content = .array(elements)
        return child
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: slot(nil), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: slot(nil), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: slot(nil), codingPath: codingPath)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer, PositionalScalars {
    let node: JSONText.Node
    let codingPath: [any CodingKey]

    mutating func slot(_ key: (any CodingKey)?) -> JSONText.Node { node }
}

/// The scalar methods of the unkeyed and the single-value container: the two protocols ask for the same ones.
private protocol PositionalScalars: ScalarWriting {}

extension PositionalScalars {
    mutating func encodeNil() throws { put("null", nil) }
    mutating func encode(_ value: Bool) throws { put(value ? "true" : "false", nil) }
    mutating func encode(_ value: String) throws { put(JSONString.quoted(value), nil) }
    mutating func encode(_ value: Double) throws { put(try JSONText.number(value, path: codingPath), nil) }
    mutating func encode(_ value: Float) throws { put(try JSONText.number(value, path: codingPath), nil) }
    mutating func encode(_ value: Int) throws { put(String(value), nil) }
    mutating func encode(_ value: Int8) throws { put(String(value), nil) }
    mutating func encode(_ value: Int16) throws { put(String(value), nil) }
    mutating func encode(_ value: Int32) throws { put(String(value), nil) }
    mutating func encode(_ value: Int64) throws { put(String(value), nil) }
    mutating func encode(_ value: UInt) throws { put(String(value), nil) }
    mutating func encode(_ value: UInt8) throws { put(String(value), nil) }
    mutating func encode(_ value: UInt16) throws { put(String(value), nil) }
    mutating func encode(_ value: UInt32) throws { put(String(value), nil) }
    mutating func encode(_ value: UInt64) throws { put(String(value), nil) }
    mutating func encode<T: Encodable>(_ value: T) throws { try putValue(value, nil) }
}

/// A PTPText (IEEE 1588-2019 5.3.9): up to 255 bytes of UTF-8, carried with a length byte.
///
/// The bytes are kept as received, so text that is not valid UTF-8 still round-trips.
public struct PTPText: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public private(set) var bytes: [UInt8]

    /// Text from `bytes`, truncated to 255 bytes.
    public init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes.prefix(255))
    }

    /// Text from `string`, truncated to 255 bytes.
    public init(_ string: String) {
        self.init(bytes: string.utf8)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public static let empty = PTPText(bytes: [])

    /// The text, with invalid UTF-8 replaced.
    public var description: String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// Why a byte string is not a PTP message. Every case names the field and its byte offset in the
/// message, so a counter or a log line can say exactly what was wrong.
public enum WireError: Error, Sendable, Hashable {
    /// The bytes end before `field` (at `offset`) is complete: `needed` bytes, `available` left.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// `field` at `offset` holds a value the standard does not allow there.
    case invalidValue(field: String, offset: Int, value: UInt64)
    /// A declared length (`field` at `offset`) disagrees with the bytes: it says `declared`, the content
    /// needs or has `actual`.
    case lengthMismatch(field: String, offset: Int, declared: Int, actual: Int)
}

extension WireError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            "truncated at \(field) (offset \(offset)): needs \(needed) bytes, \(available) left"
        case .invalidValue(let field, let offset, let value):
            "invalid \(field) (offset \(offset)): \(value)"
        case .lengthMismatch(let field, let offset, let declared, let actual):
            "\(field) (offset \(offset)) says \(declared), content is \(actual)"
        }
    }

    /// The field the error is about.
    public var field: String {
        switch self {
        case .truncated(let field, _, _, _), .invalidValue(let field, _, _), .lengthMismatch(let field, _, _, _):
            field
        }
    }

    /// The byte offset of that field in the message.
    public var offset: Int {
        switch self {
        case .truncated(_, let offset, _, _), .invalidValue(_, let offset, _), .lengthMismatch(_, let offset, _, _):
            offset
        }
    }
}

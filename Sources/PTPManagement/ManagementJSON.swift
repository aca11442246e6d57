import PTPCore
import PTPWire

/// The `--json` form of a management reply: the same names pmc prints, typed values, as an `Encodable` value
/// (meridianctl encodes it with FoundationEssentials' `JSONEncoder`; the pure targets hold no JSON text).
///
/// `{"action":"RESPONSE","data":{"priority1":128},"managementId":"PRIORITY1","sequenceId":3,"source":"…-1"}`;
/// an error status carries `"error":"NOT_SUPPORTED"` instead of `data`.
public enum ManagementJSON {
    public struct Document: Encodable, Sendable, Hashable {
        public var source: String
        public var sequenceId: UInt16
        public var action: String
        public var managementId: String
        /// The fields pmc prints, in pmc's order (nil for an error status).
        public var data: [PMCField]?
        public var error: String?

        enum Keys: String, CodingKey {
            case source, sequenceId, action, managementId, data, error
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(source, forKey: .source)
            try container.encode(sequenceId, forKey: .sequenceId)
            try container.encode(action, forKey: .action)
            try container.encode(managementId, forKey: .managementId)
            if let data {
                var fields = container.nestedContainer(keyedBy: FieldKey.self, forKey: .data)
                for field in data { try fields.encode(field.value, forKey: FieldKey(field.name)) }
            }
            try container.encodeIfPresent(error, forKey: .error)
        }
    }

    /// A field name as a JSON key.
    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The document of a management message with one TLV; nil for anything else.
    public static func document(_ message: PTPMessage) -> Document? {
        guard case .management(let body) = message.body, message.tlvs.count == 1 else { return nil }
        var document = Document(
            source: message.header.sourcePortIdentity.description, sequenceId: message.header.sequenceId,
            action: body.action.description, managementId: "")
        switch message.tlvs[0] {
        case .management(let tlv):
            document.managementId = tlv.managementId.meridianName ?? "\(tlv.managementId)"
            let data = try? ManagementData.decode(id: tlv.managementId, action: body.action, data: tlv.data)
            document.data = data.flatMap { PMCBlock($0) }?.fields ?? []
        case .managementErrorStatus(let error):
            document.managementId = error.managementId.meridianName ?? "\(error.managementId)"
            document.error = ManagementErrorText.name(error.managementErrorId)
        default:
            return nil
        }
        return document
    }
}

extension PMCValue: Encodable {
    /// Numbers as JSON numbers (hex too), flags as booleans, text as strings, pmc's decimals as numbers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let v): try container.encode(v)
        case .uint(let v): try container.encode(v)
        case .hex(let v, _): try container.encode(v)
        case .flag(let v): try container.encode(v)
        case .text(let s): try container.encode(s)
        case .decimal(let s):
            if let number = Double(s.hasPrefix("+") ? String(s.dropFirst()) : s), number.isFinite {
                try container.encode(number)
            } else {
                try container.encode(s)
            }
        }
    }
}

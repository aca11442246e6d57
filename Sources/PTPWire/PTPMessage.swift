import PTPCore

/// The part of a message after the header that depends on its type (IEEE 1588-2019 13.5–13.13).
public enum MessageBody: Sendable, Hashable {
    case sync(OriginTimestampBody)
    case delayReq(OriginTimestampBody)
    case pdelayReq(PdelayReqBody)
    case pdelayResp(PdelayResponseBody)
    case followUp(FollowUpBody)
    case delayResp(DelayRespBody)
    case pdelayRespFollowUp(PdelayResponseBody)
    case announce(AnnounceBody)
    case signaling(SignalingBody)
    case management(ManagementBody)

    public var messageType: MessageType {
        switch self {
        case .sync: .sync
        case .delayReq: .delayReq
        case .pdelayReq: .pdelayReq
        case .pdelayResp: .pdelayResp
        case .followUp: .followUp
        case .delayResp: .delayResp
        case .pdelayRespFollowUp: .pdelayRespFollowUp
        case .announce: .announce
        case .signaling: .signaling
        case .management: .management
        }
    }
}

/// A PTP message: header, body and TLVs.
///
/// For Signaling and Management the TLVs are the message's content; for the others they are the optional
/// suffix of 13.4. Decoding never traps: any byte string gives a message or a ``WireError``.
public struct PTPMessage: Sendable, Hashable {
    public var header: PTPHeader
    public var body: MessageBody
    public var tlvs: [TLV]

    /// A message; the header's messageType is set from the body.
    @inlinable
    public init(header: PTPHeader, body: MessageBody, tlvs: [TLV] = []) {
        self.header = header
        self.header.messageType = body.messageType
        self.body = body
        self.tlvs = tlvs
    }

    public var messageType: MessageType { body.messageType }

    // MARK: Decoding

    /// Decodes one message from `bytes`. Bytes past messageLength (Ethernet padding) are ignored.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> PTPMessage {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) -> PTPMessage in try decode(raw) }
        }.get()
    }

    /// Decodes one message from a borrowed buffer, without allocating for Sync, Delay_Req, Follow_Up
    /// and Delay_Resp that carry no TLV.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> PTPMessage {
        var whole = WireReader(bytes)
        let header = try PTPHeader.decode(from: &whole)
        let declared = Int(header.messageLength)
        let minimum = header.messageType.baseLength
        guard declared >= minimum else {
            throw .lengthMismatch(field: "messageLength", offset: 2, declared: declared, actual: minimum)
        }
        guard declared <= bytes.count else {
            throw .lengthMismatch(field: "messageLength", offset: 2, declared: declared, actual: bytes.count)
        }
        var reader = WireReader(
            UnsafeRawBufferPointer(rebasing: bytes[PTPHeader.length..<declared]), base: PTPHeader.length)
        let body: MessageBody
        switch header.messageType {
        case .sync: body = .sync(try .decode(from: &reader))
        case .delayReq: body = .delayReq(try .decode(from: &reader))
        case .followUp: body = .followUp(try .decode(from: &reader))
        case .delayResp: body = .delayResp(try .decode(from: &reader))
        case .pdelayReq: body = .pdelayReq(try .decode(from: &reader))
        case .pdelayResp: body = .pdelayResp(try .decode(from: &reader, timestampField: "requestReceiptTimestamp"))
        case .pdelayRespFollowUp:
            body = .pdelayRespFollowUp(try .decode(from: &reader, timestampField: "responseOriginTimestamp"))
        case .announce: body = .announce(try .decode(from: &reader))
        case .signaling:
            body = .signaling(SignalingBody(targetPortIdentity: try reader.readPortIdentity("targetPortIdentity")))
        case .management: body = .management(try .decode(from: &reader))
        }
        let tlvs = reader.remaining > 0 ? try TLV.decodeAll(from: &reader) : []
        return PTPMessage(header: header, body: body, tlvs: tlvs)
    }

    // MARK: Encoding

    /// Appends the encoded message to `writer`; messageLength is computed from the content.
    public func encode(into writer: inout WireWriter) {
        let start = writer.count
        header.encode(into: &writer, messageLength: 0)
        switch body {
        case .sync(let b), .delayReq(let b): b.encode(into: &writer)
        case .followUp(let b): b.encode(into: &writer)
        case .delayResp(let b): b.encode(into: &writer)
        case .pdelayReq(let b): b.encode(into: &writer)
        case .pdelayResp(let b), .pdelayRespFollowUp(let b): b.encode(into: &writer)
        case .announce(let b): b.encode(into: &writer)
        case .signaling(let b): writer.write(b.targetPortIdentity)
        case .management(let b): b.encode(into: &writer)
        }
        for tlv in tlvs {
            tlv.encode(into: &writer)
        }
        writer.patch(UInt16(truncatingIfNeeded: writer.count - start), at: start + 2)
    }

    /// The encoded message as a new array.
    public func encoded() -> [UInt8] {
        var writer = WireWriter(capacity: header.messageType.baseLength + 64)
        encode(into: &writer)
        return writer.bytes
    }
}

import PTPCore

/// Sync and Delay_Req body (IEEE 1588-2019 13.6, 13.6.2): the origin timestamp.
public struct OriginTimestampBody: Sendable, Hashable {
    public var originTimestamp: WireTimestamp

    @inlinable
    public init(originTimestamp: WireTimestamp) {
        self.originTimestamp = originTimestamp
    }

    @inlinable
    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        Self(originTimestamp: try reader.readTimestamp("originTimestamp"))
    }

    @inlinable
    func encode(into writer: inout WireWriter) {
        writer.write(originTimestamp)
    }
}

/// Follow_Up body (13.7): the precise origin timestamp of the Sync it follows.
public struct FollowUpBody: Sendable, Hashable {
    public var preciseOriginTimestamp: WireTimestamp

    @inlinable
    public init(preciseOriginTimestamp: WireTimestamp) {
        self.preciseOriginTimestamp = preciseOriginTimestamp
    }

    @inlinable
    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        Self(preciseOriginTimestamp: try reader.readTimestamp("preciseOriginTimestamp"))
    }

    @inlinable
    func encode(into writer: inout WireWriter) {
        writer.write(preciseOriginTimestamp)
    }
}

/// Delay_Resp body (13.8): when the Delay_Req arrived, and whose request it was.
public struct DelayRespBody: Sendable, Hashable {
    public var receiveTimestamp: WireTimestamp
    public var requestingPortIdentity: PortIdentity

    @inlinable
    public init(receiveTimestamp: WireTimestamp, requestingPortIdentity: PortIdentity) {
        self.receiveTimestamp = receiveTimestamp
        self.requestingPortIdentity = requestingPortIdentity
    }

    @inlinable
    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        let timestamp = try reader.readTimestamp("receiveTimestamp")
        let requester = try reader.readPortIdentity("requestingPortIdentity")
        return Self(receiveTimestamp: timestamp, requestingPortIdentity: requester)
    }

    @inlinable
    func encode(into writer: inout WireWriter) {
        writer.write(receiveTimestamp)
        writer.write(requestingPortIdentity)
    }
}

/// Pdelay_Req body (13.9): the origin timestamp and ten reserved bytes (so it is as long as Pdelay_Resp).
public struct PdelayReqBody: Sendable, Hashable {
    public var originTimestamp: WireTimestamp

    public init(originTimestamp: WireTimestamp) {
        self.originTimestamp = originTimestamp
    }

    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        let timestamp = try reader.readTimestamp("originTimestamp")
        try reader.skip(10, "reserved")
        return Self(originTimestamp: timestamp)
    }

    func encode(into writer: inout WireWriter) {
        writer.write(originTimestamp)
        writer.writeZeros(10)
    }
}

/// Pdelay_Resp (13.10) and Pdelay_Resp_Follow_Up (13.11) body: a timestamp and the requester.
///
/// In Pdelay_Resp the timestamp is requestReceiptTimestamp; in the follow-up it is responseOriginTimestamp.
public struct PdelayResponseBody: Sendable, Hashable {
    public var timestamp: WireTimestamp
    public var requestingPortIdentity: PortIdentity

    public init(timestamp: WireTimestamp, requestingPortIdentity: PortIdentity) {
        self.timestamp = timestamp
        self.requestingPortIdentity = requestingPortIdentity
    }

    static func decode(from reader: inout WireReader, timestampField: String) throws(WireError) -> Self {
        let timestamp = try reader.readTimestamp(timestampField)
        let requester = try reader.readPortIdentity("requestingPortIdentity")
        return Self(timestamp: timestamp, requestingPortIdentity: requester)
    }

    func encode(into writer: inout WireWriter) {
        writer.write(timestamp)
        writer.write(requestingPortIdentity)
    }
}

import PTPCore
import PTPWire

/// A management request as received: the message's addressing and its one MANAGEMENT TLV
/// (IEEE 1588-2019 15.4, 15.5.2).
public struct ManagementRequest: Sendable, Hashable {
    public var header: PTPHeader
    public var body: ManagementBody
    public var managementId: ManagementID
    /// The raw dataField (after managementId).
    public var data: [UInt8]

    public init(header: PTPHeader, body: ManagementBody, managementId: ManagementID, data: [UInt8]) {
        self.header = header
        self.body = body
        self.managementId = managementId
        self.data = data
    }

    /// The request in `message`, or why it is not one.
    public static func parse(_ message: PTPMessage) -> Result<ManagementRequest, ManagementDropReason> {
        guard case .management(let body) = message.body else { return .failure(.notManagement) }
        guard message.tlvs.count == 1, case .management(let tlv) = message.tlvs[0] else {
            return .failure(.notOneManagementTLV)
        }
        switch body.action {
        case .get, .set, .command: break
        case .response, .acknowledge: return .failure(.notARequest)
        }
        return .success(
            ManagementRequest(header: message.header, body: body, managementId: tlv.managementId, data: tlv.data))
    }

    public var action: ManagementAction { body.action }

    /// The reply's actionField: RESPONSE to GET and SET, ACKNOWLEDGE to COMMAND (15.4.1.6, table 57).
    public var replyAction: ManagementAction {
        action == .command ? .acknowledge : .response
    }

    /// Builds a reply from `source` carrying `tlv`, addressed as linuxptp's `port_management_reply`
    /// does: targetPortIdentity is the requester's sourcePortIdentity, sequenceId echoed, and both
    /// boundary-hop fields set to startingBoundaryHops − boundaryHops (the hops the request used,
    /// 15.3.3), so the reply can travel back as far as the request came.
    public func reply(from source: PortIdentity, domainNumber: UInt8, tlv: TLV) -> PTPMessage {
        let hops = body.startingBoundaryHops &- body.boundaryHops
        let header = PTPHeader(
            messageType: .management, sourcePortIdentity: source, sequenceId: header.sequenceId,
            domainNumber: domainNumber, logMessageInterval: 0x7F, majorSdoId: header.majorSdoId,
            minorSdoId: header.minorSdoId, minorVersionPTP: header.minorVersionPTP)
        let replyBody = ManagementBody(
            targetPortIdentity: self.header.sourcePortIdentity, startingBoundaryHops: hops, boundaryHops: hops,
            action: replyAction)
        return PTPMessage(header: header, body: .management(replyBody), tlvs: [tlv])
    }

    /// A RESPONSE or ACKNOWLEDGE carrying `data`.
    public func reply(from source: PortIdentity, domainNumber: UInt8, data: ManagementData) -> PTPMessage {
        reply(from: source, domainNumber: domainNumber, tlv: .management(ManagementTLV(data)))
    }

    /// A MANAGEMENT_ERROR_STATUS reply (15.5.4) for this request's ID, sent without displayData like ptp4l.
    public func error(_ error: ManagementErrorID, from source: PortIdentity, domainNumber: UInt8) -> PTPMessage {
        reply(
            from: source, domainNumber: domainNumber,
            tlv: .managementErrorStatus(ManagementErrorStatusTLV(managementErrorId: error, managementId: managementId)))
    }
}

import PTPCore
import PTPManagement
import PTPWire

/// Requests as pmc sends them, and helpers to read replies.
enum Requests {
    static let pmcSource = PortIdentity(clockIdentity: .zero, portNumber: 0x30B7)

    static func make(
        _ action: ManagementAction, _ id: ManagementID, data: [UInt8] = [], target: PortIdentity = .all,
        starting: UInt8 = 1, hops: UInt8 = 1, sequenceId: UInt16 = 7, domain: UInt8 = 0
    ) -> PTPMessage {
        let header = PTPHeader(
            messageType: .management, sourcePortIdentity: pmcSource, sequenceId: sequenceId, domainNumber: domain,
            logMessageInterval: 0x7F, minorVersionPTP: 0)
        let body = ManagementBody(targetPortIdentity: target, startingBoundaryHops: starting, boundaryHops: hops, action: action)
        return PTPMessage(
            header: header, body: .management(body), tlvs: [.management(ManagementTLV(managementId: id, data: data))])
    }

    static func replies(_ decision: ManagementDecision) -> [PTPMessage] {
        if case .reply(let messages) = decision { return messages }
        return []
    }

    static func errorID(_ message: PTPMessage) -> ManagementErrorID? {
        if case .managementErrorStatus(let e) = message.tlvs.first { return e.managementErrorId }
        return nil
    }

    static func data(_ message: PTPMessage) -> ManagementData? {
        guard case .management(let body) = message.body, case .management(let tlv) = message.tlvs.first else {
            return nil
        }
        return try? tlv.decodedData(action: body.action)
    }
}

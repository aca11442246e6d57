import PTPCore
import PTPWire

/// Builds the management messages that are not replies: a client's request (what `pmc` sends) and
/// the event notifications pushed to subscribers (what ptp4l's `port_notify_event` sends).
public enum ManagementMessages {
    /// A request as linuxptp's pmc builds it (`pmc_common.c` `pmc_message`): version byte 0x02,
    /// flags clear, logMessageInterval 0x7F, sourcePortIdentity = (zero clock, `sourcePort`), the
    /// boundary hops both `boundaryHops`, and a MANAGEMENT TLV with `data` (an empty dataField when nil).
    public static func request(
        action: ManagementAction, id: ManagementID, data: ManagementData?, sequenceId: UInt16,
        target: PortIdentity = .all, sourcePort: UInt16, domainNumber: UInt8 = 0, boundaryHops: UInt8 = 0,
        transportSpecific: UInt8 = 0
    ) -> PTPMessage {
        let header = PTPHeader(
            messageType: .management, sourcePortIdentity: PortIdentity(clockIdentity: .zero, portNumber: sourcePort),
            sequenceId: sequenceId, domainNumber: domainNumber, logMessageInterval: 0x7F,
            majorSdoId: transportSpecific, minorVersionPTP: 0)
        let body = ManagementBody(
            targetPortIdentity: target, startingBoundaryHops: boundaryHops, boundaryHops: boundaryHops, action: action)
        let tlv = data.map { ManagementTLV($0) } ?? ManagementTLV(managementId: id)
        return PTPMessage(header: header, body: .management(body), tlvs: [.management(tlv)])
    }

    /// NOTIFY_PORT_STATE for a subscriber, as ptp4l 3.1 sends it: a RESPONSE carrying the port's
    /// PORT_DATA_SET from the port's identity, both boundary-hop fields 1, addressed to the
    /// subscriber's sourcePortIdentity with the subscriber's own running sequenceId
    /// (`clock_send_notification`).
    public static func portStateNotification(
        port: PortSnapshot, domainNumber: UInt8, subscriber: PortIdentity, sequenceId: UInt16
    ) -> PTPMessage {
        notification(
            .portDataSet(ManagementPortDS(port.portDS)), from: port.portIdentity, domainNumber: domainNumber,
            subscriber: subscriber, sequenceId: sequenceId)
    }

    /// A clock-wide notification: NOTIFY_PARENT_DATA_SET (PARENT_DATA_SET, as linuxptp 4 sends it when the
    /// grandmaster or its quality changes) or Meridian's reference notification (MERIDIAN_STATUS_NP), from
    /// the clock's port 0, filled from `snapshot` like a GET of `id`. Nil for an ID the clock does not answer.
    public static func clockNotification(
        _ id: ManagementID, snapshot: ManagementSnapshot, subscriber: PortIdentity, sequenceId: UInt16
    ) -> PTPMessage? {
        guard let data = ManagementDispatcher.clockData(id, snapshot: snapshot, subscription: nil) else { return nil }
        return notification(
            data, from: PortIdentity(clockIdentity: snapshot.defaultDS.clockIdentity, portNumber: 0),
            domainNumber: snapshot.defaultDS.domainNumber, subscriber: subscriber, sequenceId: sequenceId)
    }

    /// A RESPONSE carrying `data`, both boundary-hop fields 1, addressed to the subscriber's
    /// sourcePortIdentity with the subscriber's own running sequenceId (`clock_send_notification`).
    static func notification(
        _ data: ManagementData, from source: PortIdentity, domainNumber: UInt8, subscriber: PortIdentity, sequenceId: UInt16
    ) -> PTPMessage {
        let header = PTPHeader(
            messageType: .management, sourcePortIdentity: source, sequenceId: sequenceId,
            domainNumber: domainNumber, logMessageInterval: 0x7F, minorVersionPTP: 0)
        let body = ManagementBody(
            targetPortIdentity: subscriber, startingBoundaryHops: 1, boundaryHops: 1, action: .response)
        return PTPMessage(header: header, body: .management(body), tlvs: [.management(ManagementTLV(data))])
    }
}

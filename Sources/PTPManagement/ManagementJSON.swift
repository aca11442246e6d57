import PTPCore
import PTPWire

/// The `--json` form of a management reply: the same names pmc prints, typed values.
///
/// `{"source":"…-1","sequenceId":3,"action":"RESPONSE","managementId":"PRIORITY1","data":{"priority1":128}}`;
/// an error status carries `"error":"NOT_SUPPORTED"` instead of `data`.
public enum ManagementJSON {
    public static func object(_ message: PTPMessage) -> String? {
        guard case .management(let body) = message.body, message.tlvs.count == 1 else { return nil }
        var pairs: [(String, String)] = [
            ("source", JSONText.quote(message.header.sourcePortIdentity.description)),
            ("sequenceId", String(message.header.sequenceId)),
            ("action", JSONText.quote(body.action.description)),
        ]
        switch message.tlvs[0] {
        case .management(let tlv):
            pairs.append(("managementId", JSONText.quote(tlv.managementId.meridianName ?? "\(tlv.managementId)")))
            let data = try? ManagementData.decode(id: tlv.managementId, action: body.action, data: tlv.data)
            if let data, let block = PMCBlock(data) {
                pairs.append(("data", JSONText.object(block.fields.map { ($0.name, $0.value.json) })))
            } else {
                pairs.append(("data", "{}"))
            }
        case .managementErrorStatus(let error):
            pairs.append(("managementId", JSONText.quote(error.managementId.meridianName ?? "\(error.managementId)")))
            pairs.append(("error", JSONText.quote(ManagementErrorText.name(error.managementErrorId))))
        default:
            return nil
        }
        return JSONText.object(pairs)
    }
}

import PTPCore
import PTPWire

/// Prints management messages exactly as linuxptp 3.1's `pmc` does (`pmc.c` `pmc_show`):
///
/// `\t<source> seq <n> <ACTION> MANAGEMENT <ID> ` and then, per field, `\n\t\t<name padded> <value>`,
/// ending with a newline. An error status prints `MANAGEMENT_ERROR_STATUS ` (pmc stops there;
/// `meridianctl` adds the error and the ID on indented lines, which pmc's readers skip the same way
/// they skip fields). A TLV with no data other than NULL_MANAGEMENT prints `empty-tlv `.
public enum PMCFormatter {
    /// The text for `message`, newline-terminated; nil for a message pmc would not print.
    public static func format(_ message: PTPMessage, errorDetails: Bool = true) -> String? {
        guard case .management(let body) = message.body else { return nil }
        var out = "\t\(message.header.sourcePortIdentity) seq \(message.header.sequenceId) \(body.action) "
        guard message.tlvs.count == 1 else { return out + "\n" }
        switch message.tlvs[0] {
        case .management(let tlv):
            out += "MANAGEMENT "
            if tlv.data.isEmpty, tlv.managementId != .nullManagement {
                return out + "empty-tlv \n"
            }
            let data = (try? ManagementData.decode(id: tlv.managementId, action: body.action, data: tlv.data))
            if let data, let block = PMCBlock(data) {
                out += block.name + " "
                for field in block.fields {
                    out += "\n\t\t" + padded(field.name, block.width) + field.value.pmcText
                }
            }
        case .managementErrorStatus(let error):
            out += "MANAGEMENT_ERROR_STATUS "
            if errorDetails {
                out += "\n\t\t" + padded("managementId", 13) + (error.managementId.meridianName ?? "\(error.managementId)")
                out += "\n\t\t" + padded("error", 13) + ManagementErrorText.name(error.managementErrorId)
            }
        default:
            out += "unknown-tlv "
        }
        return out + "\n"
    }

    static func padded(_ name: String, _ width: Int) -> String {
        name.count >= width ? name + " " : name + String(repeating: " ", count: width - name.count)
    }
}

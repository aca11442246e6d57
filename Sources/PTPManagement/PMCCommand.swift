import PTPCore
import PTPWire

/// One line of pmc's command language (linuxptp `pmc_common.c` `pmc_do_command`).
public enum PMCCommand: Sendable, Hashable {
    /// `GET|SET|CMD|COMMAND <ID> [values]`: a request; `data` nil sends an empty dataField.
    case request(action: ManagementAction, id: ManagementID, data: ManagementData?)
    /// `TARGET <portIdentity>|*`: address later requests to that port (or all).
    case target(PortIdentity)
}

/// Why a command line is not a command; pmc prints `bad command: <line>` or a hint.
public enum PMCCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case badAction(String)
    case unknownID(String)
    case ambiguousID(String)
    /// The ID does not take this action (pmc: "<ID> only allows GET").
    case actionNotAllowed(String, ManagementAction)
    case badValue(String)

    public var description: String {
        switch self {
        case .empty: "empty command"
        case .badAction(let s): "bad action: \(s)"
        case .unknownID(let s): "unknown management ID: \(s)"
        case .ambiguousID(let s): "ambiguous management ID: \(s)"
        case .actionNotAllowed(let id, let action): "\(id) does not allow \(action)"
        case .badValue(let s): "bad value: \(s)"
        }
    }
}

/// Where a management request came from, which decides what it may do.
///
/// linuxptp answers SET only on its (read-write) UDS port and refuses it elsewhere with
/// NOT_SUPPORTED (`clock_manage`); later linuxptp adds a read-only UDS port that only GETs. Meridian
/// does the same, and lets the configuration open network SETs and COMMANDs explicitly.
public enum ManagementPrivilege: Sendable, Hashable {
    /// The read-write Unix socket (`uds_address`, mode 0660): GET, SET, COMMAND.
    case localReadWrite
    /// The read-only Unix socket (`uds_ro_address`, mode 0666): GET only.
    case localReadOnly
    /// A PTP port on the network; SET and COMMAND only when the configuration allows them.
    case network(writesAllowed: Bool)

    /// Whether SET and COMMAND are accepted.
    public var mayWrite: Bool {
        switch self {
        case .localReadWrite: true
        case .localReadOnly: false
        case .network(let allowed): allowed
        }
    }

    /// Whether the request came over a Unix socket (subscriptions are only kept for those, as in ptp4l).
    public var isLocal: Bool {
        switch self {
        case .localReadWrite, .localReadOnly: true
        case .network: false
        }
    }
}

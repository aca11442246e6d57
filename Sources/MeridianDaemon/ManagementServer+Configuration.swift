import LinuxPlatform
import MeridianConfig

extension ManagementServer.Configuration {
    /// The server's settings from the configuration: `uds_address` (0660) and `uds_ro_address` (0666)
    /// as ptp4l names them, and Meridian's `management_network_writes`. An empty `uds_ro_address`
    /// turns the read-only socket off.
    public init(_ configuration: Configuration) {
        let readOnly = configuration.string("uds_ro_address")
        self.init(
            readWritePath: configuration.string("uds_address"), readOnlyPath: readOnly.isEmpty ? nil : readOnly,
            networkWritesAllowed: configuration.flag("management_network_writes"))
    }
}

extension ManagementServer.Configuration {
    /// As ``init(_:)``, with `uds_group` looked up in the group database; a group that does not exist
    /// stops start-up (exit 2) with its name.
    init(resolving configuration: Configuration) throws {
        self.init(configuration)
        let group = configuration.string("uds_group")
        if !group.isEmpty {
            guard let id = UnixGroup.id(group) else {
                throw StartupError("uds_group \(group): no such group", exit: .usage)
            }
            readWriteGroup = id
        }
        // `user`: the sockets are made as root, then belong to the user meridiand switches to (and its group,
        // when no uds_group is set: the daemon's own group, as without `user`).
        if let user = Privileges.userToSwitchTo(configuration) {
            socketOwner = user.uid
            if readWriteGroup == nil { readWriteGroup = user.gid }
        }
    }
}

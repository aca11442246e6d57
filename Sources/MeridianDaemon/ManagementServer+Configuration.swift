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
    }
}

import PTPCore
import PTPWire

/// Everything management reads, copied from the daemon's live data sets at one instant.
///
/// `PTPManagement` may not import `PTPEngine` (DESIGN.md), so the daemon fills this from its
/// InstanceEngine, ClockActor and PortActors; the dispatcher answers every GET from it. Each field
/// names the IEEE 1588-2019 data set (clause 8.2) or the linuxptp `_NP` structure it feeds.
public struct ManagementSnapshot: Sendable, Hashable {
    /// defaultDS (8.2.1): DEFAULT_DATA_SET, PRIORITY1, PRIORITY2, DOMAIN, SLAVE_ONLY, CLOCK_ACCURACY.
    public var defaultDS: DefaultDS
    /// currentDS (8.2.2): CURRENT_DATA_SET.
    public var currentDS: CurrentDS
    /// parentDS (8.2.3): PARENT_DATA_SET.
    public var parentDS: ParentDS
    /// timePropertiesDS (8.2.4): TIME_PROPERTIES_DATA_SET, TRACEABILITY_PROPERTIES, TIMESCALE_PROPERTIES.
    public var timePropertiesDS: TimePropertiesDS
    /// USER_DESCRIPTION (15.5.3.1.2); also the userDescription of every CLOCK_DESCRIPTION.
    public var userDescription: PTPText
    /// TIME_STATUS_NP (linuxptp `struct time_status_np`): master offset, ingress time, gmPresent…
    public var timeStatus: TimeStatusNP
    /// GRANDMASTER_SETTINGS_NP: the quality and time properties announced while grandmaster.
    public var grandmasterSettings: GrandmasterSettingsNP
    /// SYNCHRONIZATION_UNCERTAIN_NP.
    public var synchronizationUncertain: SynchronizationUncertainNP
    /// One entry per PTP port, in port-number order.
    public var ports: [PortSnapshot]
    /// Meridian's own status (MERIDIAN_STATUS_NP): reference, servo, holdover, virtual clock.
    public var status: MeridianStatus

    public init(
        defaultDS: DefaultDS, currentDS: CurrentDS, parentDS: ParentDS, timePropertiesDS: TimePropertiesDS,
        userDescription: PTPText = .empty, timeStatus: TimeStatusNP, grandmasterSettings: GrandmasterSettingsNP,
        synchronizationUncertain: SynchronizationUncertainNP = .dontCare, ports: [PortSnapshot],
        status: MeridianStatus = MeridianStatus()
    ) {
        self.defaultDS = defaultDS
        self.currentDS = currentDS
        self.parentDS = parentDS
        self.timePropertiesDS = timePropertiesDS
        self.userDescription = userDescription
        self.timeStatus = timeStatus
        self.grandmasterSettings = grandmasterSettings
        self.synchronizationUncertain = synchronizationUncertain
        self.ports = ports
        self.status = status
    }

    /// The clock's identity (defaultDS.clockIdentity).
    public var clockIdentity: ClockIdentity { defaultDS.clockIdentity }

    /// The port with `number`, or nil.
    public func port(_ number: UInt16) -> PortSnapshot? {
        ports.first { $0.portDS.portIdentity.portNumber == number }
    }
}

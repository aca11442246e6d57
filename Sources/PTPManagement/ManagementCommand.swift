import PTPCore
import PTPWire

/// A change a SET or COMMAND asks for, decided by ``ManagementDispatcher`` and carried out by the
/// daemon (IEEE 1588-2019 15.5.3; linuxptp `clock_management_set`, `port_manage`). The daemon
/// applies it at once: a new priority or domain re-runs the BMCA (9.3), as ptp4l's state decision
/// event does after a management change.
public enum ManagementCommand: Sendable, Hashable {
    /// SET PRIORITY1 (15.5.3.3.3).
    case setPriority1(UInt8)
    /// SET PRIORITY2 (15.5.3.3.4).
    case setPriority2(UInt8)
    /// SET DOMAIN (15.5.3.3.5).
    case setDomain(UInt8)
    /// SET USER_DESCRIPTION (15.5.3.1.2).
    case setUserDescription(PTPText)
    /// SET GRANDMASTER_SETTINGS_NP: the quality and time properties to announce as grandmaster.
    case setGrandmasterSettings(GrandmasterSettingsNP)
    /// SET SYNCHRONIZATION_UNCERTAIN_NP.
    case setSynchronizationUncertain(SynchronizationUncertainNP)
    /// COMMAND ENABLE_PORT (15.5.3.3.9) for port `number`.
    case enablePort(UInt16)
    /// COMMAND DISABLE_PORT (15.5.3.3.10) for port `number`.
    case disablePort(UInt16)
    /// SET PORT_DATA_SET_NP for port `port`: its neighborPropDelayThresh in ns (linuxptp 3.1
    /// `port_management_set` takes that field and leaves asCapable to the port).
    case setNeighborPropDelayThresh(port: UInt16, nanoseconds: UInt32)
    /// SET SUBSCRIBE_EVENTS_NP: remember the requester as a subscriber (the server keeps the list,
    /// keyed by the requester's Unix socket address, like ptp4l's `clock_update_subscription`).
    case subscribe(SubscribeEventsNP)
}

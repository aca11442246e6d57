import PTPManagement
import PTPWire

/// What the management server needs from the daemon: a consistent copy of the data sets, and a way
/// to carry out a SET or COMMAND.
///
/// The daemon implements it over its InstanceActor, ClockActor and PortActors: ``snapshot()``
/// gathers defaultDS, currentDS, parentDS, timePropertiesDS, each port's portDS, counters and
/// properties, the time status and Meridian's status into a ``ManagementSnapshot``;
/// ``apply(_:)`` carries out one ``ManagementCommand`` at once (a new priority1 re-runs the BMCA,
/// ENABLE_PORT/DISABLE_PORT send `.port(n, .setEnabled(_))`), returning only when the change is in
/// the data sets, so that the reply built from the next snapshot shows it (as ptp4l answers a SET
/// with the value it now has).
public protocol ManagementBackend: Sendable {
    /// The data sets as they are now.
    func snapshot() async -> ManagementSnapshot
    /// Carries out `command`; a failure is answered with a MANAGEMENT_ERROR_STATUS carrying the ID
    /// (WRONG_VALUE for a value the daemon refuses, NOT_SUPPORTED for what it cannot do).
    /// ``ManagementCommand/subscribe(_:)`` never reaches the backend: the server keeps subscriptions.
    func apply(_ command: ManagementCommand) async -> Result<Void, ManagementErrorID>
}

import PTPCore
import PTPWire

/// What ``ManagementDispatcher`` decided about one request.
public enum ManagementDecision: Sendable, Hashable {
    /// No reply; the server counts the reason.
    case drop(ManagementDropReason)
    /// Send these replies to the requester (responses, acknowledgements or error statuses).
    case reply([PTPMessage])
    /// Carry out these commands (all of them, in order), then build the replies with
    /// ``ManagementDispatcher/complete(_:result:snapshot:)``.
    case apply([ManagementCommand], PendingManagementReply)
}

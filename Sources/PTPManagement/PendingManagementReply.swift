import PTPCore
import PTPWire

/// A SET or COMMAND whose reply waits for the daemon to apply its commands: a SET is answered with
/// the value as it is after the change (ptp4l answers a SET with a GET of the same ID).
public struct PendingManagementReply: Sendable, Hashable {
    public var request: ManagementRequest
    /// The port identities that answer (the ingress identity for clock-wide IDs; each addressed port
    /// for port IDs).
    public var responders: [PortIdentity]
    /// For SUBSCRIBE_EVENTS_NP: the subscription as requested, echoed back.
    public var subscription: SubscribeEventsNP?

    public init(request: ManagementRequest, responders: [PortIdentity], subscription: SubscribeEventsNP? = nil) {
        self.request = request
        self.responders = responders
        self.subscription = subscription
    }
}

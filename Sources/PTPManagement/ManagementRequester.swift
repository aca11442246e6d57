import PTPWire

/// Who sent a request, as the server knows it: its privilege, the port it came in on, and its
/// current event subscription (GET SUBSCRIBE_EVENTS_NP answers the requester's own, like ptp4l).
public struct ManagementRequester: Sendable, Hashable {
    public var privilege: ManagementPrivilege
    /// The port number the request arrived on: 0 for the Unix sockets (ptp4l's UDS port is port 0),
    /// the PTP port's number for the network. Clock-wide answers come from this identity.
    public var ingressPort: UInt16
    /// The requester's subscription, if it has one.
    public var subscription: SubscribeEventsNP?

    public init(privilege: ManagementPrivilege, ingressPort: UInt16 = 0, subscription: SubscribeEventsNP? = nil) {
        self.privilege = privilege
        self.ingressPort = ingressPort
        self.subscription = subscription
    }
}

/// What a transport's receive thread hands to its port.
public enum TransportEvent: Sendable, Hashable {
    case message(ReceivedMessage)
    /// The interface went down (the port goes FAULTY) or came back (it may recover).
    case link(LinkEvent)
}

/// Which of a port's two message classes (IEEE 1588-2019 7.3.2): event messages are timestamped,
/// general messages are not.
public enum TransportChannel: Sendable, Hashable {
    case event
    case general
}

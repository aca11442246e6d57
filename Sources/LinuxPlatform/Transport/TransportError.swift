import PTPCore
import SystemPackage

/// Why a transport could not be opened or could not move a message.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A syscall failed: which operation, on which interface, and the `errno`.
    case system(operation: String, interface: String, errno: Errno)
    /// The interface does not exist (in this network namespace).
    case noSuchInterface(String)
    /// The interface has no address of the family the transport needs.
    case noAddress(interface: String, family: String)
    /// The interface cannot do the timestamping asked for; `supported` is what it can do, as `ethtool -T` prints it.
    case timestampingUnsupported(interface: String, requested: TimestampingMode, supported: String)
    /// One-step transmission (`time_stamping onestep`/`p2p1step`, or `twoStepFlag 0`) was asked and the
    /// interface cannot do it: ptp4l fails the same way; the message says what to change.
    case oneStepUnsupported(interface: String, mode: TransmitStampMode, reason: String)
    /// The interface is down (`ENETDOWN`/`ENXIO` on send); the port goes FAULTY until it comes back.
    case linkDown(interface: String)
    /// The message is larger than one frame can carry.
    case messageTooLarge(size: Int, limit: Int)
    /// A unicast destination of the wrong protocol or length for this transport.
    case badDestination(String)
    /// A network protocol this daemon has no transport for (DeviceNet, ControlNet, PROFINET).
    case unsupportedProtocol(NetworkProtocol)
    /// The transport was closed.
    case closed

    public var description: String {
        switch self {
        case .system(let operation, let interface, let errno):
            "\(interface): \(operation) failed: \(errno) (errno \(errno.rawValue))"
        case .noSuchInterface(let name):
            "\(name): no such network interface"
        case .noAddress(let interface, let family):
            "\(interface): the interface has no \(family) address"
        case .timestampingUnsupported(let interface, let requested, let supported):
            "\(interface): \(requested) timestamping is not supported; the interface supports: \(supported)"
        case .oneStepUnsupported(let interface, let mode, let reason):
            "\(interface): time_stamping \(mode) (one-step, \(mode.constantName)) is not supported: \(reason); "
                + "use time_stamping hardware and twoStepFlag 1 (two-step)"
        case .linkDown(let interface):
            "\(interface): link is down"
        case .messageTooLarge(let size, let limit):
            "message of \(size) bytes exceeds the limit of \(limit)"
        case .badDestination(let reason):
            "bad destination: \(reason)"
        case .unsupportedProtocol(let networkProtocol):
            "no transport for \(networkProtocol); use UDPv4, UDPv6 or IEEE 802.3"
        case .closed:
            "transport is closed"
        }
    }
}

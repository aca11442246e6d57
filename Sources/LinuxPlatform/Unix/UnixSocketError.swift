import SystemPackage

/// Why a Unix datagram socket operation failed.
public enum UnixSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path does not fit `sun_path` (107 bytes).
    case pathTooLong(String)
    /// Something other than a socket already exists at the path; it is left alone.
    case pathInUse(String)
    /// A live server (a running ptp4l or meridiand) answers at the path: it is not taken over.
    case liveServer(String)
    /// The peer has no address (it never bound one), so it cannot be replied to.
    case unnamedPeer
    /// A system call failed.
    case system(operation: String, path: String, errno: Errno)
    /// The socket was closed.
    case closed

    public var description: String {
        switch self {
        case .pathTooLong(let path): "unix socket path too long: \(path)"
        case .pathInUse(let path): "\(path) exists and is not a socket"
        case .liveServer(let path):
            "\(path) is in use by a running server (another ptp4l or meridiand?); stop it or choose another uds_address"
        case .unnamedPeer: "peer has no address"
        case .system(let operation, let path, let errno): "\(operation) \(path): \(errno)"
        case .closed: "unix socket is closed"
        }
    }

    /// The peer's receive queue is full (EAGAIN from a non-blocking `sendto`): worth retrying soon.
    public var isPeerQueueFull: Bool {
        if case .system(_, _, let errno) = self { return errno == .resourceTemporarilyUnavailable }
        return false
    }
}

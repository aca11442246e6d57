import CLinuxShims
import Glibc
import Synchronization
import SystemPackage

/// An unbound, non-blocking Unix datagram socket that sends to one path (a receiver that binds it and may come
/// and go: ptp4l's `slave_event_monitor`, say). Sends never block; a missing or full receiver is an error the
/// caller counts.
public final class UnixDatagramSender: Sendable {
    public let path: String
    private let descriptor: FileDescriptor
    private let closed = Atomic<Bool>(false)

    /// The corresponding C function is `socket`.
    public init(path: String) throws(UnixSocketError) {
        guard !path.isEmpty, UnixSocketAddress(path: path).pathBytes.count <= UnixSocketAddress.maxPathLength else {
            throw .pathTooLong(path)
        }
        let fd: CInt
        do {
            fd = try retryingSyscall {
                socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue) | CInt(SOCK_NONBLOCK.rawValue), 0)
            }
        } catch {
            throw .system(operation: "socket", path: path, errno: error)
        }
        self.path = path
        descriptor = FileDescriptor(rawValue: fd)
    }

    deinit { close() }

    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? descriptor.close()
        }
    }

    /// Sends one datagram to ``path``.
    ///
    /// The corresponding C function is `sendto`.
    public func send(_ bytes: [UInt8]) throws(Errno) {
        let address = UnixSocketAddress(path: path)
        let sent = bytes.withUnsafeBytes { buffer in
            address.withSockaddr { pointer, length in
                Glibc.sendto(descriptor.rawValue, buffer.baseAddress, buffer.count, CInt(MSG_NOSIGNAL), pointer, length)
            } ?? -1
        }
        if sent < 0 { throw Errno(rawValue: errno) }
    }
}

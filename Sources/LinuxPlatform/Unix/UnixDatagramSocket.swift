import CLinuxShims
import Glibc
import Synchronization
import SystemPackage

/// One datagram received on a Unix socket, with the sender's address for the reply.
public struct UnixDatagram: Sendable, Hashable {
    public var bytes: [UInt8]
    public var sender: UnixSocketAddress
}

/// A Unix datagram socket bound to a path, as linuxptp's `uds.c` uses one for ptp4l's management
/// port and pmc's client end: bound at a path with a file mode (ptp4l: 0660 for `uds_address`, 0666
/// for the read-only one), each datagram received with its sender's address, replies sent back to it.
///
/// Thread-safe: one thread receives (``receive(timeoutMilliseconds:)`` blocks in `poll`, so run it on a
/// ``PlatformThread``, never on the cooperative pool) while others send. ``close()`` closes the descriptor
/// and removes the path it bound.
public final class UnixDatagramSocket: Sendable {
    /// The largest datagram read; management messages are far smaller (ptp4l uses 1500).
    public static let maxDatagram = 8192

    public let path: String
    private let descriptor: FileDescriptor
    private let closed = Atomic<Bool>(false)
    /// Held while the descriptor is closed or shut down for reading.
    private let closing = Mutex(())
    /// The device and inode of the socket file we bound, so ``close()`` removes only our own file and
    /// never a newer socket another server bound at the same path since.
    private let boundFile = Atomic<UInt64>(0)
    private let boundDevice = Atomic<UInt64>(0)

    private init(descriptor: FileDescriptor, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close()
    }

    /// Binds a new socket at `path` with file `mode`, and owner `owner` and group `group` when given. A stale socket left at
    /// the path (a crashed daemon's) is removed first, as ptp4l does; but a socket some server still
    /// listens on (a connect to it succeeds) is never taken over (``UnixSocketError/liveServer(_:)``, issue
    /// #17: ptp4l itself would unlink a running ptp4l's `/var/run/ptp4l`); anything that is not a socket is
    /// left alone and reported as ``UnixSocketError/pathInUse(_:)``.
    ///
    /// The corresponding C functions are `socket`, `lstat`, `connect`, `unlink`, `bind`, `lchown` and `chmod`.
    public static func bind(path: String, mode: UInt32 = 0o660, group: gid_t? = nil, owner: uid_t? = nil)
        throws(UnixSocketError)
        -> UnixDatagramSocket
    {
        let address = UnixSocketAddress(path: path)
        guard !path.isEmpty, address.pathBytes.count <= UnixSocketAddress.maxPathLength else {
            throw .pathTooLong(path)
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else { throw .pathInUse(path) }
            if isLive(address) { throw .liveServer(path) }
            _ = unlink(path)
        }
        let fd: CInt
        do {
            fd = try retryingSyscall { socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0) }
        } catch {
            throw .system(operation: "socket", path: path, errno: error)
        }
        let created = UnixDatagramSocket(descriptor: FileDescriptor(rawValue: fd), path: path)
        let bound = address.withSockaddr { pointer, length in Glibc.bind(fd, pointer, length) } ?? -1
        if bound != 0 {
            let error = Errno(rawValue: errno)
            created.closed.store(true, ordering: .releasing)
            try? created.descriptor.close()
            throw .system(operation: "bind", path: path, errno: error)
        }
        var file = stat()
        if lstat(path, &file) == 0 {
            created.boundFile.store(UInt64(file.st_ino), ordering: .releasing)
            created.boundDevice.store(UInt64(file.st_dev), ordering: .releasing)
        }
        if group != nil || owner != nil, lchown(path, owner ?? uid_t.max, group ?? gid_t.max) != 0 {
            let error = Errno(rawValue: errno)
            created.close()
            throw .system(
                operation: "chown (owner \(owner.map(String.init) ?? "-"), group \(group.map(String.init) ?? "-"))", path: path,
                errno: error)
        }
        if chmod(path, mode_t(mode)) != 0 {
            let error = Errno(rawValue: errno)
            created.close()
            throw .system(operation: "chmod", path: path, errno: error)
        }
        return created
    }

    /// Whether a server is bound at `address`: a datagram `connect` to it succeeds (or finds a socket of
    /// another type there). A stale socket file, whose server is gone, refuses (ECONNREFUSED).
    ///
    /// The corresponding C functions are `socket`, `connect` and `close`.
    static func isLive(_ address: UnixSocketAddress) -> Bool {
        let probe = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { Glibc.close(probe) }
        var result: CInt = -1
        var error: CInt = 0
        repeat {
            result = address.withSockaddr { pointer, length in connect(probe, pointer, length) } ?? -1
            error = errno
        } while result != 0 && error == EINTR
        return result == 0 || error == EPROTOTYPE
    }

    /// Closes the socket once and removes its path if the file there is still the one it bound;
    /// later calls do nothing.
    ///
    /// The corresponding C functions are `close`, `lstat` and `unlink`.
    public func close() {
        // Under `closing`, so that ``wakeReceiver()`` never shuts down a descriptor number already reused.
        let first = closing.withLock { _ in
            guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
            try? descriptor.close()
            return true
        }
        if first {
            var info = stat()
            if lstat(path, &info) == 0, UInt64(info.st_ino) == boundFile.load(ordering: .acquiring),
                UInt64(info.st_dev) == boundDevice.load(ordering: .acquiring)
            {
                _ = unlink(path)
            }
        }
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Makes a thread waiting in ``receive(timeoutMilliseconds:)`` return now (its poll sees the socket shut
    /// for reading), so a receive thread can wait long and still stop at once. Receives after it find nothing.
    ///
    /// The corresponding C function is `shutdown` with `SHUT_RD`.
    public func wakeReceiver() {
        closing.withLock { _ in
            guard !isClosed else { return }
            _ = shutdown(descriptor.rawValue, CInt(SHUT_RD))
        }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for a datagram; nil on timeout. A pending socket
    /// error (POLLERR) is read and cleared so the next poll does not spin.
    ///
    /// The corresponding C functions are `poll`, `getsockopt(SO_ERROR)` and `recvfrom`.
    public func receive(timeoutMilliseconds: Int32) throws(UnixSocketError) -> UnixDatagram? {
        guard !isClosed else { throw .closed }
        var pfd = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        let ready: CInt
        do {
            ready = try retryingSyscall { poll(&pfd, 1, timeoutMilliseconds) }
        } catch {
            throw .system(operation: "poll", path: path, errno: error)
        }
        if isClosed { throw .closed }
        guard ready > 0 else { return nil }
        if pfd.revents & Int16(POLLERR) != 0 {
            clearPendingError()
            if pfd.revents & Int16(POLLIN) == 0 { return nil }
        }
        var buffer = [UInt8](repeating: 0, count: Self.maxDatagram)
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    recvfrom(descriptor.rawValue, raw.baseAddress, raw.count, CInt(MSG_DONTWAIT), sa, &length)
                }
            }
        }
        if count < 0 {
            let error = Errno(rawValue: errno)
            if error == .wouldBlock || error == .interrupted { return nil }
            throw .system(operation: "recvfrom", path: path, errno: error)
        }
        buffer.removeSubrange(count...)
        return UnixDatagram(bytes: buffer, sender: UnixSocketAddress(address, length: length))
    }

    /// Sends `bytes` to `peer` without blocking (a full receiver queue is an error, not a stall).
    ///
    /// The corresponding C function is `sendto`.
    public func send(_ bytes: [UInt8], to peer: UnixSocketAddress) throws(UnixSocketError) {
        guard !isClosed else { throw .closed }
        guard !peer.isUnnamed else { throw .unnamedPeer }
        let sent = bytes.withUnsafeBytes { raw in
            peer.withSockaddr { pointer, length in
                sendto(descriptor.rawValue, raw.baseAddress, raw.count, CInt(MSG_DONTWAIT), pointer, length)
            }
        }
        guard let sent else { throw .pathTooLong(peer.description) }
        if sent < 0 {
            throw .system(operation: "sendto", path: peer.description, errno: Errno(rawValue: errno))
        }
    }

    /// Reads and discards SO_ERROR.
    ///
    /// The corresponding C function is `getsockopt`.
    private func clearPendingError() {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        _ = getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &value, &length)
    }
}

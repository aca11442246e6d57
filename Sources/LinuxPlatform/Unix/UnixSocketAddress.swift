import CLinuxShims
import Glibc

/// The address of a Unix datagram socket peer: the bytes of `sun_path` as the kernel reported them.
/// Empty for an unnamed (never bound) peer, which cannot be replied to; a leading zero byte marks an
/// abstract address (unix(7)).
public struct UnixSocketAddress: Sendable, Hashable, CustomStringConvertible {
    public var pathBytes: [UInt8]

    public init(pathBytes: [UInt8]) {
        self.pathBytes = pathBytes
    }

    /// A filesystem path.
    public init(path: String) {
        self.pathBytes = Array(path.utf8)
    }

    /// True when the peer has no address to reply to.
    public var isUnnamed: Bool { pathBytes.isEmpty }

    public var description: String {
        if pathBytes.first == 0 { return "@" + String(decoding: pathBytes.dropFirst(), as: UTF8.self) }
        return String(decoding: pathBytes, as: UTF8.self)
    }

    /// The longest path `sun_path` holds with its terminating zero.
    static let maxPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Calls `body` with a `sockaddr_un` for this address and its length, or returns nil when it does
    /// not fit.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R? {
        guard pathBytes.count <= Self.maxPathLength else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// The address in a `sockaddr_un` of `length` bytes filled by the kernel.
    init(_ address: sockaddr_un, length: socklen_t) {
        let count = max(0, Int(length) - MemoryLayout<sa_family_t>.size)
        var bytes = withUnsafeBytes(of: address.sun_path) { Array($0.prefix(min(count, $0.count))) }
        // A filesystem path is reported with its terminating zero (or more); an abstract one starts with 0.
        if bytes.first != 0, let end = bytes.firstIndex(of: 0) { bytes.removeSubrange(end...) }
        self.pathBytes = bytes
    }
}

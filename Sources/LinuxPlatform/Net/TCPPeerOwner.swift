import Glibc

/// Who runs the server at the other end of a TCP connection on this host (issue #17: gpsd's port 2947 is an
/// unprivileged port, and when gpsd is down any local user can bind it).
///
/// TCP has no `SO_PEERCRED`, but the kernel lists every socket of the network namespace in
/// `/proc/self/net/tcp` and `tcp6` with the uid that owns it: a listening socket belongs to whoever made it, an
/// accepted one to whoever accepted it (`sock_graft`). The server's end of our connection is the entry whose
/// local address is our peer and whose remote address is us; before the server accepts, the listening socket
/// on the peer's address stands in for it.
public enum TCPPeerOwner {
    public enum Answer: Sendable, Hashable {
        /// The server's socket is on this host and belongs to `uid`.
        case local(uid: uid_t)
        /// The peer is not a loopback address: its owner cannot be known from here.
        case remote
        /// A loopback peer whose socket is not in the tables (the connection already ended), or `reason`.
        case unknown(reason: String)
    }

    /// The owner of the server end of connected TCP socket `fd`.
    ///
    /// The corresponding C functions are `getsockname`, `getpeername`, `open` and `read`.
    public static func owner(ofPeerOf fd: CInt) -> Answer {
        guard let local = endpoint(fd, peer: false), let peer = endpoint(fd, peer: true) else {
            return .unknown(reason: "getsockname/getpeername: \(String(cString: strerror(errno)))")
        }
        guard peer.isLoopback else { return .remote }
        let table = peer.isIPv6 ? "/proc/self/net/tcp6" : "/proc/self/net/tcp"
        guard let text = readText(table) else { return .unknown(reason: "cannot read \(table)") }
        return owner(in: text, local: local, peer: peer)
    }

    /// One endpoint as `/proc/net/tcp` prints it: the address as the native 32-bit words of its bytes in
    /// `%08X`, the port in `%04X`.
    public struct Endpoint: Sendable, Hashable {
        public var address: String
        public var port: String
        public var isLoopback: Bool
        public var isIPv6: Bool

        public init(address: String, port: String, isLoopback: Bool, isIPv6: Bool) {
            self.address = address
            self.port = port
            self.isLoopback = isLoopback
            self.isIPv6 = isIPv6
        }

        /// The same text for an address given as its bytes in network order.
        public init(bytes: [UInt8], port: UInt16) {
            var words: [String] = []
            var index = 0
            while index + 4 <= bytes.count {
                let word = Self.native(bytes[index..<index + 4])
                words.append(hex(word, width: 8))
                index += 4
            }
            address = words.joined()
            self.port = hex(UInt32(port), width: 4)
            isIPv6 = bytes.count == 16
            let v4Mapped = bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            if bytes.count == 4 {
                isLoopback = bytes[0] == 127
            } else if v4Mapped {
                isLoopback = bytes[12] == 127
            } else {
                isLoopback = bytes.count == 16 && bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        }

        /// The bytes as the CPU reads them as one UInt32 (what the kernel's `%08X` of a `__be32` prints).
        private static func native(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var value: UInt32 = 0
            withUnsafeMutableBytes(of: &value) { raw in
                for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
            }
            return value
        }
    }

    /// The owner in table `text` of the socket at `peer` connected to `local`, else of the socket listening
    /// on `peer` (state 0A), else `.unknown`.
    public static func owner(in text: String, local: Endpoint, peer: Endpoint) -> Answer {
        var listening: uid_t?
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 7 else { continue }
            let own = fields[1].split(separator: ":")
            let remote = fields[2].split(separator: ":")
            guard own.count == 2, remote.count == 2, let uid = uid_t(fields[7]) else { continue }
            let ownAddress = String(own[0]).uppercased()
            let ownPort = String(own[1]).uppercased()
            guard ownPort == peer.port else { continue }
            if ownAddress == peer.address, String(remote[0]).uppercased() == local.address,
                String(remote[1]).uppercased() == local.port
            {
                return .local(uid: uid)
            }
            if fields[3] == "0A", ownAddress == peer.address || ownAddress.allSatisfy({ $0 == "0" }) {
                listening = listening ?? uid
            }
        }
        if let listening { return .local(uid: listening) }
        return .unknown(reason: "no socket of \(peer.address):\(peer.port) in the kernel's table")
    }

    private static func endpoint(_ fd: CInt, peer: Bool) -> Endpoint? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard result == 0 else { return nil }
        switch CInt(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: address.sin_addr) { Array($0) }
                return Endpoint(bytes: bytes, port: UInt16(bigEndian: address.sin_port))
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
                return Endpoint(bytes: bytes, port: UInt16(bigEndian: address.sin6_port))
            }
        default:
            return nil
        }
    }

    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < 64 << 20 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

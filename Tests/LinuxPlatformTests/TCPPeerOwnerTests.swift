import CLinuxShims
import Glibc
import LinuxPlatform
import Testing

/// The owner of the server end of a TCP connection, from the kernel's socket table (what the gpsd client
/// checks, issue #17), over IPv4 and IPv6 loopback, before and after the server accepts.
struct TCPPeerOwnerTests {
    /// A listening socket on loopback made with filesystem uid `uid` (the kernel's owner of a socket), its port.
    static func listener(ipv6: Bool, uid: uid_t) -> (fd: CInt, port: UInt16)? {
        let previous = CLinuxShims_set_thread_fsuid(uid)
        defer { _ = CLinuxShims_set_thread_fsuid(UInt32(bitPattern: previous)) }
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            return nil
        }
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = withUnsafeBytes(of: &storage) { raw in
            ipv6
                ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
                : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
        return (fd, port)
    }

    static func connect(ipv6: Bool, port: UInt16) -> CInt {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        var storage = sockaddr_storage()
        let length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            address.sin6_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        }
        _ = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        return fd
    }

    @Test(arguments: [false, true])
    func theServersOwnerIsFoundBeforeAndAfterAccept(ipv6: Bool) throws {
        let server = try #require(Self.listener(ipv6: ipv6, uid: 65534))
        defer { close(server.fd) }
        let client = Self.connect(ipv6: ipv6, port: server.port)
        defer { close(client) }
        // Not accepted yet: the listening socket (nobody's) answers for it.
        #expect(TCPPeerOwner.owner(ofPeerOf: client) == .local(uid: 65534))
        // Accepted by a thread whose fsuid is 1: the accepted socket is that user's.
        let previous = CLinuxShims_set_thread_fsuid(1)
        let accepted = accept(server.fd, nil, nil)
        _ = CLinuxShims_set_thread_fsuid(UInt32(bitPattern: previous))
        defer { close(accepted) }
        #expect(TCPPeerOwner.owner(ofPeerOf: client) == .local(uid: 1))
    }

    @Test func theTableIsReadAsTheKernelPrintsIt() {
        // 127.0.0.1:2947 as /proc/net/tcp prints it on a little-endian machine: 0100007F:0B83.
        let peer = TCPPeerOwner.Endpoint(bytes: [127, 0, 0, 1], port: 2947)
        let local = TCPPeerOwner.Endpoint(bytes: [127, 0, 0, 1], port: 40000)
        #expect(peer.address == "0100007F" && peer.port == "0B83" && peer.isLoopback && !peer.isIPv6)
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:0B83 00000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 1 1 0 100 0 0 10 0
               1: 0100007F:0B83 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 100 0 0 10 0
            """
        #expect(TCPPeerOwner.owner(in: table, local: local, peer: peer) == .local(uid: 1000))
        let other = TCPPeerOwner.Endpoint(bytes: [127, 0, 0, 1], port: 40001)
        #expect(TCPPeerOwner.owner(in: table, local: other, peer: peer) == .local(uid: 102))
        #expect(TCPPeerOwner.Endpoint(bytes: [10, 1, 2, 3], port: 2947).isLoopback == false)
        #expect(TCPPeerOwner.Endpoint(bytes: [UInt8](repeating: 0, count: 15) + [1], port: 2947).isLoopback)
    }
}

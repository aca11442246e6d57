import CLinuxShims
import Glibc
import SystemPackage

/// What the transports need to know about one network interface, read in the calling thread's namespace.
public struct NetworkInterface: Sendable, Hashable {
    public var name: String
    public var index: Int32
    /// The MAC address (6 bytes), or zeros for interfaces without one.
    public var macAddress: [UInt8]
    /// IPv4 addresses, 4 bytes each, in network order.
    public var ipv4Addresses: [[UInt8]]
    /// IPv6 addresses, 16 bytes each.
    public var ipv6Addresses: [[UInt8]]

    /// Looks the interface up.
    ///
    /// The corresponding C functions are `if_nametoindex`, `ioctl(SIOCGIFHWADDR)` and `getifaddrs`.
    public static func lookup(_ name: String) throws(TransportError) -> NetworkInterface {
        let index = if_nametoindex(name)
        guard index != 0 else { throw .noSuchInterface(name) }
        var mac = [UInt8](repeating: 0, count: 6)
        try withControlSocket(interface: name) { fd throws(TransportError) in
            let result = mac.withUnsafeMutableBufferPointer { CLinuxShims_interface_mac(fd, name, $0.baseAddress) }
            if result < 0 {
                throw .system(operation: "ioctl(SIOCGIFHWADDR)", interface: name, errno: Errno(rawValue: errno))
            }
        }
        var v4: [[UInt8]] = []
        var v6: [[UInt8]] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else {
            throw .system(operation: "getifaddrs", interface: name, errno: Errno(rawValue: errno))
        }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, String(cString: entry.pointee.ifa_name) == name else { continue }
            switch CInt(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin_addr) { v4.append(Array($0)) }
                }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    withUnsafeBytes(of: sin6.pointee.sin6_addr) { v6.append(Array($0)) }
                }
            default:
                break
            }
        }
        return NetworkInterface(name: name, index: Int32(index), macAddress: mac, ipv4Addresses: v4, ipv6Addresses: v6)
    }

    /// Whether the interface is administratively up and its link is running (`IFF_UP` and `IFF_RUNNING`).
    ///
    /// The corresponding C function is `ioctl(SIOCGIFFLAGS)`.
    public static func isLinkUp(_ name: String) throws(TransportError) -> Bool {
        var flags: CUnsignedInt = 0
        try withControlSocket(interface: name) { fd throws(TransportError) in
            if CLinuxShims_interface_flags(fd, name, &flags) < 0 {
                let error = Errno(rawValue: errno)
                if error == .operationNotSupportedByDevice { throw .noSuchInterface(name) }
                throw .system(operation: "ioctl(SIOCGIFFLAGS)", interface: name, errno: error)
            }
        }
        return flags & CLinuxShims_IFF_UP != 0 && flags & CLinuxShims_IFF_RUNNING != 0
    }

    /// Runs `body` with a throwaway datagram socket for interface ioctls.
    static func withControlSocket<T>(
        interface: String, _ body: (CInt) throws(TransportError) -> T
    ) throws(TransportError) -> T {
        let fd = socket(AF_INET, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw .system(operation: "socket", interface: interface, errno: Errno(rawValue: errno))
        }
        defer { Glibc.close(fd) }
        return try body(fd)
    }
}

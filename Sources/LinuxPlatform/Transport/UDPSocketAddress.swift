import Glibc

/// A UDP socket address of one family, `sockaddr_in` or `sockaddr_in6`: what the UDP transports share
/// in binding, addressing a send and reading a sender.
protocol UDPSocketAddress: SendableMetatype {
    /// `AF_INET` or `AF_INET6`.
    static var family: CInt { get }
    /// The wildcard address with `port` (host order); a send fills in the host address.
    init(anyAddressPort port: UInt16)
    /// The host address in network order: 4 bytes or 16.
    var hostAddress: [UInt8] { get }
}

extension sockaddr_in: UDPSocketAddress {
    static var family: CInt { AF_INET }

    init(anyAddressPort port: UInt16) {
        self.init()
        sin_family = sa_family_t(AF_INET)
        sin_port = port.bigEndian
    }

    var hostAddress: [UInt8] { withUnsafeBytes(of: sin_addr) { Array($0) } }
}

extension sockaddr_in6: UDPSocketAddress {
    static var family: CInt { AF_INET6 }

    init(anyAddressPort port: UInt16) {
        self.init()
        sin6_family = sa_family_t(AF_INET6)
        sin6_port = port.bigEndian
    }

    var hostAddress: [UInt8] { withUnsafeBytes(of: sin6_addr) { Array($0) } }
}

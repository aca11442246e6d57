import Glibc
import LinuxPlatform
import PTPCore

/// How meridianctl moves management messages: a Unix socket to the daemon, or a PTP transport on
/// the network (pmc's -2/-4/-6).
protocol ManagementChannel {
    func send(_ bytes: [UInt8]) throws
    /// The next datagram within the timeout, or nil.
    func receive(timeoutMilliseconds: Int32) throws -> [UInt8]?
    func close()
}

/// The Unix socket: bound at a local path so the server can reply, as pmc binds /var/run/pmc.$pid.
struct UnixManagementChannel: ManagementChannel {
    let socket: UnixDatagramSocket
    let server: UnixSocketAddress

    init(options: CtlOptions) throws {
        server = UnixSocketAddress(path: options.serverPath)
        if let path = options.localPath {
            socket = try UnixDatagramSocket.bind(path: path, mode: 0o600)
        } else {
            // Fall back to /tmp when /var/run is not ours to write.
            do {
                socket = try UnixDatagramSocket.bind(path: "/var/run/meridianctl.\(getpid())", mode: 0o600)
            } catch {
                socket = try UnixDatagramSocket.bind(path: "/tmp/meridianctl.\(getpid())", mode: 0o600)
            }
        }
    }

    func send(_ bytes: [UInt8]) throws { try socket.send(bytes, to: server) }

    func receive(timeoutMilliseconds: Int32) throws -> [UInt8]? {
        try socket.receive(timeoutMilliseconds: timeoutMilliseconds)?.bytes
    }

    func close() { socket.close() }
}

/// A PTP port on interface `-i` (default eth0, as pmc): requests go to the primary multicast address
/// on the general channel (UDP 320 or ethertype 0x88F7), as pmc sends them, and every management
/// message that comes back is read.
struct NetworkManagementChannel: ManagementChannel {
    let transport: any PTPTransport

    init(options: CtlOptions) throws {
        let networkProtocol: NetworkProtocol
        switch options.transport {
        case .udpIPv6: networkProtocol = .udpIPv6
        case .ieee802_3: networkProtocol = .ieee802_3
        default: networkProtocol = .udpIPv4
        }
        transport = try TransportFactory.open(
            networkProtocol, configuration: TransportConfiguration(interfaceName: options.localPath ?? "eth0"))
    }

    func send(_ bytes: [UInt8]) throws {
        _ = try transport.send(bytes, channel: .general, to: .primaryMulticast)
    }

    func receive(timeoutMilliseconds: Int32) throws -> [UInt8]? {
        guard let message = try transport.receive(timeout: .milliseconds(Int64(timeoutMilliseconds))) else { return nil }
        return message.channel == .general ? message.bytes : []
    }

    func close() { transport.close() }
}

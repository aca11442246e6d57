import Glibc
import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire

/// The Unix socket end of meridianctl, as pmc's (`pmc_common.c` over `uds.c`): bound at a local path
/// so the server can reply, sourcePortIdentity (zero clock, our pid), running sequenceId.
final class ManagementClient {
    let socket: UnixDatagramSocket
    let server: UnixSocketAddress
    let options: CtlOptions
    let sourcePort = UInt16(truncatingIfNeeded: getpid())
    var sequenceId: UInt16 = 0
    var target: PortIdentity = .all

    init(options: CtlOptions) throws(UnixSocketError) {
        self.options = options
        self.server = UnixSocketAddress(path: options.serverPath)
        if let path = options.localPath {
            socket = try UnixDatagramSocket.bind(path: path, mode: 0o600)
        } else {
            // pmc binds /var/run/pmc.$pid; fall back to /tmp when /var/run is not ours to write.
            do {
                socket = try UnixDatagramSocket.bind(path: "/var/run/meridianctl.\(getpid())", mode: 0o600)
            } catch {
                socket = try UnixDatagramSocket.bind(path: "/tmp/meridianctl.\(getpid())", mode: 0o600)
            }
        }
    }

    deinit {
        socket.close()
    }

    /// Sends one request and returns every management message received until the replies stop: the
    /// first within the timeout, the rest while they keep coming (one per port for port IDs), like
    /// pmc's 100 ms wait for stragglers. `matching` are the replies to this request.
    func exchange(action: ManagementAction, id: ManagementID, data: ManagementData?) throws(UnixSocketError)
        -> (all: [PTPMessage], matching: [PTPMessage])
    {
        let sequence = sequenceId
        sequenceId &+= 1
        let request = ManagementMessages.request(
            action: action, id: id, data: data, sequenceId: sequence, target: target, sourcePort: sourcePort,
            domainNumber: options.domainNumber, boundaryHops: options.boundaryHops,
            transportSpecific: options.transportSpecific & 0x0F)
        try socket.send(request.encoded(), to: server)
        var all: [PTPMessage] = []
        var matching: [PTPMessage] = []
        var wait = options.timeoutMilliseconds
        while let datagram = try socket.receive(timeoutMilliseconds: wait) {
            guard let message = try? PTPMessage.decode(datagram.bytes), case .management(let body) = message.body
            else { continue }
            all.append(message)
            if message.header.sequenceId == sequence, body.targetPortIdentity.portNumber == sourcePort {
                matching.append(message)
                wait = 100
            }
        }
        return (all, matching)
    }
}

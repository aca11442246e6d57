import Foundation
import LinuxPlatform
import PTPManagement
import PTPWire

/// A management client on a Unix socket of its own, as pmc is one: sends a GET or SET to a daemon's
/// uds_address and decodes the answer's dataField. Used by the seam tests to read what the daemon answers.
final class ManagementProbe {
    private let socket: UnixDatagramSocket
    private let server: UnixSocketAddress
    private var sequence: UInt16 = 0

    init(server: String, path: String) throws {
        unlink(path)
        socket = try UnixDatagramSocket.bind(path: path, mode: 0o600)
        self.server = UnixSocketAddress(path: server)
    }

    deinit {
        socket.close()
        unlink(socket.path)
    }

    /// GET `id` (or SET it with `data`); the RESPONSE's (ACKNOWLEDGE's) data, or nil when none came within 1 s.
    func send(_ action: ManagementAction, _ id: ManagementID, data: ManagementData? = nil) throws -> ManagementData? {
        sequence &+= 1
        let request = ManagementMessages.request(
            action: action, id: id, data: data, sequenceId: sequence, sourcePort: UInt16(truncatingIfNeeded: getpid()))
        try socket.send(request.encoded(), to: server)
        // Bounded: a reply to an earlier request is skipped, at most 16 of them, within 1 s each.
        for _ in 0..<16 {
            guard let reply = try socket.receive(timeoutMilliseconds: 1_000) else { return nil }
            guard let message = try? PTPMessage.decode(reply.bytes), message.header.sequenceId == sequence,
                case .management(let body) = message.body
            else { continue }
            for case .management(let tlv) in message.tlvs where tlv.managementId == id {
                return try ManagementData.decode(id: id, action: body.action, data: tlv.data)
            }
            return nil
        }
        return nil
    }
}

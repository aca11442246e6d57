import PTPCore
import PTPWire

/// Boundary-clock forwarding of management messages (IEEE 1588-2019 15.3.3, 15.3.4), as linuxptp's
/// `clock_forward_mgmt_msg` does it: a management message whose boundaryHops is not zero, arriving
/// on a port that forwards (or on the Unix socket), goes out of every other forwarding port with
/// boundaryHops one less. Requests and replies alike, whatever their target, before the local
/// answer; the daemon's ports carry it out.
public enum ManagementForwarding {
    /// Whether a port in `state` forwards management (ptp4l's `forwarding()`: MASTER, SLAVE,
    /// UNCALIBRATED, PRE_MASTER).
    public static func forwards(_ state: PortState) -> Bool {
        switch state {
        case .master, .slave, .uncalibrated, .preMaster: true
        default: false
        }
    }

    /// Where a forwarded copy of `message` goes: `ports`, the PTP ports to send it out of, and
    /// `toLocalClient`, whether it also goes to the Unix socket's client (a reply that came from the network:
    /// ptp4l passes replies, never requests, to its UDS port, whose client is the pmc that asked).
    public struct Forward: Sendable {
        public var message: PTPMessage
        public var ports: [UInt16]
        public var toLocalClient: Bool
    }

    /// The copy of `message` to forward (boundaryHops one less) and where to, or nil when it is not
    /// forwarded. `ingressPort` is nil for a message from the read-write Unix socket.
    public static func forward(_ message: PTPMessage, ingressPort: UInt16?, snapshot: ManagementSnapshot) -> Forward? {
        guard case .management(var body) = message.body, body.boundaryHops > 0 else { return nil }
        if let ingressPort {
            guard let port = snapshot.port(ingressPort), forwards(port.portDS.portState) else { return nil }
        }
        let out = snapshot.ports.map(\.portIdentity.portNumber).filter { number in
            number != ingressPort && snapshot.port(number).map { forwards($0.portDS.portState) } == true
        }
        let isRequest = body.action == .get || body.action == .set || body.action == .command
        let toLocalClient = ingressPort != nil && !isRequest
        guard !out.isEmpty || toLocalClient else { return nil }
        body.boundaryHops -= 1
        var copy = message
        copy.body = .management(body)
        return Forward(message: copy, ports: out, toLocalClient: toLocalClient)
    }
}

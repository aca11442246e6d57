import PTPWire

/// Something a port noticed and did not act on; counted, and returned for the daemon to log.
public enum PortDiagnostic: Sendable, Hashable, CustomStringConvertible {
    case decodeFailed(WireError)
    case wrongDomain(UInt8)
    /// A message of another transportSpecific (majorSdoId), dropped as linuxptp's `port_ignore` does.
    case wrongTransportSpecific(UInt8)
    /// An Announce whose PATH_TRACE already holds this clock (16.2.3), dropped.
    case pathTraceLoop
    /// A message whose minorSdoId is not this instance's.
    case wrongSdoId(major: UInt8, minor: UInt8)
    /// An Announce not entered in the foreign master table (9.3.2.5).
    case announceRejected(ForeignMasterTable.Rejection)
    /// A Sync, Follow_Up or Delay_Resp from a port that is not the parent.
    case notFromParent(MessageType)
    /// A Sync whose sequenceId is not newer than the last one.
    case outOfOrder(MessageType)
    /// A Follow_Up with no matching Sync.
    case unmatchedFollowUp
    /// A Delay_Resp or Pdelay response for a request not outstanding.
    case unmatchedResponse(MessageType)
    /// A path delay sample below zero (time stamps or asymmetry are wrong).
    case negativePathDelay
    case unexpectedTransmitTimestamp
    /// `delay_mechanism Auto`: a Pdelay_Req came, so the port measures peer delay from now on (linuxptp
    /// `process_pdelay_req`: "peer detected, switch to P2P").
    case peerDetected
    /// Unicast negotiation as a slave (16.1): a refusal, a cancel, a message from outside the master table.
    case unicastClient(UnicastClientNote)

    public var description: String {
        switch self {
        case .decodeFailed(let e): "bad message: \(e)"
        case .wrongDomain(let d): "message for domain \(d)"
        case .wrongTransportSpecific(let t): "message with transportSpecific \(t)"
        case .pathTraceLoop: "announce whose path trace holds this clock"
        case .wrongSdoId(let major, let minor): "message for sdoId major \(major) minor \(minor)"
        case .announceRejected(let r): "announce rejected: \(r)"
        case .notFromParent(let t): "\(t) not from the parent"
        case .outOfOrder(let t): "\(t) out of order"
        case .unmatchedFollowUp: "Follow_Up without Sync"
        case .unmatchedResponse(let t): "\(t) without request"
        case .negativePathDelay: "negative path delay"
        case .unexpectedTransmitTimestamp: "unexpected transmit timestamp"
        case .peerDetected: "peer detected, switch to P2P"
        case .unicastClient(let note): note.description
        }
    }
}

/// Counters a port keeps (the daemon exports them; tests check them).
public struct PortCounters: Sendable, Hashable {
    public var received = 0
    public var sent = 0
    public var diagnostics = 0
    public var decodeFailures = 0
    public var measurements = 0
    public var delaySamples = 0
    /// Messages dropped for another domain or another sdoId (issue #17).
    public var domainMismatches = 0
    public var sdoIdMismatches = 0

    public init() {}
}

import PTPCore
import PTPWire

/// Unicast P2P (IEEE 1588-2019 16.1 with the peer delay mechanism of 11.4; linuxptp's `peer_address`): a port
/// with a unicast master table that names a `peer_address` and runs delay_mechanism P2P sends its Pdelay_Req by
/// unicast to that address (linuxptp `port_pdelay_request`), and asks the peer for Pdelay_Resp service on its
/// request timer, renewing at 3/4 of the granted duration (linuxptp `unicast_client_peer_renew`,
/// `unicast_client_grant`). As in linuxptp the Pdelay_Req go out whether or not the peer granted: ptp4l answers
/// any unicast Pdelay_Req, and a refusal only costs a warning. A unicast Pdelay_Req is answered by unicast to its
/// sender (`process_pdelay_req`), and a `unicast_listen` P2P port grants Pdelay_Resp without keeping a grant
/// (linuxptp `unicast_service_add` returns SERVICE_GRANTED for it with no state): the service is answering the
/// requests, which costs what multicast Pdelay would, so there is nothing an attacker can grow.
extension PortEngine {
    /// The `peer_address` Pdelay_Req go to: only on a P2P port whose master table names a peer.
    var unicastPeerAddress: PortAddress? {
        guard configuration.delayMechanism == .p2p else { return nil }
        return unicastClient?.peer?.address
    }

    /// The Pdelay_Req period: the configured interval, or the peer's granted one when it is slower (a grant at a
    /// faster rate than asked is not taken: the grantor cannot make this port send faster than configured).
    @inline(__always)
    var pdelayRequestPeriod: PTPDuration {
        let configured = configuration.logMinPdelayReqInterval
        guard unicastPeerAddress != nil, let granted = unicastClient?.peerGrantedInterval else { return configured.duration }
        return LogInterval(max(configured.rawValue, min(granted.rawValue, 16))).duration
    }

    /// On the request timer: ask the peer for Pdelay_Resp when its renewal is due (the first time at once).
    mutating func renewUnicastPeer(into actions: inout [PortAction]) {
        guard unicastPeerAddress != nil, var table = unicastClient, var peer = table.peer else { return }
        if peer.renewalTicks > 0 {
            peer.renewalTicks -= 1
            table.peer = peer
            unicastClient = table
            if peer.renewalTicks > 0 { return }
        }
        let request = UnicastTransmissionTLV(
            messageType: MessageType.pdelayResp.rawValue,
            logInterMessagePeriod: portDS.logMinPdelayReqInterval.rawValue, duration: table.configuration.requestDuration)
        unicastClient?.requestsSent += 1
        sendUnicastSignaling([.requestUnicastTransmission(request)], to: peer, into: &actions)
    }

    /// A GRANT of Pdelay_Resp from the peer (linuxptp `unicast_client_grant` with DM_P2P): its port identity
    /// becomes the Signaling target, the renewal is set, and the granted interval paces Pdelay_Req. A refusal
    /// is counted and reported; the request is repeated at the next tick.
    mutating func receivePeerGrant(_ grant: UnicastTransmissionTLV, sender: PortIdentity, into actions: inout [PortAction]) {
        guard var table = unicastClient, var peer = table.peer else { return }
        if grant.duration == 0 {
            table.refusalsReceived += 1
            peer.grantedMask = 0
            peer.renewalTicks = 0
            table.peer = peer
            table.peerGrantedInterval = nil
            unicastClient = table
            diagnose(.unicastClient(.refused(.pdelayResp)), into: &actions)
            return
        }
        guard abs(Int(grant.logInterMessagePeriod)) <= 30 else {
            diagnose(.unicastClient(.bogusInterval(grant.logInterMessagePeriod)), into: &actions)
            return
        }
        table.grantsReceived += 1
        peer.portIdentity = sender
        peer.grantedMask |= 1 << UInt16(MessageType.pdelayResp.rawValue)
        peer.setRenewal(duration: grant.duration, period: table.configuration.queryPeriod)
        table.peer = peer
        table.peerGrantedInterval = LogInterval(grant.logInterMessagePeriod)
        unicastClient = table
    }
}

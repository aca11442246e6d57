import PTPCore
import PTPWire

/// Unicast negotiation as a slave (IEEE 1588-2019 16.1, linuxptp unicast_client.c): a port with a unicast master
/// table asks every master in it for Announce, and the one the BMCA selects for Sync (and Delay_Resp with E2E);
/// it renews its grants at 3/4 of their duration, falls back to asking for Announce when a master refuses or
/// cancels, cancels Sync/Delay_Resp of a master it no longer follows, and cancels everything on shutdown.
///
/// Timing is linuxptp's: one request timer per port at 2^logQueryInterval s drives every master's requests. Two
/// requests go out sooner than in ptp4l, where nothing in the standard asks to wait: the first Announce request as
/// the port starts, and the Sync/Delay_Resp request as the BMCA selects a master (ptp4l sends both at its next
/// query tick, up to 2^logQueryInterval s later).
extension PortEngine {
    /// Whether a message from `source` may enter the foreign master table: on a port with a master table only
    /// from its masters (linuxptp `port_unicast_message_valid`). A message without a known source (the test
    /// seam's wire) is let through.
    mutating func unicastClientAccepts(from source: PortAddress?, into actions: inout [PortAction]) -> Bool {
        guard let table = unicastClient, let source else { return true }
        if table.index(of: source) != nil { return true }
        unicastClient?.rogueMessages += 1
        diagnose(.unicastClient(.notInTable), into: &actions)
        return false
    }

    /// The request timer fired (linuxptp `unicast_client_timer`): each master's request for its state.
    mutating func unicastRequestTimer(into actions: inout [PortAction]) {
        guard var table = unicastClient, state != .initializing, state != .faulty, state != .disabled else { return }
        table.requestTimeouts += 1
        unicastClient = table
        for i in table.masters.indices {
            switch table.masters[i].state {
            case .wait:
                sendUnicastRequests(to: i, types: [.announce], into: &actions)
            case .needSyncDelay:
                sendUnicastRequests(to: i, types: syncDelayTypes, into: &actions)
            case .haveAnnounce, .haveSyncDelay:
                renewUnicast(i, into: &actions)
            }
        }
        renewUnicastPeer(into: &actions)
        actions.append(.armTimer(.unicastRequest, after: table.configuration.queryPeriod))
    }

    /// The types asked of the selected master: Sync, and Delay_Resp with E2E.
    var syncDelayTypes: [MessageType] {
        configuration.delayMechanism == .e2e ? [.sync, .delayResp] : [.sync]
    }

    /// linuxptp `unicast_client_renew`: at the renewal tick, Announce again, and Sync/Delay_Resp from the master
    /// in HAVE_SYDY; until the next grant the request is repeated on every tick.
    mutating func renewUnicast(_ i: Int, into actions: inout [PortAction]) {
        guard var table = unicastClient else { return }
        if table.masters[i].renewalTicks > 0 {
            table.masters[i].renewalTicks -= 1
            unicastClient = table
            if table.masters[i].renewalTicks > 0 { return }
        }
        var types: [MessageType] = [.announce]
        if table.masters[i].state == .haveSyncDelay { types += syncDelayTypes }
        sendUnicastRequests(to: i, types: types, into: &actions)
    }

    /// One Signaling message to master `i` with a REQUEST_UNICAST_TRANSMISSION TLV per type, each at this port's
    /// own interval for it and for `unicast_req_duration` (linuxptp `attach_request`).
    mutating func sendUnicastRequests(to i: Int, types: [MessageType], into actions: inout [PortAction]) {
        guard let table = unicastClient else { return }
        let duration = table.configuration.requestDuration
        let tlvs = types.map { type -> TLV in
            let interval: LogInterval =
                switch type {
                case .announce: portDS.logAnnounceInterval
                case .sync: portDS.logSyncInterval
                default: portDS.logMinDelayReqInterval
                }
            return .requestUnicastTransmission(
                UnicastTransmissionTLV(messageType: type.rawValue, logInterMessagePeriod: interval.rawValue, duration: duration))
        }
        unicastClient?.requestsSent += 1
        sendUnicastSignaling(tlvs, to: table.masters[i], into: &actions)
    }

    /// linuxptp `port_signaling_uc_construct`: unicast flag, logMessageInterval 0x7F, the master's port identity
    /// as target (all ones until its Announce grant told it).
    mutating func sendUnicastSignaling(_ tlvs: [TLV], to master: UnicastMasterEntry, into actions: inout [PortAction]) {
        let h = header(.signaling, sequenceId: signalingSequence, logInterval: .unspecified, flags: [.unicast])
        signalingSequence &+= 1
        let body = SignalingBody(targetPortIdentity: master.portIdentity)
        send(PTPMessage(header: h, body: .signaling(body), tlvs: tlvs), to: master.address, into: &actions)
    }

    /// A GRANT_UNICAST_TRANSMISSION from `source` (linuxptp `unicast_client_grant`).
    mutating func receiveUnicastGrant(
        _ grant: UnicastTransmissionTLV, from source: PortAddress?, sender: PortIdentity, into actions: inout [PortAction]
    ) {
        guard var table = unicastClient, let source else { return }
        if grant.messageType == MessageType.pdelayResp.rawValue, table.peer?.address == source {
            receivePeerGrant(grant, sender: sender, into: &actions)
            return
        }
        guard let i = table.index(of: source) else {
            unicastClient?.rogueMessages += 1
            diagnose(.unicastClient(.rogueSignaling), into: &actions)
            return
        }
        guard let type = MessageType(rawValue: grant.messageType) else { return }
        defer { unicastClient = table }
        if grant.duration == 0 {
            table.refusalsReceived += 1
            diagnose(.unicastClient(.refused(type)), into: &actions)
            if type != .pdelayResp {
                table.masters[i].state = .wait
                actions.append(.stateDecisionNeeded)
            }
            return
        }
        guard abs(Int(grant.logInterMessagePeriod)) <= 30 else {
            diagnose(.unicastClient(.bogusInterval(grant.logInterMessagePeriod)), into: &actions)
            return
        }
        table.grantsReceived += 1
        if configuration.delayMechanism == .p2p && (type == .delayResp || type == .pdelayResp) { return }
        table.masters[i].grantedMask |= 1 << UInt16(type.rawValue)
        switch table.masters[i].state {
        case .wait, .haveAnnounce:
            guard type == .announce else { break }
            table.masters[i].state = table.masters[i].state.next(on: .grantAnnounce)
            table.masters[i].portIdentity = sender
            table.setRenewal(i, duration: grant.duration)
        case .needSyncDelay:
            guard type == .sync || type == .delayResp else { break }
            if table.masters[i].grantedMask & table.syncDelayMask == table.syncDelayMask {
                table.masters[i].state = table.masters[i].state.next(on: .grantSyncDelay)
            }
            table.setRenewal(i, duration: grant.duration)
            if type == .delayResp {
                // The master's granted Delay_Req interval paces our Delay_Req (linuxptp sets logMinDelayReqInterval).
                masterDelayReqInterval = LogInterval(grant.logInterMessagePeriod)
            }
        case .haveSyncDelay:
            if type == .announce || type == .sync || type == .delayResp {
                table.setRenewal(i, duration: grant.duration)
            }
        }
    }

    /// A CANCEL_UNICAST_TRANSMISSION from a master we asked (linuxptp `unicast_client_cancel`): back to WAIT,
    /// the state decision runs, and the cancel is acknowledged; true when it was acknowledged. A cancel with
    /// maintainGrant (16.1.4.3) keeps the sender's grant to us: it cancels only the sender's own request, which
    /// our service side handles, so the client side leaves it alone as linuxptp does. The peer's cancel of
    /// Pdelay_Resp service makes the port ask for it again at the next tick.
    @discardableResult
    mutating func receiveUnicastCancel(
        _ cancel: CancelUnicastTransmissionTLV, from source: PortAddress?, into actions: inout [PortAction]
    ) -> Bool {
        guard !cancel.maintainGrant, var table = unicastClient, let source else { return false }
        if cancel.messageType == MessageType.pdelayResp.rawValue, let peer = table.peer, peer.address == source {
            table.cancelsReceived += 1
            table.peer?.grantedMask = 0
            table.peer?.renewalTicks = 0
            table.peerGrantedInterval = nil
            unicastClient = table
            diagnose(.unicastClient(.cancelled(.pdelayResp)), into: &actions)
            sendUnicastSignaling([.acknowledgeCancelUnicastTransmission(cancel)], to: peer, into: &actions)
            return true
        }
        guard let i = table.index(of: source) else { return false }
        guard let type = MessageType(rawValue: cancel.messageType), Self.servable(type) else { return false }
        table.cancelsReceived += 1
        table.masters[i].state = table.masters[i].state.next(on: .cancel)
        table.masters[i].grantedMask &= ~(1 << UInt16(type.rawValue))
        unicastClient = table
        diagnose(.unicastClient(.cancelled(type)), into: &actions)
        actions.append(.stateDecisionNeeded)
        sendUnicastSignaling([.acknowledgeCancelUnicastTransmission(cancel)], to: table.masters[i], into: &actions)
        return true
    }

    /// After the port's state or parent may have changed (linuxptp `unicast_client_state_changed`): the master
    /// the BMCA follows through this port is SELECTED (and asked for Sync/Delay_Resp at once), every other one
    /// UNSELECTED, with its Sync/Delay_Resp cancelled when it had them.
    mutating func unicastClientStateChanged(into actions: inout [PortAction]) {
        guard var table = unicastClient else { return }
        let selected = isSlaveState ? parent : nil
        var requests: [Int] = []
        for i in table.masters.indices {
            let before = table.masters[i].state
            if let selected, table.masters[i].portIdentity == selected {
                table.masters[i].state = before.next(on: .selected)
                if before == .haveAnnounce && table.masters[i].state == .needSyncDelay { requests.append(i) }
            } else {
                table.masters[i].state = before.next(on: .unselected)
                if table.masters[i].state != before {
                    // Whatever Sync/Delay_Resp it granted is cancelled (linuxptp does so from HAVE_SYDY only; a
                    // master left in NEED_SYDY with half its grants would otherwise send Sync until they lapse).
                    // Its Announce is asked for again at the next tick rather than at the renewal: a master
                    // that went silent and comes back is heard again within one query interval.
                    table.masters[i].renewalTicks = 0
                    unicastClient = table
                    cancelUnicast(i, types: syncDelayTypes, keepingGrants: true, into: &actions)
                    table = unicastClient ?? table
                }
            }
        }
        unicastClient = table
        for i in requests { sendUnicastRequests(to: i, types: syncDelayTypes, into: &actions) }
    }

    /// CANCEL_UNICAST_TRANSMISSION to master `i` for those of `types` it granted (linuxptp `unicast_client_tx_cancel`).
    /// With `keepingGrants`, a type this port itself grants to that address (both sides serve each other) goes
    /// with maintainGrant (16.1.4.3): the master cancels only what it sends us, and keeps its own client grant
    /// from us (ptp4l's `unicast_client_cancel` ignores such a cancel; without the flag it would drop its
    /// service from us too, as it hands every CANCEL to both its client and its service side).
    mutating func cancelUnicast(
        _ i: Int, types: [MessageType], keepingGrants: Bool = false, into actions: inout [PortAction]
    ) {
        guard var table = unicastClient else { return }
        let cancelled = types.filter { table.masters[i].granted($0) }
        guard !cancelled.isEmpty else { return }
        for type in cancelled { table.masters[i].grantedMask &= ~(1 << UInt16(type.rawValue)) }
        unicastClient = table
        let address = table.masters[i].address
        let tlvs = cancelled.map { type -> TLV in
            let keep = keepingGrants && configuration.unicast.listen && unicastService.grant(address, type) != nil
            return .cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: type.rawValue, maintainGrant: keep))
        }
        sendUnicastSignaling(tlvs, to: table.masters[i], into: &actions)
    }

    /// Shutdown (linuxptp `port_cancel_unicast` in `port_close`): every grant of every master cancelled, and the
    /// peer's Pdelay_Resp grant.
    mutating func cancelAllUnicast(into actions: inout [PortAction]) {
        guard let table = unicastClient else { return }
        for i in table.masters.indices {
            cancelUnicast(i, types: [.announce, .sync, .delayResp], into: &actions)
        }
        if let peer = table.peer, peer.granted(.pdelayResp) {
            unicastClient?.peer?.grantedMask = 0
            let cancel = CancelUnicastTransmissionTLV(messageType: MessageType.pdelayResp.rawValue)
            sendUnicastSignaling([.cancelUnicastTransmission(cancel)], to: peer, into: &actions)
        }
    }

    /// Whether this port sends Delay_Req unicast to its parent: `hybrid_e2e`, or a master table (IEEE 1588-2019
    /// 16.1: the Delay_Req of a unicast Delay_Resp service goes to the granting master). ptp4l 3.1 sends a
    /// table client's Delay_Req multicast unless hybrid_e2e is set; a master that has inhibited multicast
    /// service may not be listening there, and a unicast one answers either.
    /// The table address of the master this port follows (its Delay_Req go there, not to whoever sent the last
    /// Sync: a new parent's first Sync comes only after its grant).
    @inline(__always)
    var unicastClientParentAddress: PortAddress? {
        guard let table = unicastClient, let parent, isSlaveState else { return nil }
        return table.masters.first { $0.portIdentity == parent }?.address
    }

    var unicastDelayRequest: Bool {
        configuration.hybridE2E || unicastClientEnabled
    }
}

/// What the client side of unicast negotiation reports (linuxptp's warnings in unicast_client.c and port.c).
public enum UnicastClientNote: Sendable, Hashable, CustomStringConvertible {
    /// An Announce from an address not in the port's master table (dropped).
    case notInTable
    /// A GRANT or CANCEL from an address not in the table (dropped).
    case rogueSignaling
    /// A master refused a request (a GRANT of duration 0).
    case refused(MessageType)
    /// A grant with |logInterMessagePeriod| > 30 (ignored).
    case bogusInterval(Int8)
    /// A master cancelled a grant.
    case cancelled(MessageType)

    public var description: String {
        switch self {
        case .notInTable: "new foreign master not in unicast master table"
        case .rogueSignaling: "received rogue unicast grant or cancel"
        case .refused(let t): "unicast grant of \(t) rejected"
        case .bogusInterval(let n): "ignore bogus unicast message interval 2^\(n)"
        case .cancelled(let t): "server unilaterally canceled unicast \(t) grant"
        }
    }
}

extension PortEngine {
    /// The port's request timer starts (entering LISTENING from INITIALIZING or FAULTY): the first Announce
    /// request to every master in WAIT goes out now, then the timer runs at 2^logQueryInterval s.
    mutating func startUnicastRequests(into actions: inout [PortAction]) {
        guard let table = unicastClient else { return }
        for i in table.masters.indices where table.masters[i].state == .wait {
            sendUnicastRequests(to: i, types: [.announce], into: &actions)
        }
        renewUnicastPeer(into: &actions)
        actions.append(.armTimer(.unicastRequest, after: table.configuration.queryPeriod))
    }

    /// Cancels every unicast grant this port holds from its masters (shutdown, linuxptp `port_cancel_unicast`).
    public mutating func cancelUnicastService(into actions: inout [PortAction]) {
        cancelAllUnicast(into: &actions)
    }
}

import PTPCore
import PTPWire

/// A transparent clock (IEEE 1588-2019 10.2–10.3; linuxptp tc.c, e2e_tc.c, p2p_tc.c).
///
/// Its ports run the BMCA's states as any port (so `tc_spanning_tree` knows which one faces the grandmaster),
/// but originate no Announce or Sync. Every message a port receives is forwarded out of the other ports by
/// the instance, here; the port itself handles only what the TC needs for its own clock: Announce (the
/// BMCA), Sync and Follow_Up (the clock's measurement or, free-running, the rate ratio), its own Delay_Resp,
/// and on a P2P TC the peer delay messages, which are never forwarded.
///
/// Event messages (Sync, Delay_Req) are sent at once with a relay token; their egress stamp gives the
/// residence time (egress − ingress, times the master/local rate ratio on a free-running clock), which goes
/// into the correctionField of the matching general message, two-step as linuxptp does: a Sync's into its
/// Follow_Up (with the ingress port's peer delay on a P2P TC and its delayAsymmetry), a Delay_Req's into
/// the Delay_Resp that answers it. A one-step Sync leaves as two-step, with a Follow_Up made for it.
extension InstanceEngine {
    /// Handles one port event of a transparent clock.
    mutating func relay(_ event: PortEvent, port q: Int, at now: PTPInstant, into actions: inout [InstanceAction]) {
        switch event {
        case .receivedBytes(let bytes, let timestamp), .receivedBytesFrom(let bytes, let timestamp, _):
            let message: PTPMessage
            do {
                message = try PTPMessage.decode(bytes)
            } catch {
                dispatch(event, to: q, at: now, into: &actions)  // the port counts and reports it
                return
            }
            if forward(message, from: q, ingress: timestamp - ports[q].configuration.ingressLatency, at: now, into: &actions) {
                dispatch(.received(message, timestamp: timestamp), to: q, at: now, into: &actions)
            }
        case .transmitted(let token, let timestamp) where token.relay != nil:
            guard let relay = token.relay else { return }
            departed(relay, port: q, egress: timestamp + ports[q].configuration.egressLatency, at: now, into: &actions)
        default:
            dispatch(event, to: q, at: now, into: &actions)
        }
    }

    /// Forwards `message`, received on port `q`; returns whether the port handles it as well.
    mutating func forward(
        _ message: PTPMessage, from q: Int, ingress: PTPInstant, at now: PTPInstant, into actions: inout [InstanceAction]
    ) -> Bool {
        guard var tc = transparent else { return true }
        transparent = nil  // uniquely held while it changes
        defer { transparent = tc }
        if message.header.flags.contains(.unicast) {
            // linuxptp e2e_event/p2p_event: a TC drops unicast messages.
            tc.counters.unicastDropped += 1
            return false
        }
        let endToEnd = tc.configuration.mechanism == .endToEnd
        let header = message.header
        switch message.body {
        case .sync(let body):
            if ports[q].state == .slave || ports[q].state == .uncalibrated {
                if header.flags.contains(.twoStep) {
                    tc.lastSync = (q, header.sequenceId, header.sourcePortIdentity, ingress, header.correctionField.duration)
                } else {
                    tc.rateSample(
                        origin: body.originTimestamp.instant + header.correctionField.duration, ingress: ingress,
                        logSyncInterval: header.logMessageInterval)
                }
            }
            forwardEvent(message, from: q, ingress: ingress, at: now, tc: &tc, into: &actions)
            return true
        case .delayReq:
            if endToEnd { forwardEvent(message, from: q, ingress: ingress, at: now, tc: &tc, into: &actions) }
            return false
        case .followUp(let body):
            if let sync = tc.lastSync, sync.port == q, sync.sequenceId == header.sequenceId,
                sync.source == header.sourcePortIdentity
            {
                tc.lastSync = nil
                tc.rateSample(
                    origin: body.preciseOriginTimestamp.instant + sync.correction + header.correctionField.duration,
                    ingress: sync.ingress, logSyncInterval: header.logMessageInterval)
            }
            forwardFollowUp(message, from: q, at: now, tc: &tc, into: &actions)
            return true
        case .delayResp:
            guard endToEnd else { return false }
            forwardDelayResp(message, from: q, tc: &tc, into: &actions)
            return true
        case .pdelayReq, .pdelayResp, .pdelayRespFollowUp:
            return !endToEnd
        case .announce(var body):
            var out = message
            if tc.configuration.spanningTree {
                // linuxptp tc_forward: one more step behind this TC.
                body.stepsRemoved = body.stepsRemoved == UInt16.max ? body.stepsRemoved : body.stepsRemoved + 1
                out.body = .announce(body)
            }
            forwardGeneral(out, from: q, tc: &tc, into: &actions)
            return true
        case .signaling, .management:
            forwardGeneral(message, from: q, tc: &tc, into: &actions)
            return false
        }
    }

    /// linuxptp `tc_blocked`: whether a message from port `q` must not leave through port `p`.
    func relayBlocked(from q: Int, to p: Int, _ message: PTPMessage, spanningTree: Bool) -> Bool {
        if q == p { return true }
        guard spanningTree else { return false }
        // Frames of another domain are forwarded unconditionally.
        if message.header.domainNumber != defaultDS.domainNumber { return false }
        let isDelayReq = message.messageType == .delayReq
        switch ports[q].state {
        case .initializing, .faulty, .disabled, .listening, .preMaster, .passive:
            return true
        case .master:
            if !isDelayReq { return true }  // Delay_Req swims against the stream.
        case .uncalibrated, .slave:
            break
        }
        switch ports[p].state {
        case .initializing, .faulty, .disabled, .listening, .preMaster, .passive:
            return true
        case .uncalibrated, .slave:
            if !isDelayReq { return true }
        case .master:
            if isDelayReq { return true }  // No use forwarding Delay_Req out of the wrong port.
        }
        return false
    }

    func send(_ message: PTPMessage, token: TransmitToken? = nil, port p: Int, into actions: inout [InstanceAction]) {
        actions.append(.port(p, .send(OutgoingMessage(message: message, token: token, insertOriginTimestamp: false))))
    }

    mutating func forwardGeneral(
        _ message: PTPMessage, from q: Int, tc: inout TransparentClock, into actions: inout [InstanceAction]
    ) {
        for p in ports.indices where !relayBlocked(from: q, to: p, message, spanningTree: tc.configuration.spanningTree) {
            send(message, port: p, into: &actions)
            ports[p].counters.sent += 1
            tc.counters.forwarded[Int(message.messageType.rawValue & 0x0F)] += 1
        }
    }

    /// linuxptp `tc_fwd_event` and `tc_fwd_sync`: out of every unblocked port at once, each with a relay token
    /// for its egress stamp. A one-step Sync leaves two-step, followed by a Follow_Up made from it.
    mutating func forwardEvent(
        _ message: PTPMessage, from q: Int, ingress: PTPInstant, at now: PTPInstant, tc: inout TransparentClock,
        into actions: inout [InstanceAction]
    ) {
        var out = message
        var followUp: PTPMessage?
        if case .sync(let body) = message.body, !message.header.flags.contains(.twoStep) {
            out.header.flags.insert(.twoStep)
            let h = message.header
            followUp = PTPMessage(
                header: PTPHeader(
                    messageType: .followUp, sourcePortIdentity: h.sourcePortIdentity, sequenceId: h.sequenceId,
                    domainNumber: h.domainNumber, logMessageInterval: h.logMessageInterval, majorSdoId: h.majorSdoId,
                    minorSdoId: h.minorSdoId, minorVersionPTP: h.minorVersionPTP, versionPTP: h.versionPTP),
                body: .followUp(FollowUpBody(preciseOriginTimestamp: body.originTimestamp)))
        }
        let header = message.header
        for p in ports.indices where !relayBlocked(from: q, to: p, message, spanningTree: tc.configuration.spanningTree) {
            let relay = tc.depart(
                TransparentClock.Departure(
                    egressPort: p, ingressPort: q, messageType: message.messageType, sequenceId: header.sequenceId,
                    source: header.sourcePortIdentity, ingress: ingress, at: now))
            let token = TransmitToken(messageType: message.messageType, sequenceId: header.sequenceId, relay: relay)
            send(out, token: token, port: p, into: &actions)
            ports[p].counters.sent += 1
            tc.counters.forwarded[Int(message.messageType.rawValue & 0x0F)] += 1
        }
        if let followUp { forwardFollowUp(followUp, from: q, at: now, tc: &tc, into: &actions) }
    }

    /// linuxptp `tc_fwd_folup` / `tc_complete_syfup`: a Follow_Up whose Sync's residence time is known leaves
    /// with it; otherwise it waits for the Sync's egress stamp.
    mutating func forwardFollowUp(
        _ message: PTPMessage, from q: Int, at now: PTPInstant, tc: inout TransparentClock,
        into actions: inout [InstanceAction]
    ) {
        let header = message.header
        for p in ports.indices where !relayBlocked(from: q, to: p, message, spanningTree: tc.configuration.spanningTree) {
            let match = tc.pending[p].firstIndex { entry in
                guard case .sync = entry.kind else { return false }
                return entry.ingressPort == q && entry.sequenceId == header.sequenceId
                    && entry.source == header.sourcePortIdentity
            }
            if let match, case .sync(let residence) = tc.pending[p][match].kind {
                tc.pending[p].remove(at: match)
                sendFollowUp(message, residence: residence, from: q, to: p, tc: &tc, into: &actions)
            } else {
                tc.remember(
                    TransparentClock.Entry(
                        kind: .followUp(message), ingressPort: q, sequenceId: header.sequenceId,
                        source: header.sourcePortIdentity, at: now), port: p)
            }
        }
    }

    /// The Follow_Up out of `p`: correction + residence + the ingress port's peer delay and asymmetry
    /// (linuxptp `tc_complete_syfup`; IEEE 1588-2019 10.2.2.1.2, 10.2.2.2.2 for P2P).
    mutating func sendFollowUp(
        _ message: PTPMessage, residence: PTPDuration, from q: Int, to p: Int, tc: inout TransparentClock,
        into actions: inout [InstanceAction]
    ) {
        var out = message
        let link = (ports[q].peerMeanPathDelay ?? .zero) + ports[q].configuration.delayAsymmetry
        out.header.correctionField = ScaledNanoseconds(
            saturating: message.header.correctionField.duration + residence + link)
        send(out, port: p, into: &actions)
        ports[p].counters.sent += 1
        tc.counters.forwarded[Int(MessageType.followUp.rawValue)] += 1
    }

    /// linuxptp `tc_fwd_response` / `tc_complete_response`: a Delay_Resp from `q` goes back out of the port its
    /// Delay_Req came in on, with that request's residence time added.
    mutating func forwardDelayResp(
        _ message: PTPMessage, from q: Int, tc: inout TransparentClock, into actions: inout [InstanceAction]
    ) {
        guard case .delayResp(let body) = message.body else { return }
        let header = message.header
        for p in ports.indices where !relayBlocked(from: q, to: p, message, spanningTree: tc.configuration.spanningTree) {
            let match = tc.pending[q].firstIndex { entry in
                guard case .delayReq = entry.kind else { return false }
                return entry.ingressPort == p && entry.sequenceId == header.sequenceId
                    && entry.source == body.requestingPortIdentity
            }
            guard let match, case .delayReq(let residence) = tc.pending[q][match].kind else { continue }
            tc.pending[q].remove(at: match)
            var out = message
            out.header.correctionField = ScaledNanoseconds(saturating: header.correctionField.duration + residence)
            send(out, port: p, into: &actions)
            ports[p].counters.sent += 1
            tc.counters.forwarded[Int(MessageType.delayResp.rawValue)] += 1
        }
    }

    /// The egress stamp of a forwarded event message: its residence time completes a waiting Follow_Up or is
    /// kept for the Follow_Up or Delay_Resp to come.
    mutating func departed(
        _ relay: UInt32, port p: Int, egress: PTPInstant, at now: PTPInstant, into actions: inout [InstanceAction]
    ) {
        guard var tc = transparent else { return }
        transparent = nil
        defer { transparent = tc }
        guard let departure = tc.departures.removeValue(forKey: relay), departure.egressPort == p else { return }
        var residence = egress - departure.ingress
        if tc.rateRatio != 1 { residence = residence.scaled(by: tc.rateRatio) }
        tc.counters.residenceSamples += 1
        tc.counters.lastResidence = residence
        tc.counters.maxResidence = max(tc.counters.maxResidence, residence)
        let q = departure.ingressPort
        guard ports.indices.contains(q) else { return }
        switch departure.messageType {
        case .sync:
            let match = tc.pending[p].firstIndex { entry in
                guard case .followUp = entry.kind else { return false }
                return entry.ingressPort == q && entry.sequenceId == departure.sequenceId
                    && entry.source == departure.source
            }
            if let match, case .followUp(let followUp) = tc.pending[p][match].kind {
                tc.pending[p].remove(at: match)
                sendFollowUp(followUp, residence: residence, from: q, to: p, tc: &tc, into: &actions)
            } else {
                tc.remember(
                    TransparentClock.Entry(
                        kind: .sync(residence: residence), ingressPort: q, sequenceId: departure.sequenceId,
                        source: departure.source, at: now), port: p)
            }
        case .delayReq:
            tc.remember(
                TransparentClock.Entry(
                    kind: .delayReq(residence: residence), ingressPort: q, sequenceId: departure.sequenceId,
                    source: departure.source, at: now), port: p)
        default:
            break
        }
    }
}

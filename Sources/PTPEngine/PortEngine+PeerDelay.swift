import PTPCore
import PTPServo
import PTPWire

/// The peer delay mechanism (IEEE 1588-2019 11.4), two-step responder (one-step with `oneStepPeerDelay`), on
/// every port that is up.
extension PortEngine {
    mutating func sendPdelayReq(into actions: inout [PortAction]) {
        // linuxptp `port_pdelay_request`: a request still unanswered is a lost response.
        if outstandingPdelay != nil { neighbor.missingResponses += 1 }
        // linuxptp: the port stays not asCapable while the last request had more than one responder.
        neighbor.multipleResponders = neighbor.multipleDetected
        neighbor.multipleDetected = false
        let sequenceId = pdelayReqSequence
        pdelayReqSequence &+= 1
        outstandingPdelay = PendingPdelay(sequenceId: sequenceId, correction: .zero, awaitingFollowUp: true)
        // logMessageInterval 0x7F as ptp4l sends outside 802.1AS (13.3.2.14).
        let h = header(.pdelayReq, sequenceId: sequenceId, logInterval: .unspecified)
        // `peer_address`: by unicast to the peer, its unicast flag set (linuxptp `port_pdelay_request`).
        sendPeerDelay(
            PTPMessage(header: h, body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))),
            token: TransmitToken(messageType: .pdelayReq, sequenceId: sequenceId), to: unicastPeerAddress, into: &actions)
    }

    /// Responds with t2 in Pdelay_Resp and t3 in Pdelay_Resp_Follow_Up (11.4.2 c, two-step); the
    /// sub-nanosecond parts go in the correction fields so the requester loses nothing.
    mutating func receivePdelayReq(header request: PTPHeader, ingress t2: PTPInstant, into actions: inout [PortAction]) {
        if configuration.automaticDelayMechanism && configuration.delayMechanism == .e2e {
            switchToPeerDelay(into: &actions)
        }
        guard configuration.delayMechanism == .p2p else { return }
        // A unicast Pdelay_Req is answered by unicast to its sender, the unicast flag set (linuxptp
        // `process_pdelay_req`); a multicast one to the peer multicast address.
        let unicastTo = request.flags.contains(.unicast) ? currentSource : nil
        if configuration.oneStepPeerDelay {
            // linuxptp port.c `process_pdelay_req` with TS_P2P1STEP: the NIC writes the turnaround.
            var h = header(.pdelayResp, sequenceId: request.sequenceId, logInterval: .unspecified)
            h.correctionField = ScaledNanoseconds(
                saturating: request.correctionField.duration + configuration.egressLatency + configuration.ingressLatency)
            let body = PdelayResponseBody(timestamp: .zero, requestingPortIdentity: request.sourcePortIdentity)
            sendPeerDelay(PTPMessage(header: h, body: .pdelayResp(body)), to: unicastTo, into: &actions)
            return
        }
        let (wire, fraction) = wireSplit(t2)
        var h = header(.pdelayResp, sequenceId: request.sequenceId, logInterval: .unspecified, flags: [.twoStep])
        h.correctionField = ScaledNanoseconds(saturating: request.correctionField.duration - fraction)
        let body = PdelayResponseBody(timestamp: wire, requestingPortIdentity: request.sourcePortIdentity)
        if pdelayResponder.count > 8 { pdelayResponder.removeAll() }
        pdelayResponder[request.sequenceId] = PendingPdelayResponse(
            requester: request.sourcePortIdentity, correction: .zero, domain: request.domainNumber, address: unicastTo)
        sendPeerDelay(
            PTPMessage(header: h, body: .pdelayResp(body)),
            token: TransmitToken(messageType: .pdelayResp, sequenceId: request.sequenceId), to: unicastTo, into: &actions)
    }

    /// Sends a peer-delay message multicast, or by unicast to `address` with the unicast flag.
    mutating func sendPeerDelay(
        _ message: PTPMessage, token: TransmitToken? = nil, to address: PortAddress?, into actions: inout [PortAction]
    ) {
        guard let address else {
            send(message, token: token, into: &actions)
            return
        }
        var unicast = message
        unicast.header.flags.insert(.unicast)
        send(unicast, token: token, to: address, into: &actions)
    }

    /// `delay_mechanism Auto` meets a peer: Delay_Req stops, Pdelay_Req starts (linuxptp `port_set_delay_tmo`
    /// after the switch), and the offset uses the peer delay from now on.
    mutating func switchToPeerDelay(into actions: inout [PortAction]) {
        let before = timers(for: state)
        configuration.delayMechanism = .p2p
        portDS.delayMechanism = .p2p
        let after = timers(for: state)
        if before.contains(.delayRequest) && !after.contains(.delayRequest) { actions.append(.cancelTimer(.delayRequest)) }
        delayRequests.removeAll()
        if after.contains(.pdelayRequest) {
            actions.append(.armTimer(.pdelayRequest, after: pdelayRequestPeriod))
        }
        diagnose(.peerDetected, into: &actions)
    }

    mutating func pdelayResponseTransmitted(sequenceId: UInt16, t3: PTPInstant, into actions: inout [PortAction]) {
        guard let pending = pdelayResponder.removeValue(forKey: sequenceId) else {
            diagnose(.unexpectedTransmitTimestamp, into: &actions)
            return
        }
        let (wire, fraction) = wireSplit(t3)
        var h = header(.pdelayRespFollowUp, sequenceId: sequenceId, logInterval: .unspecified)
        h.correctionField = ScaledNanoseconds(saturating: fraction)
        let body = PdelayResponseBody(timestamp: wire, requestingPortIdentity: pending.requester)
        sendPeerDelay(PTPMessage(header: h, body: .pdelayRespFollowUp(body)), to: pending.address, into: &actions)
    }

    mutating func receivePdelayResp(
        header: PTPHeader, body: PdelayResponseBody, ingress t4: PTPInstant,
        into actions: inout [PortAction]
    ) {
        guard configuration.delayMechanism == .p2p, body.requestingPortIdentity == portIdentity else { return }
        guard var pending = outstandingPdelay, pending.sequenceId == header.sequenceId, pending.t2 == nil else {
            if let pending = outstandingPdelay, pending.sequenceId == header.sequenceId,
                pending.responder != header.sourcePortIdentity
            {
                // A second responder to the same request: the link is not point to point (802.1AS 11.2.2).
                neighbor.multipleDetected = true
                neighbor.multipleResponders = true
            }
            diagnose(.unmatchedResponse(.pdelayResp), into: &actions)
            return
        }
        pending.t2 = body.timestamp.instant
        pending.t4 = t4
        pending.correction = pending.correction + header.correctionField.duration
        pending.responder = header.sourcePortIdentity
        pending.awaitingFollowUp = header.flags.contains(.twoStep)
        outstandingPdelay = pending
        completePeerDelay(into: &actions)
    }

    mutating func receivePdelayRespFollowUp(header: PTPHeader, body: PdelayResponseBody, into actions: inout [PortAction]) {
        guard configuration.delayMechanism == .p2p, body.requestingPortIdentity == portIdentity else { return }
        guard var pending = outstandingPdelay, pending.sequenceId == header.sequenceId,
            pending.responder == header.sourcePortIdentity, pending.awaitingFollowUp
        else {
            diagnose(.unmatchedResponse(.pdelayRespFollowUp), into: &actions)
            return
        }
        pending.t3 = body.timestamp.instant
        pending.correction = pending.correction + header.correctionField.duration
        pending.awaitingFollowUp = false
        outstandingPdelay = pending
        completePeerDelay(into: &actions)
    }

    /// meanLinkDelay = [(t4 − t1) − (t3 − t2) − corrections] / 2 (11.4.3), through the moving median.
    mutating func completePeerDelay(into actions: inout [PortAction]) {
        guard let p = outstandingPdelay, let t1 = p.t1, let t2 = p.t2, let t4 = p.t4, !p.awaitingFollowUp else { return }
        let turnaround = p.t3.map { $0 - t2 } ?? .zero
        let sample = ((t4 - t1) - turnaround - p.correction) / 2
        outstandingPdelay = nil
        if configuration.followUpInformation {
            neighborExchangeCompleted(responder: p.responder, origin: (p.t3 ?? t2) + p.correction, ingress: t4)
        }
        if sample.isNegative {
            diagnose(.negativePathDelay, into: &actions)
        }
        counters.delaySamples += 1
        rawPeerMeanPathDelay = sample
        let filtered = peerDelayFilter.add(sample)
        peerMeanPathDelay = filtered
        portDS.peerMeanPathDelay = filtered
    }
}

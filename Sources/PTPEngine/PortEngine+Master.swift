import PTPCore
import PTPWire

/// Master behaviour (IEEE 1588-2019 9.5.8, 9.5.9, 11.3.2, 13.5–13.8).
extension PortEngine {
    mutating func sendAnnounce(now: PTPInstant, into actions: inout [PortAction]) {
        let h = header(
            .announce, sequenceId: announceSequence, logInterval: configuration.logAnnounceInterval,
            flags: announceContent.flags)
        announceSequence &+= 1
        var tlvs: [TLV] = []
        if configuration.pathTrace, let path = pathTraceTLV() { tlvs.append(path) }
        send(PTPMessage(header: h, body: .announce(announceContent.body(origin: now)), tlvs: tlvs), into: &actions)
    }

    mutating func sendSync(into actions: inout [PortAction]) {
        let sequenceId = syncSequence
        syncSequence &+= 1
        let h = header(
            .sync, sequenceId: sequenceId, logInterval: configuration.logSyncInterval,
            flags: twoStep ? [.twoStep] : [])
        let message = PTPMessage(header: h, body: .sync(OriginTimestampBody(originTimestamp: .zero)))
        if twoStep {
            send(message, token: TransmitToken(messageType: .sync, sequenceId: sequenceId), into: &actions)
        } else {
            send(message, insertOrigin: true, into: &actions)
        }
    }

    /// The Follow_Up for a transmitted two-step Sync: t1 in preciseOriginTimestamp, its sub-nanosecond
    /// part in correctionField (11.3.2).
    mutating func sendFollowUp(sequenceId: UInt16, t1: PTPInstant, into actions: inout [PortAction]) {
        let (wire, fraction) = wireSplit(t1)
        var h = header(.followUp, sequenceId: sequenceId, logInterval: configuration.logSyncInterval)
        h.correctionField = ScaledNanoseconds(saturating: fraction)
        let tlvs = configuration.followUpInformation ? [Self.followUpInformationTLV] : []
        send(PTPMessage(header: h, body: .followUp(FollowUpBody(preciseOriginTimestamp: wire)), tlvs: tlvs), into: &actions)
    }

    /// Answers a Delay_Req with t4; the correction is the request's less t4's sub-nanosecond part (11.3.2).
    mutating func receiveDelayReq(header request: PTPHeader, ingress t4: PTPInstant, into actions: inout [PortAction]) {
        guard state == .master else { return }
        let (wire, fraction) = wireSplit(t4)
        var h = header(.delayResp, sequenceId: request.sequenceId, logInterval: portDS.logMinDelayReqInterval)
        h.correctionField = ScaledNanoseconds(saturating: request.correctionField.duration - fraction)
        let body = DelayRespBody(receiveTimestamp: wire, requestingPortIdentity: request.sourcePortIdentity)
        // A unicast Delay_Req (a granted client, or hybrid_e2e) is answered unicast, its logMessageInterval
        // 0x7F (linuxptp `process_delay_req`, IEEE 1588-2019 13.3.2.14).
        if request.flags.contains(.unicast), let source = currentSource {
            // The request's ingress time stands for now: grants last seconds.
            guard unicastDelayResponseAllowed(to: source, now: t4) else { return }
            h.flags.insert(.unicast)
            h.logMessageInterval = LogInterval.unspecified.rawValue
            send(PTPMessage(header: h, body: .delayResp(body)), to: source, into: &actions)
            return
        }
        send(PTPMessage(header: h, body: .delayResp(body)), into: &actions)
    }

    mutating func transmitted(_ token: TransmitToken, timestamp: PTPInstant, into actions: inout [PortAction]) {
        switch token.messageType {
        case .sync where state == .master:
            // A multicast port's table is empty: the test spares every Sync the key's hashing.
            if !unicastFollowUps.isEmpty, let unicast = unicastFollowUps.removeValue(forKey: token.sequenceId) {
                let (wire, fraction) = wireSplit(timestamp)
                var h = header(.followUp, sequenceId: token.sequenceId, logInterval: unicast.interval, flags: [.unicast])
                h.correctionField = ScaledNanoseconds(saturating: fraction)
                let body = FollowUpBody(preciseOriginTimestamp: wire)
                send(PTPMessage(header: h, body: .followUp(body)), to: unicast.address, into: &actions)
                return
            }
            sendFollowUp(sequenceId: token.sequenceId, t1: timestamp, into: &actions)
        case .delayReq:
            guard delayRequests.stamped(sequenceId: token.sequenceId, t3: timestamp) else {
                diagnose(.unexpectedTransmitTimestamp, into: &actions)
                return
            }
            completeDelayMeasurement(sequenceId: token.sequenceId, into: &actions)
        case .pdelayReq:
            guard var pending = outstandingPdelay, pending.sequenceId == token.sequenceId else {
                diagnose(.unexpectedTransmitTimestamp, into: &actions)
                return
            }
            pending.t1 = timestamp
            outstandingPdelay = pending
            completePeerDelay(into: &actions)
        case .pdelayResp:
            pdelayResponseTransmitted(sequenceId: token.sequenceId, t3: timestamp, into: &actions)
        default:
            diagnose(.unexpectedTransmitTimestamp, into: &actions)
        }
    }
}

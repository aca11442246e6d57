import PTPCore
import PTPServo
import PTPWire

/// Announce reception and slave behaviour with the delay request-response mechanism
/// (IEEE 1588-2019 9.5.3, 9.5.4, 11.3).
extension PortEngine {
    var isSlaveState: Bool { state == .uncalibrated || state == .slave }

    mutating func receiveAnnounce(header: PTPHeader, body: AnnounceBody, now: PTPInstant, into actions: inout [PortAction]) {
        // 9.2.2.2: a masterOnly port does not use what it hears.
        guard !configuration.masterOnly else { return }
        guard body.stepsRemoved < configuration.maxStepsRemoved else {
            diagnose(.announceRejected(.stepsRemovedLimit), into: &actions)
            return
        }
        switch foreignMasters.add(header: header, announce: body, at: now, parent: parent) {
        case .failure(let rejection):
            diagnose(.announceRejected(rejection), into: &actions)
        case .success(let result):
            if isSlaveState {
                if header.sourcePortIdentity == parent {
                    armAnnounceReceipt(into: &actions)
                }
            } else if (state == .listening || state == .passive) && result.qualified {
                armAnnounceReceipt(into: &actions)
            }
            if result.changed {
                actions.append(.stateDecisionNeeded)
            }
        }
    }

    mutating func receiveSync(
        header: PTPHeader, body: OriginTimestampBody, ingress t2: PTPInstant,
        into actions: inout [PortAction]
    ) {
        guard isSlaveState else { return }
        if configuration.ignoreSourceIdentity {
            // linuxptp `check_source_identity` with ignore_source_id: any sender will do; a designated slave
            // (no Announce, so no parent from the BMCA) follows the one whose Sync it takes.
            if parent == nil || configuration.designatedSlave { parent = header.sourcePortIdentity }
        } else {
            guard header.sourcePortIdentity == parent else {
                diagnose(.notFromParent(.sync), into: &actions)
                return
            }
        }
        if let last = lastSyncSequence, Int16(bitPattern: header.sequenceId &- last) <= 0 {
            diagnose(.outOfOrder(.sync), into: &actions)
            return
        }
        lastSyncSequence = header.sequenceId
        if let currentSource { parentAddress = currentSource }
        let interval = LogInterval(rawValue: header.logMessageInterval)
        if interval != .unspecified { masterSyncInterval = interval }
        armSyncReceipt(into: &actions)
        if header.flags.contains(.twoStep) || configuration.assumeTwoStep {
            if let early = earlyFollowUp {
                earlyFollowUp = nil
                // check_fup_sync (linuxptp 3.1 `fup_sync_ok`): a Follow_Up received before its Sync is not its.
                if early.sequenceId == header.sequenceId && (!configuration.checkFollowUpSync || early.received >= t2) {
                    pendingSync = nil
                    synchronize(
                        sequenceId: header.sequenceId, t1: early.origin,
                        correction: header.correctionField.duration + early.correction, t2: t2, logInterval: interval,
                        into: &actions)
                    return
                }
                diagnose(.unmatchedFollowUp, into: &actions)
            }
            if pendingSync != nil { serviceCounters.syncMismatch &+= 1 }
            pendingSync = PendingSync(
                sequenceId: header.sequenceId, source: header.sourcePortIdentity, t2: t2,
                correction: header.correctionField.duration, logInterval: interval)
        } else {
            pendingSync = nil
            synchronize(
                sequenceId: header.sequenceId, t1: body.originTimestamp.instant,
                correction: header.correctionField.duration, t2: t2, logInterval: interval, into: &actions)
        }
    }

    /// `received`: the Follow_Up's receive time (its kernel stamp with `check_fup_sync` and software stamps).
    mutating func receiveFollowUp(
        header: PTPHeader, body: FollowUpBody, received: PTPInstant, into actions: inout [PortAction]
    ) {
        guard isSlaveState else { return }
        guard header.sourcePortIdentity == parent || configuration.ignoreSourceIdentity else {
            diagnose(.notFromParent(.followUp), into: &actions)
            return
        }
        guard let pending = pendingSync, pending.sequenceId == header.sequenceId,
            pending.source == header.sourcePortIdentity
        else {
            // It may have overtaken its Sync: keep it for the next Sync, if that one is newer.
            if lastSyncSequence.map({ Int16(bitPattern: header.sequenceId &- $0) > 0 }) ?? true {
                if earlyFollowUp != nil { diagnose(.unmatchedFollowUp, into: &actions) }
                earlyFollowUp = (
                    header.sequenceId, body.preciseOriginTimestamp.instant, header.correctionField.duration, received
                )
            } else {
                diagnose(.unmatchedFollowUp, into: &actions)
            }
            return
        }
        pendingSync = nil
        synchronize(
            sequenceId: header.sequenceId, t1: body.preciseOriginTimestamp.instant,
            correction: pending.correction + header.correctionField.duration, t2: pending.t2,
            logInterval: pending.logInterval, into: &actions)
    }

    /// offsetFromMaster = t2 − t1 − corrections − meanPathDelay − delayAsymmetry (11.3, 11.4, 16.8).
    mutating func synchronize(
        sequenceId: UInt16, t1: PTPInstant, correction: PTPDuration, t2: PTPInstant, logInterval: LogInterval,
        into actions: inout [PortAction]
    ) {
        let masterTime = t1 + correction
        lastSync = (masterTime, t2)
        if configuration.reportsSlaveTiming, let parent {
            // linuxptp port_synchronize → monitor_sync: the corrections with the asymmetry process_sync added.
            actions.append(
                .slaveTiming(
                    SlaveTimingRecord(
                        kind: .sync, master: parent, sequenceId: sequenceId, origin: t1,
                        correction: correction + configuration.delayAsymmetry, receipt: t2)))
        }
        // linuxptp clock.c: initial_delay stands in for the path delay until one is measured.
        let filtered = (configuration.delayMechanism == .p2p ? peerMeanPathDelay : meanPathDelay) ?? configuration.initialDelay
        let raw = configuration.delayMechanism == .p2p ? rawPeerMeanPathDelay : rawMeanPathDelay
        guard let filtered, let parent else { return }
        let delay = configuration.rawDelayForOffset ? raw ?? filtered : filtered
        let offset = t2 - masterTime - delay - configuration.delayAsymmetry
        counters.measurements += 1
        var measurement = SyncMeasurement(
            portNumber: configuration.portNumber, master: parent, offsetFromMaster: offset, meanPathDelay: filtered,
            ingress: t2, logSyncInterval: logInterval)
        // linuxptp tsproc.c: weight = filtered ÷ raw delay, at most 1, when both are positive; else 1.
        if configuration.weightedOffsets, let raw, filtered > .zero, raw > .zero {
            measurement.weight = min(1, filtered.nanosecondsDouble / raw.nanosecondsDouble)
        }
        actions.append(.measurement(measurement))
    }

    mutating func sendDelayReq(into actions: inout [PortAction]) {
        // A unicast client (16.1) sends to its master's address in the table; none before it has a master there.
        let destination = unicastClientEnabled ? unicastClientParentAddress : parentAddress
        if unicastClientEnabled && destination == nil { return }
        let sequenceId = delayReqSequence
        delayReqSequence &+= 1
        delayRequests.sent(sequenceId: sequenceId)
        var h = header(.delayReq, sequenceId: sequenceId, logInterval: .unspecified)
        let token = TransmitToken(messageType: .delayReq, sequenceId: sequenceId)
        // `hybrid_e2e` (linuxptp `port_delay_request`): Delay_Req goes unicast to the master whose Sync we
        // follow, its unicast flag set, so the master answers unicast too; so does a port whose master table's
        // selected master granted Delay_Resp (`unicastDelayRequest`).
        if unicastDelayRequest, let destination {
            h.flags.insert(.unicast)
            let message = PTPMessage(header: h, body: .delayReq(OriginTimestampBody(originTimestamp: .zero)))
            send(message, token: token, to: destination, into: &actions)
            return
        }
        send(
            PTPMessage(header: h, body: .delayReq(OriginTimestampBody(originTimestamp: .zero))), token: token,
            into: &actions)
    }

    /// meanPathDelay = [(t2 − t1) + (t4 − t3) − corrections] / 2 (11.3.3), through the moving median.
    mutating func receiveDelayResp(header: PTPHeader, body: DelayRespBody, into actions: inout [PortAction]) {
        guard isSlaveState, body.requestingPortIdentity == portIdentity else { return }
        guard header.sourcePortIdentity == parent else {
            diagnose(.notFromParent(.delayResp), into: &actions)
            return
        }
        let correction = header.correctionField.duration
        guard
            delayRequests.answered(
                sequenceId: header.sequenceId, t4: body.receiveTimestamp.instant - correction, correction: correction)
        else {
            diagnose(.unmatchedResponse(.delayResp), into: &actions)
            return
        }
        if header.logMessageInterval != LogInterval.unspecified.rawValue {
            masterDelayReqInterval = LogInterval(rawValue: header.logMessageInterval)
        }
        completeDelayMeasurement(sequenceId: header.sequenceId, into: &actions)
    }

    /// Once both t3 (transmit time stamp) and t4 (from Delay_Resp) of request `sequenceId` are known, with the
    /// latest Sync's t1 and t2: one path delay sample into the filter.
    mutating func completeDelayMeasurement(sequenceId: UInt16, into actions: inout [PortAction]) {
        guard let (t3, t4, correction) = delayRequests.complete(sequenceId: sequenceId) else { return }
        if configuration.reportsSlaveTiming, let parent {
            // linuxptp process_delay_resp → monitor_delay: t3, the Delay_Resp's correction, its receiveTimestamp.
            actions.append(
                .slaveTiming(
                    SlaveTimingRecord(
                        kind: .delay, master: parent, sequenceId: sequenceId, origin: t3,
                        correction: correction, receipt: t4 + correction)))
        }
        guard let sync = lastSync else { return }
        let sample = ((sync.t2 - sync.t1) + (t4 - t3)) / 2
        if sample.isNegative {
            diagnose(.negativePathDelay, into: &actions)
        }
        counters.delaySamples += 1
        rawMeanPathDelay = sample
        meanPathDelay = delayFilter.add(sample)
    }
}

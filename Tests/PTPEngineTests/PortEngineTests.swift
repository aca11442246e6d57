import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The port engine's message handling and arithmetic (IEEE 1588-2019 9.5, 11.3, 11.4, 16.7, 16.8),
/// checked to the 2⁻¹⁶ ns against hand-made timing.
@Suite struct PortEngineTests {
    func fixture(
        offset: Int64 = 500, delay: Int64 = 1_000, asymmetry: Int64 = 0,
        slaveConfiguration: PortConfiguration = PortConfiguration(portNumber: 1),
        masterConfiguration: PortConfiguration = PortConfiguration(portNumber: 1)
    ) -> ExchangeFixture {
        let master = PortFixture.master(masterConfiguration)
        let slave = PortFixture.slave(slaveConfiguration, parent: master.portIdentity)
        return ExchangeFixture(
            master: master, slave: slave, offset: .nanoseconds(offset),
            masterToSlave: .nanoseconds(delay + asymmetry), slaveToMaster: .nanoseconds(delay - asymmetry))
    }

    @Test func portsReachTheirStates() {
        let f = fixture()
        #expect(f.master.state == .master)
        #expect(f.slave.state == .uncalibrated)
        #expect(f.slave.parent == f.master.portIdentity)
    }

    @Test func e2eExactOffsetAndDelay() {
        var f = fixture(offset: 500, delay: 1_000)
        // No delay measured yet: no measurement (as ptp4l's tsproc waits for a delay).
        #expect(PortFixture.measurements(f.syncRound()).isEmpty)
        let delayActions = f.delayRound()
        #expect(PortFixture.diagnostics(delayActions).isEmpty)
        #expect(f.slave.meanPathDelay == .nanoseconds(Int64(1_000)))
        let m = PortFixture.measurements(f.syncRound())
        #expect(m.count == 1)
        #expect(m.first?.offsetFromMaster == .nanoseconds(Int64(500)))
        #expect(m.first?.meanPathDelay == .nanoseconds(Int64(1_000)))
        #expect(m.first?.master == f.master.portIdentity)
    }

    @Test func negativeOffsetAndSubNanosecondStamps() {
        var f = fixture(offset: -250_000, delay: 3_333)
        f.masterTime = f.masterTime + .scaledNanoseconds(12_345)
        _ = f.syncRound()
        _ = f.delayRound()
        let m = PortFixture.measurements(f.syncRound())
        #expect(m.first?.offsetFromMaster == .nanoseconds(Int64(-250_000)))
        #expect(m.first?.meanPathDelay == .nanoseconds(Int64(3_333)))
    }

    /// delayAsymmetry (16.8): with the configured asymmetry equal to the real one, the offset is exact.
    @Test func asymmetryIsCorrected() {
        var f = fixture(
            offset: 800, delay: 2_000, asymmetry: 150,
            slaveConfiguration: PortConfiguration(portNumber: 1, delayAsymmetry: .nanoseconds(Int64(150))))
        _ = f.syncRound()
        _ = f.delayRound()
        let m = PortFixture.measurements(f.syncRound())
        #expect(f.slave.meanPathDelay == .nanoseconds(Int64(2_000)))
        #expect(m.first?.offsetFromMaster == .nanoseconds(Int64(800)))
        // Without it the asymmetry shows up in the offset, as the standard says it must.
        var g = fixture(offset: 800, delay: 2_000, asymmetry: 150)
        _ = g.syncRound()
        _ = g.delayRound()
        #expect(PortFixture.measurements(g.syncRound()).first?.offsetFromMaster == .nanoseconds(Int64(950)))
    }

    /// ingressLatency and egressLatency (16.7) move the time stamps to the reference plane.
    @Test func latenciesAreCorrected() {
        let configuration = PortConfiguration(
            portNumber: 1, ingressLatency: .nanoseconds(Int64(40)), egressLatency: .nanoseconds(Int64(25)))
        var f = fixture(offset: 100, delay: 1_000, slaveConfiguration: configuration)
        f.slaveIngressStampLate = .nanoseconds(Int64(40))
        f.slaveEgressStampEarly = .nanoseconds(Int64(25))
        _ = f.syncRound()
        _ = f.delayRound()
        let m = PortFixture.measurements(f.syncRound())
        #expect(m.first?.offsetFromMaster == .nanoseconds(Int64(100)))
        #expect(m.first?.meanPathDelay == .nanoseconds(Int64(1_000)))
    }

    @Test func oneStepSync() {
        var f = fixture(offset: 42, delay: 500, masterConfiguration: PortConfiguration(portNumber: 1, oneStep: true))
        let syncActions = f.master.handle(.timerFired(.sync), at: f.masterTime)
        let sync = PortFixture.sent(syncActions).first { $0.message.messageType == .sync }
        #expect(sync?.insertOriginTimestamp == true)
        #expect(sync?.token == nil)
        #expect(sync?.message.header.flags.contains(.twoStep) == false)
        _ = f.syncRound()
        _ = f.delayRound()
        #expect(PortFixture.measurements(f.syncRound()).first?.offsetFromMaster == .nanoseconds(Int64(42)))
    }

    @Test func followUpCarriesSubNanosecondsInCorrection() {
        var master = PortFixture.master()
        let t1 = PortFixture.origin + .scaledNanoseconds(0x8000)  // +0.5 ns
        let sync = PortFixture.sent(master.handle(.timerFired(.sync), at: t1)).first
        #expect(sync?.message.header.flags.contains(.twoStep) == true)
        guard let token = sync?.token else {
            Issue.record("two-step Sync without a token")
            return
        }
        let follow = PortFixture.sent(master.handle(.transmitted(token, timestamp: t1), at: t1)).first
        #expect(follow?.message.header.correctionField == ScaledNanoseconds(rawValue: 0x8000))
        #expect(follow?.message.header.sequenceId == sync?.message.header.sequenceId)
        if case .followUp(let body) = follow?.message.body {
            #expect(body.preciseOriginTimestamp == WireTimestamp(PortFixture.origin))
        } else {
            Issue.record("no Follow_Up")
        }
    }

    @Test func syncFromAnotherMasterIsRejected() {
        var f = fixture()
        _ = f.syncRound()
        _ = f.delayRound()
        let stranger = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xCC), portNumber: 1)
        let header = PTPHeader(messageType: .sync, sourcePortIdentity: stranger, sequenceId: 100, flags: [.twoStep])
        let actions = f.slave.handle(
            .received(
                PTPMessage(header: header, body: .sync(.init(originTimestamp: .zero))),
                timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(actions) == [.notFromParent(.sync)])
        #expect(PortFixture.measurements(actions).isEmpty)
    }

    @Test func outOfOrderSyncIsRejected() {
        var f = fixture()
        _ = f.syncRound()
        _ = f.delayRound()
        _ = f.syncRound()  // sequence 1
        let old = PTPHeader(messageType: .sync, sourcePortIdentity: f.master.portIdentity, sequenceId: 0, flags: [.twoStep])
        let actions = f.slave.handle(
            .received(
                PTPMessage(header: old, body: .sync(.init(originTimestamp: .zero))),
                timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(actions) == [.outOfOrder(.sync)])
    }

    @Test func followUpForAnOldSyncIsCounted() {
        var f = fixture()
        _ = f.syncRound()  // Sync and Follow_Up with sequenceId 0
        let header = PTPHeader(messageType: .followUp, sourcePortIdentity: f.master.portIdentity, sequenceId: 0)
        let message = PTPMessage(header: header, body: .followUp(.init(preciseOriginTimestamp: .zero)))
        let actions = f.slave.handle(.received(message, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(actions) == [.unmatchedFollowUp])
        #expect(f.slave.counters.diagnostics == 1)
    }

    /// The Delay_Resp may arrive before the Delay_Req's own transmit time stamp; the sample waits for it.
    @Test func delayRespBeforeTransmitTimestamp() {
        var f = fixture(offset: 200, delay: 1_500)
        _ = f.syncRound()
        let t3 = f.masterTime + f.offset
        let request = PortFixture.sent(f.slave.handle(.timerFired(.delayRequest), at: t3)).first
        guard let request, let token = request.token else {
            Issue.record("no Delay_Req")
            return
        }
        let t4 = t3 - f.offset + f.slaveToMaster
        for r in PortFixture.sent(f.master.handle(.received(request.message, timestamp: t4), at: t4)) {
            _ = f.slave.handle(.received(r.message, timestamp: t4), at: t4)
        }
        #expect(f.slave.meanPathDelay == nil)
        _ = f.slave.handle(.transmitted(token, timestamp: t3), at: t3)
        #expect(f.slave.meanPathDelay == .nanoseconds(Int64(1_500)))
    }

    /// A master that answers late (after the slave's next Delay_Req has left, as one answering in the pass of its
    /// next Sync may): the answer still completes its own request's measurement, and the later request its own.
    @Test func anAnswerAfterTheNextRequestStillCompletesItsRequest() {
        var f = fixture(offset: 200, delay: 1_500)
        _ = f.syncRound()
        var requests: [(message: PTPMessage, t3: PTPInstant)] = []
        for i in 0..<2 {
            let t3 = f.masterTime + f.offset + .milliseconds(Int64(10 * i))
            let request = PortFixture.sent(f.slave.handle(.timerFired(.delayRequest), at: t3)).first
            guard let request, let token = request.token else {
                Issue.record("no Delay_Req")
                return
            }
            _ = f.slave.handle(.transmitted(token, timestamp: t3), at: t3)
            requests.append((request.message, t3))
        }
        #expect(requests.map(\.message.header.sequenceId) == [0, 1])
        // The first request's answer comes after the second request left: one sample, the exact delay.
        for (n, (message, t3)) in requests.enumerated() {
            let t4 = t3 - f.offset + f.slaveToMaster
            var diagnostics: [PortDiagnostic] = []
            for r in PortFixture.sent(f.master.handle(.received(message, timestamp: t4), at: t4)) {
                diagnostics += PortFixture.diagnostics(f.slave.handle(.received(r.message, timestamp: t4), at: t4))
            }
            #expect(diagnostics.isEmpty, "answer \(n)")
            #expect(f.slave.meanPathDelay == .nanoseconds(Int64(1_500)), "answer \(n)")
            #expect(f.slave.counters.delaySamples == UInt64(n + 1), "answer \(n)")
        }
        // An answer to a request already answered is one without a request.
        let again = PortFixture.sent(f.master.handle(.received(requests[0].message, timestamp: f.masterTime), at: f.masterTime))
        var diagnostics: [PortDiagnostic] = []
        for r in again {
            diagnostics += PortFixture.diagnostics(
                f.slave.handle(.received(r.message, timestamp: f.masterTime), at: f.masterTime))
        }
        #expect(diagnostics == [.unmatchedResponse(.delayResp)])
    }

    @Test func delayRespForAnotherPortIsIgnored() {
        var f = fixture()
        let other = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xDD), portNumber: 1)
        let header = PTPHeader(messageType: .delayResp, sourcePortIdentity: f.master.portIdentity, sequenceId: 0)
        let message = PTPMessage(header: header, body: .delayResp(.init(receiveTimestamp: .zero, requestingPortIdentity: other)))
        let actions = f.slave.handle(.received(message, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(actions.isEmpty)
        #expect(f.slave.meanPathDelay == nil)
    }

    @Test func garbageBytesAreCountedNotFatal() {
        var f = fixture()
        let actions = f.slave.handle(.receivedBytes([0x00, 0x02, 0x00], timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(f.slave.counters.decodeFailures == 1)
        #expect(PortFixture.diagnostics(actions).count == 1)
        // Encoded bytes of a real message go through the same path.
        _ = f.syncRound()
        _ = f.delayRound()
        let sync = PortFixture.sent(f.master.handle(.timerFired(.sync), at: f.masterTime)).first
        if let bytes = sync?.message.encoded() {
            _ = f.slave.handle(.receivedBytes(bytes, timestamp: f.masterTime), at: f.masterTime)
        }
        #expect(f.slave.counters.decodeFailures == 1)
    }

    @Test func wrongDomainIsCounted() {
        var f = fixture()
        var header = PTPHeader(messageType: .sync, sourcePortIdentity: f.master.portIdentity, sequenceId: 1)
        header.domainNumber = 24
        let actions = f.slave.handle(
            .received(
                PTPMessage(header: header, body: .sync(.init(originTimestamp: .zero))),
                timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(actions) == [.wrongDomain(24)])
    }

    @Test func servoLockMakesSlaveAndStepMakesUncalibrated() {
        var f = fixture()
        let locked = f.slave.handle(.masterClockSelected, at: PortFixture.origin)
        #expect(PortFixture.stateChanges(locked).map(\.description) == ["port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED"])
        let stepped = f.slave.handle(.synchronizationFault, at: PortFixture.origin)
        #expect(
            PortFixture.stateChanges(stepped).map(\.description) == ["port 1: SLAVE to UNCALIBRATED on SYNCHRONIZATION_FAULT"])
    }

    @Test func masterAnswersDelayReqWithCorrection() {
        var master = PortFixture.master()
        let requester = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 3)
        var header = PTPHeader(messageType: .delayReq, sourcePortIdentity: requester, sequenceId: 77)
        header.correctionField = ScaledNanoseconds(rawValue: 0x10000)  // 1 ns from a transparent clock
        let t4 = PortFixture.origin + .nanoseconds(Int64(5)) + .scaledNanoseconds(0x4000)
        let out = PortFixture.sent(
            master.handle(
                .received(
                    PTPMessage(header: header, body: .delayReq(.init(originTimestamp: .zero))),
                    timestamp: t4), at: t4))
        #expect(out.count == 1)
        let response = out.first?.message
        #expect(response?.header.sequenceId == 77)
        #expect(response?.header.correctionField == ScaledNanoseconds(rawValue: 0x10000 - 0x4000))
        if case .delayResp(let body) = response?.body {
            #expect(body.requestingPortIdentity == requester)
            #expect(body.receiveTimestamp == WireTimestamp(PortFixture.origin + .nanoseconds(Int64(5))))
        } else {
            Issue.record("no Delay_Resp")
        }
    }
}

/// A Follow_Up that overtakes its Sync is kept and used when the Sync arrives (as ptp4l does).
@Suite struct FollowUpOrderTests {
    @Test func followUpBeforeSyncStillMeasures() {
        let master = PortFixture.master()
        var f = ExchangeFixture(
            master: master, slave: PortFixture.slave(parent: master.portIdentity),
            offset: .nanoseconds(Int64(300)), masterToSlave: .nanoseconds(Int64(900)),
            slaveToMaster: .nanoseconds(Int64(900)))
        _ = f.syncRound()
        _ = f.delayRound()
        let t1 = f.masterTime
        let sync = PortFixture.sent(f.master.handle(.timerFired(.sync), at: t1)).first
        guard let sync, let token = sync.token else {
            Issue.record("no Sync")
            return
        }
        let follow = PortFixture.sent(f.master.handle(.transmitted(token, timestamp: t1), at: t1))
        let t2 = t1 + .nanoseconds(Int64(1_200))
        var actions: [PortAction] = []
        for m in follow { actions += f.slave.handle(.received(m.message, timestamp: t2), at: t2) }
        actions += f.slave.handle(.received(sync.message, timestamp: t2), at: t2)
        #expect(PortFixture.diagnostics(actions).isEmpty)
        #expect(PortFixture.measurements(actions).first?.offsetFromMaster == .nanoseconds(Int64(300)))
    }
}

extension PortEngineTests {
    /// `syncReceiptTimeout` (ptp4l's FD_SYNC_RX_TIMER): a slave arms it from its master's Sync interval,
    /// re-arms it with every Sync, and gives the master up when it fires (as an announce timeout).
    @Test func syncReceiptTimeoutGivesUpASilentMaster() {
        let slaveConfiguration = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(-3), syncReceiptTimeout: 4)
        var f = fixture(
            slaveConfiguration: slaveConfiguration,
            masterConfiguration: PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(-2)))
        let armed = f.syncRound().compactMap { action -> PTPDuration? in
            if case .armTimer(.syncReceipt, let after) = action { after } else { nil }
        }
        // Four of the master's Sync intervals (2^-2 s, from its Sync's logMessageInterval), not the port's own.
        #expect(armed == [.milliseconds(Int64(1_000))])
        let later = f.masterTime + .seconds(Int64(1))
        let actions = f.slave.handle(.timerFired(.syncReceipt), at: later)
        #expect(
            PortFixture.stateChanges(actions).map(\.description) == [
                "port 1: UNCALIBRATED to MASTER on ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES"
            ])
        // Off by default: no timer.
        var quiet = fixture()
        #expect(!quiet.syncRound().contains { if case .armTimer(.syncReceipt, _) = $0 { true } else { false } })
    }
}

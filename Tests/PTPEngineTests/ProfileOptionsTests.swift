import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The port options of the IEEE 802.1AS / automotive profiles as linuxptp 3.1's port.c carries them out:
/// transportSpecific, the Follow_Up information TLV, PATH_TRACE, BMCA noop (a designated master),
/// inhibit_announce, inhibit_delay_req and assume_two_step.
@Suite struct ProfileOptionsTests {
    static func armed(_ actions: [PortAction]) -> [PortTimer] {
        actions.compactMap { if case .armTimer(let t, _) = $0 { t } else { nil } }
    }

    /// automotive-master.cfg's port: a designated master on P2P that sends no Announce and no Pdelay_Req,
    /// with transportSpecific 1 and the Follow_Up information TLV.
    static var automotiveMaster: PortConfiguration {
        var c = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(-3), delayMechanism: .p2p, masterOnly: true)
        c.transportSpecific = 1
        c.followUpInformation = true
        c.pathTrace = true
        c.designatedMaster = true
        c.inhibitAnnounce = true
        c.inhibitDelayRequest = true
        c.alwaysASCapable = true
        return c
    }

    @Test func aDesignatedMasterIsMasterAtOnceAndSendsOnlySyncAndFollowUp() throws {
        var port = PortFixture.port(PortFixture.masterClock, Self.automotiveMaster)
        let start = port.handle(.linkUp, at: PortFixture.origin)
        #expect(port.state == .master)
        #expect(PortFixture.stateChanges(start).map(\.to) == [.master])
        #expect(Self.armed(start) == [.sync])  // no announce, no pdelay request, no announce receipt
        #expect(PortFixture.sent(start).isEmpty)
        let t = PortFixture.origin + .milliseconds(Int64(125))
        let sync = try #require(PortFixture.sent(port.handle(.timerFired(.sync), at: t)).first)
        #expect(sync.message.header.majorSdoId == 1)
        let token = try #require(sync.token)
        let followUp = try #require(PortFixture.sent(port.handle(.transmitted(token, timestamp: t), at: t)).first)
        #expect(followUp.message.header.majorSdoId == 1)
        // 802.1AS-2011 11.4.4.3: organizationId 00-80-C2, subtype 1, 22 octets of zeros; on the wire a TLV of
        // length 28 after the 44-octet Follow_Up.
        #expect(followUp.message.tlvs.count == 1)
        guard case .organizationExtension(let tlv) = followUp.message.tlvs.first else {
            Issue.record("no organization extension TLV")
            return
        }
        #expect(tlv.organizationId == 0x0080C2 && tlv.organizationSubType == 1 && tlv.dataField == Array(repeating: 0, count: 22))
        let bytes = followUp.message.encoded()
        #expect(bytes.count == 44 + 4 + 28)
        #expect(Array(bytes[44..<50]) == [0x00, 0x03, 0x00, 0x1C, 0x00, 0x80])
        #expect(bytes[0] >> 4 == 1)
        // Timers that fire anyway do nothing: no Announce, no Pdelay_Req.
        #expect(PortFixture.sent(port.handle(.timerFired(.announce), at: t)).isEmpty)
        #expect(PortFixture.sent(port.handle(.timerFired(.pdelayRequest), at: t)).isEmpty)
        // A peer's Pdelay_Req is still answered (inhibit_delay_req stops only our own requests).
        let peer = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
        var request = PTPHeader(messageType: .pdelayReq, sourcePortIdentity: peer, sequenceId: 9)
        request.majorSdoId = 1
        let answered = port.handle(
            .received(PTPMessage(header: request, body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))), timestamp: t), at: t)
        #expect(PortFixture.sent(answered).map(\.message.messageType) == [.pdelayResp])
    }

    @Test func aMessageOfAnotherTransportSpecificIsDropped() {
        var port = PortFixture.port(PortFixture.masterClock, Self.automotiveMaster)
        _ = port.handle(.linkUp, at: PortFixture.origin)
        let peer = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
        let request = PTPHeader(messageType: .pdelayReq, sourcePortIdentity: peer, sequenceId: 9)  // majorSdoId 0
        let actions = port.handle(
            .received(
                PTPMessage(header: request, body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))),
                timestamp: PortFixture.origin),
            at: PortFixture.origin)
        #expect(PortFixture.sent(actions).isEmpty)
        #expect(PortFixture.diagnostics(actions) == [.wrongTransportSpecific(0)])
        var ignoring = Self.automotiveMaster
        ignoring.ignoreTransportSpecific = true
        var lenient = PortFixture.port(PortFixture.masterClock, ignoring)
        _ = lenient.handle(.linkUp, at: PortFixture.origin)
        let answered = lenient.handle(
            .received(
                PTPMessage(header: request, body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))),
                timestamp: PortFixture.origin),
            at: PortFixture.origin)
        #expect(PortFixture.sent(answered).count == 1)
    }

    @Test func announceCarriesThePathTraceAndALoopIsDropped() throws {
        var c = PortConfiguration(portNumber: 1)
        c.pathTrace = true
        var master = PortFixture.port(PortFixture.masterClock, c)
        var content = PortFixture.content
        let upstream = [ClockIdentity(rawValue: 0x11), ClockIdentity(rawValue: 0x22)]
        content.pathTrace = upstream
        master.announceContent = content
        _ = master.handle(.linkUp, at: PortFixture.origin)
        // MASTER at once (M2): the entry sends the first Announce.
        let entry = master.handle(.recommendedState(.m2, parent: nil, stepsRemoved: 0), at: PortFixture.origin)
        let announce = try #require(PortFixture.sent(entry).first { $0.message.messageType == .announce })
        #expect(announce.message.tlvs == [.pathTrace(upstream + [PortFixture.masterClock])])

        // A port of the slave clock hears an Announce whose path holds the slave clock: a loop, dropped.
        var slaveConfiguration = PortConfiguration(portNumber: 1)
        slaveConfiguration.pathTrace = true
        var slave = PortFixture.port(PortFixture.slaveClock, slaveConfiguration)
        _ = slave.handle(.linkUp, at: PortFixture.origin)
        var looped = announce.message
        looped.tlvs = [.pathTrace([ClockIdentity(rawValue: 0x11), PortFixture.slaveClock, PortFixture.masterClock])]
        let dropped = slave.handle(.received(looped, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(dropped) == [.pathTraceLoop])
        #expect(slave.foreignMasters.records.isEmpty)
        // Without the loop it is entered and its path kept for when the sender becomes the parent.
        let kept = slave.handle(.received(announce.message, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(PortFixture.diagnostics(kept).isEmpty)
        #expect(slave.foreignMasters.records.count == 1)
        #expect(slave.pathTraces[announce.message.header.sourcePortIdentity] == upstream + [PortFixture.masterClock])
    }

    @Test func assumeTwoStepWaitsForTheFollowUpOfAOneStepSync() {
        let parent = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        var c = PortConfiguration(portNumber: 1)
        c.assumeTwoStep = true
        var slave = PortFixture.slave(c, parent: parent)
        let header = PTPHeader(messageType: .sync, sourcePortIdentity: parent, sequenceId: 1)  // no twoStep flag
        let sync = PTPMessage(
            header: header, body: .sync(OriginTimestampBody(originTimestamp: WireTimestamp(PortFixture.origin))))
        let t2 = PortFixture.origin + .microseconds(Int64(5))
        let followUp = PTPMessage(
            header: PTPHeader(messageType: .followUp, sourcePortIdentity: parent, sequenceId: 1),
            body: .followUp(FollowUpBody(preciseOriginTimestamp: WireTimestamp(PortFixture.origin))))
        // assume_two_step: the Sync waits for its Follow_Up, which then matches it.
        _ = slave.handle(.received(sync, timestamp: t2), at: t2)
        #expect(PortFixture.diagnostics(slave.handle(.received(followUp, timestamp: t2), at: t2)).isEmpty)
        // Without it the Sync was complete by itself and the Follow_Up matches nothing.
        var plain = PortFixture.slave(parent: parent)
        _ = plain.handle(.received(sync, timestamp: t2), at: t2)
        #expect(PortFixture.diagnostics(plain.handle(.received(followUp, timestamp: t2), at: t2)) == [.unmatchedFollowUp])
    }

    /// `maxStepsRemoved`: an Announce with that many steps or more is not entered (linuxptp `process_announce`).
    @Test(arguments: [(UInt16(4), UInt16(3), true), (4, 4, false), (255, 254, true)])
    func maxStepsRemovedDropsFarAnnounces(limit: UInt16, steps: UInt16, entered: Bool) {
        var c = PortConfiguration(portNumber: 1)
        c.maxStepsRemoved = limit
        var port = PortFixture.port(PortFixture.slaveClock, c)
        _ = port.handle(.linkUp, at: PortFixture.origin)
        let sender = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        let announce = PTPMessage(
            header: PTPHeader(messageType: .announce, sourcePortIdentity: sender, sequenceId: 1),
            body: .announce(
                AnnounceBody(
                    currentUtcOffset: 37, grandmasterPriority1: 128, grandmasterClockQuality: .default,
                    grandmasterPriority2: 128, grandmasterIdentity: PortFixture.masterClock, stepsRemoved: steps,
                    timeSource: .internalOscillator)))
        let actions = port.handle(.received(announce, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(port.foreignMasters.records.count == (entered ? 1 : 0))
        #expect(PortFixture.diagnostics(actions) == (entered ? [] : [.announceRejected(.stepsRemovedLimit)]))
    }

    /// Runs one peer delay exchange from `requester` to `responder` over a wire of `delay` each way, with the
    /// responder's clock `offset` ahead and running `rate` fast; returns the time after it.
    static func exchange(
        _ requester: inout PortEngine, _ responder: inout PortEngine, at t: PTPInstant, delay: PTPDuration,
        offset: PTPDuration = .zero, rate: Double = 1
    ) -> PTPInstant {
        func there(_ local: PTPInstant) -> PTPInstant {
            let elapsed = (local - PortFixture.origin).nanosecondsDouble
            return PortFixture.origin + offset + .nanoseconds(elapsed * rate)
        }
        let request = PortFixture.sent(requester.handle(.timerFired(.pdelayRequest), at: t))
        guard let req = request.first(where: { $0.message.messageType == .pdelayReq }), let token = req.token else { return t }
        _ = requester.handle(.transmitted(token, timestamp: t), at: t)
        let t2 = t + delay
        let responses = PortFixture.sent(responder.handle(.received(req.message, timestamp: there(t2)), at: there(t2)))
        guard let resp = responses.first, let respToken = resp.token else { return t }
        let t3 = t2 + .microseconds(Int64(10))
        let followUps = PortFixture.sent(responder.handle(.transmitted(respToken, timestamp: there(t3)), at: there(t3)))
        let t4 = t3 + delay
        _ = requester.handle(.received(resp.message, timestamp: t4), at: t4)
        for f in followUps { _ = requester.handle(.received(f.message, timestamp: t4), at: t4) }
        return t4 + .seconds(Int64(1))
    }

    /// 802.1AS asCapable as linuxptp's `port_capable`: a gPTP port (follow_up_info, asCapable auto) sends no
    /// Sync or Announce until it has a peer, a peer delay within the limits and a neighbour rate ratio (three
    /// exchanges at freq_est_interval 1 and one Pdelay_Req a second); too long a peer delay keeps it silent.
    @Test(arguments: [(Int64(20_000_000), true), (Int64(500), false)])
    func anIEEE8021ASPortIsAsCapableByTheRules(threshold: Int64, capable: Bool) throws {
        var c = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        c.transportSpecific = 1
        c.followUpInformation = true
        c.neighborPropDelayThresh = threshold
        var port = PortFixture.master(c)
        var peerConfiguration = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        peerConfiguration.transportSpecific = 1
        var peer = PortFixture.port(PortFixture.slaveClock, peerConfiguration)
        _ = peer.handle(.linkUp, at: PortFixture.origin)
        #expect(!port.asCapable)
        var t = PortFixture.origin + .seconds(Int64(1))
        #expect(PortFixture.sent(port.handle(.timerFired(.sync), at: t)).isEmpty)
        for _ in 0..<2 {
            t = Self.exchange(&port, &peer, at: t, delay: .nanoseconds(Int64(1_000)), rate: 1.000_05)
        }
        #expect(port.neighbor.peer != nil && !port.neighbor.rateRatioValid && !port.asCapable)
        t = Self.exchange(&port, &peer, at: t, delay: .nanoseconds(Int64(1_000)), rate: 1.000_05)
        #expect(port.neighbor.rateRatioValid)
        // The peer's clock runs 50 ppm fast: the ratio says so.
        #expect(abs(port.neighbor.rateRatio - 1.000_05) < 1e-9, "\(port.neighbor.rateRatio)")
        #expect(port.asCapable == capable)
        let sent = PortFixture.sent(port.handle(.timerFired(.sync), at: t))
        #expect(sent.contains { $0.message.messageType == .sync } == capable)
        // Four requests in a row unanswered: more than three lost responses, not asCapable.
        for _ in 0..<5 { _ = port.handle(.timerFired(.pdelayRequest), at: t) }
        #expect(!port.asCapable)
    }

    /// `delay_filter moving_average` (linuxptp mave.c) next to the default moving median.
    @Test func theMovingAverageAveragesTheLastSamples() {
        var average = PathDelayFilter(.movingAverage, length: 3)
        let outputs = [10, 20, 60, 40].map { average.add(.nanoseconds(Int64($0))) }
        #expect(outputs == [10, 15, 30, 40].map { PTPDuration.nanoseconds(Int64($0)) })
        var median = PathDelayFilter(.movingMedian, length: 3)
        #expect([10, 20, 60, 40].map { median.add(.nanoseconds(Int64($0))) }.last == .nanoseconds(Int64(40)))
        average.reset()
        #expect(average.add(.nanoseconds(Int64(7))) == .nanoseconds(Int64(7)))
    }

    /// `tsproc_mode raw`: the offset uses the latest path delay sample; `filter` the moving median. After
    /// two exchanges at 1 µs and one at 5 µs, the median is still 1 µs and the raw sample 5 µs: the raw
    /// offset differs by the 4 µs. The weighted modes give the same offsets with weight 1 µs ÷ 5 µs = 0.2.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func rawModeUsesTheLatestDelaySample(raw: Bool, weighted: Bool) throws {
        var slaveConfiguration = PortConfiguration(portNumber: 1)
        slaveConfiguration.rawDelayForOffset = raw
        slaveConfiguration.weightedOffsets = weighted
        let master = PortFixture.master()
        var fixture = ExchangeFixture(
            master: master, slave: PortFixture.slave(slaveConfiguration, parent: master.portIdentity), offset: .zero,
            masterToSlave: .microseconds(Int64(1)), slaveToMaster: .microseconds(Int64(1)))
        _ = fixture.syncRound()
        _ = fixture.delayRound()
        _ = fixture.delayRound()
        fixture.slaveToMaster = .microseconds(Int64(9))
        _ = fixture.delayRound()
        let measurement = try #require(PortFixture.measurements(fixture.syncRound()).first)
        let expected: PTPDuration = raw ? .microseconds(Int64(-4)) : .zero
        #expect(measurement.offsetFromMaster == expected, "\(measurement.offsetFromMaster)")
        #expect(measurement.meanPathDelay == .microseconds(Int64(1)))
        #expect(measurement.weight == (weighted ? 0.2 : 1), "\(measurement.weight)")
    }

    /// automotive-slave.cfg's port: a designated slave (BMCA noop, slaveOnly) is SLAVE from the start, waits
    /// for no Announce, takes the Sync of whoever sends it (ignore_source_id), and stays SLAVE on a step.
    @Test func aDesignatedSlaveFollowsWhoeverSendsSync() throws {
        var c = PortConfiguration(portNumber: 1, delayMechanism: .noMechanism)
        c.designatedSlave = true
        c.ignoreSourceIdentity = true
        c.inhibitAnnounce = true
        c.syncReceiptTimeout = 3
        var slave = PortEngine(
            configuration: c, clockIdentity: PortFixture.slaveClock, slaveOnly: true, announceContent: PortFixture.content,
            seed: 1)
        let start = slave.handle(.linkUp, at: PortFixture.origin)
        #expect(slave.state == .slave)
        #expect(Self.armed(start).isEmpty, "\(Self.armed(start))")  // no announce or sync receipt timeout
        let sender = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        var header = PTPHeader(messageType: .sync, sourcePortIdentity: sender, sequenceId: 1, flags: [.twoStep])
        header.logMessageInterval = -3
        let t2 = PortFixture.origin + .milliseconds(Int64(1))
        _ = slave.handle(
            .received(PTPMessage(header: header, body: .sync(OriginTimestampBody(originTimestamp: .zero))), timestamp: t2), at: t2
        )
        #expect(slave.parent == sender)
        let followUp = PTPMessage(
            header: PTPHeader(messageType: .followUp, sourcePortIdentity: sender, sequenceId: 1),
            body: .followUp(FollowUpBody(preciseOriginTimestamp: WireTimestamp(PortFixture.origin))))
        #expect(PortFixture.diagnostics(slave.handle(.received(followUp, timestamp: t2), at: t2)).isEmpty)
        _ = slave.handle(.synchronizationFault, at: t2)
        #expect(slave.state == .slave)
    }

    /// 802.1AS message interval requests (linuxptp port_signaling.c): a master port takes the Sync interval a
    /// request asks for (126 = back to the configured one, -128 = unchanged), and a slave port with
    /// msg_interval_request asks for operLogSyncInterval the first time its servo is stable.
    @Test func messageIntervalRequestsAreSentAndHonoured() throws {
        var master = PortFixture.master(PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(-3)))
        func request(_ sync: Int8, announce: Int8 = -128) -> PTPMessage {
            let tlv = TLV.organizationExtension(
                OrganizationExtensionTLV(
                    organizationId: 0x0080C2, organizationSubType: 2,
                    dataField: [0x80, UInt8(bitPattern: sync), UInt8(bitPattern: announce), 0, 0, 0]))
            return PTPMessage(
                header: PTPHeader(
                    messageType: .signaling,
                    sourcePortIdentity: PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1),
                    sequenceId: 1),
                body: .signaling(
                    SignalingBody(
                        targetPortIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: .max), portNumber: .max))),
                tlvs: [tlv])
        }
        let t = PortFixture.origin
        _ = master.handle(.received(request(0), timestamp: t), at: t)
        #expect(master.configuration.logSyncInterval == LogInterval(0))
        #expect(master.portDS.logSyncInterval == LogInterval(0))
        #expect(master.configuration.logAnnounceInterval == LogInterval(1))  // -128: unchanged
        let synced = master.handle(.timerFired(.sync), at: t)
        #expect(synced.contains { if case .armTimer(.sync, let after) = $0 { after == .seconds(Int64(1)) } else { false } })
        _ = master.handle(.received(request(126), timestamp: t), at: t)
        #expect(master.configuration.logSyncInterval == LogInterval(-3))

        // The slave side: stable once, it takes its operational intervals and asks for operLogSyncInterval.
        var c = PortConfiguration(portNumber: 1, logMinPdelayReqInterval: LogInterval(0), delayMechanism: .p2p)
        c.messageIntervalRequest = true
        c.operLogSyncInterval = LogInterval(0)
        c.operLogPdelayReqInterval = LogInterval(2)
        var slave = PortFixture.slave(c, parent: master.portIdentity)
        let asked = PortFixture.sent(slave.handle(.servoStable(first: true, syncInterval: LogInterval(-3)), at: t))
        #expect(slave.configuration.logMinPdelayReqInterval == LogInterval(2))
        let signaling = try #require(asked.first { $0.message.messageType == .signaling })
        guard case .organizationExtension(let tlv) = signaling.message.tlvs.first else {
            Issue.record("no interval request TLV")
            return
        }
        #expect(tlv.organizationSubType == 2 && tlv.dataField.prefix(3) == [0x80, 0x00, 0x80])
        // The master honours it; a later stable sample at another interval is a synchronization fault.
        _ = master.handle(.received(signaling.message, timestamp: t), at: t)
        #expect(master.configuration.logSyncInterval == LogInterval(0))
        _ = slave.handle(.masterClockSelected, at: t)
        #expect(slave.state == .slave)
        _ = slave.handle(.servoStable(first: false, syncInterval: LogInterval(-3)), at: t)
        #expect(slave.state == .uncalibrated)
    }

    /// linuxptp servo.c: stable after servo_num_offset_values locked samples below the threshold, counted down
    /// (not necessarily in a row); never with a threshold of 0.
    @Test func theServoIsStableAfterEnoughSmallOffsets() {
        let stability = ServoStability(offsetThreshold: 30, offsetValues: 3)
        var countdown = stability.offsetValues
        let offsets = [10, 50, 20, 25, 100].map { stability.isStable(after: .nanoseconds(Int64($0)), countdown: &countdown) }
        #expect(offsets == [false, false, false, true, true])
        var never = 10
        #expect(!ServoStability(offsetThreshold: 0).isStable(after: .zero, countdown: &never))
    }

    /// `initial_delay`: a slave measures offsets with it until the first path delay is measured.
    @Test(arguments: [PTPDuration?.none, .some(.nanoseconds(Int64(1_000)))])
    func initialDelayStandsInUntilTheFirstMeasurement(initial: PTPDuration?) {
        var c = PortConfiguration(portNumber: 1)
        c.initialDelay = initial
        let master = PortFixture.master()
        var fixture = ExchangeFixture(
            master: master, slave: PortFixture.slave(c, parent: master.portIdentity), offset: .nanoseconds(Int64(300)),
            masterToSlave: .nanoseconds(Int64(1_000)), slaveToMaster: .nanoseconds(Int64(1_000)))
        let first = PortFixture.measurements(fixture.syncRound())
        #expect(first.count == (initial == nil ? 0 : 1))
        #expect(first.first.map { $0.offsetFromMaster == .nanoseconds(Int64(300)) } ?? true)
    }
}

/// `delay_mechanism Auto` (linuxptp 3.1 `process_pdelay_req`): end to end until a Pdelay_Req comes, then peer to
/// peer for good; a plain E2E port ignores the Pdelay_Req.
@Suite struct AutomaticDelayMechanismTests {
    @Test(arguments: [false, true])
    func aPdelayReqSwitchesAnAutoPortToPeerDelay(automatic: Bool) throws {
        var configuration = PortConfiguration(portNumber: 1, delayMechanism: .e2e)
        configuration.automaticDelayMechanism = automatic
        let master = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        var port = PortFixture.slave(configuration, parent: master)
        let delayTimer = port.handle(.timerFired(.delayRequest), at: PortFixture.origin)
        #expect(PortFixture.sent(delayTimer).map(\.message.messageType) == [.delayReq])
        let peer = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x42), portNumber: 7)
        let request = PTPMessage(
            header: PTPHeader(messageType: .pdelayReq, sourcePortIdentity: peer, sequenceId: 3),
            body: .pdelayReq(PdelayReqBody(originTimestamp: .zero)))
        let at = PortFixture.origin + .milliseconds(Int64(5))
        let actions = port.handle(.received(request, timestamp: at), at: at)
        let sent = PortFixture.sent(actions).map(\.message.messageType)
        if automatic {
            #expect(sent == [.pdelayResp])
            #expect(port.portDS.delayMechanism == .p2p)
            #expect(port.configuration.delayMechanism == .p2p)
            #expect(actions.contains { if case .cancelTimer(.delayRequest) = $0 { true } else { false } })
            #expect(actions.contains { if case .armTimer(.pdelayRequest, _) = $0 { true } else { false } })
            #expect(PortFixture.diagnostics(actions).contains { $0.description == "peer detected, switch to P2P" })
            // From now on its delay timer sends Pdelay_Req, not Delay_Req.
            let next = port.handle(.timerFired(.pdelayRequest), at: at)
            #expect(PortFixture.sent(next).map(\.message.messageType) == [.pdelayReq])
            #expect(PortFixture.sent(port.handle(.timerFired(.delayRequest), at: at)).isEmpty)
        } else {
            #expect(sent.isEmpty)
            #expect(port.portDS.delayMechanism == .e2e)
        }
    }
}

/// `check_fup_sync` (linuxptp 3.1 `fup_sync_ok`): a Follow_Up handled before its Sync is paired with it only if
/// it was received no earlier than the Sync; without the check, by sequenceId alone.
@Suite struct CheckFollowUpSyncTests {
    /// The Follow_Up is handled first, received `followUpLead` before (positive) or after (negative) the Sync.
    func pairs(check: Bool, followUpLead: PTPDuration) -> Bool {
        var configuration = PortConfiguration(portNumber: 1)
        configuration.checkFollowUpSync = check
        configuration.initialDelay = .nanoseconds(Int64(1_000))
        let master = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        var slave = PortFixture.slave(configuration, parent: master)
        let t2 = PortFixture.origin + .seconds(Int64(1))
        let followUp = PTPMessage(
            header: PTPHeader(messageType: .followUp, sourcePortIdentity: master, sequenceId: 5),
            body: .followUp(FollowUpBody(preciseOriginTimestamp: WireTimestamp(t2))))
        let sync = PTPMessage(
            header: PTPHeader(messageType: .sync, sourcePortIdentity: master, sequenceId: 5, flags: [.twoStep]),
            body: .sync(OriginTimestampBody(originTimestamp: .zero)))
        let received = t2 - followUpLead
        _ = slave.handle(.received(followUp, timestamp: received), at: received)
        let actions = slave.handle(.received(sync, timestamp: t2), at: t2)
        return !PortFixture.measurements(actions).isEmpty
    }

    @Test func aFollowUpReceivedBeforeItsSyncIsNotPairedUnderTheCheck() {
        #expect(pairs(check: false, followUpLead: .microseconds(3)))
        #expect(!pairs(check: true, followUpLead: .microseconds(3)))
        // Received after the Sync (the general socket read first): paired either way.
        #expect(pairs(check: true, followUpLead: .microseconds(-3)))
        #expect(pairs(check: false, followUpLead: .microseconds(-3)))
    }
}

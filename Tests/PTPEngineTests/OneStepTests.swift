import PTPCore
import PTPEngine
import PTPWire
import Testing

/// One-step (issue 13): a master that sends Sync with twoStepFlag clear and no Follow_Up (ptp4l `time_stamping
/// onestep`, the NIC writing originTimestamp: IEEE 1588-2019 11.3.2, 9.5.9), a Meridian slave that takes its
/// offset from that Sync alone, and the one-step Pdelay_Resp of `p2p1step` (11.4.2 c).
@Suite struct OneStepTests {
    static func oneStepMaster() -> PortEngine {
        var configuration = PortConfiguration(portNumber: 1)
        configuration.oneStep = true
        return PortFixture.master(configuration)
    }

    @Test func oneStepMasterSendsSyncWithoutTwoStepFlagOrFollowUp() throws {
        var master = Self.oneStepMaster()
        let t1 = PortFixture.origin + .milliseconds(Int64(10))
        let actions = master.handle(.timerFired(.sync), at: t1)
        let sent = PortFixture.sent(actions)
        let sync = try #require(sent.first { $0.message.messageType == .sync })
        #expect(!sync.message.header.flags.contains(.twoStep))
        #expect(sync.insertOriginTimestamp)
        // No transmit stamp is awaited (HWTSTAMP_TX_ONESTEP_SYNC gives none back) and no Follow_Up is sent.
        #expect(sync.token == nil)
        #expect(!sent.contains { $0.message.messageType == .followUp })
        // ptp4l sends originTimestamp zero and lets the NIC write it (port.c port_tx_sync).
        if case .sync(let body) = sync.message.body { #expect(body.originTimestamp == .zero) }
        // Delay_Resp and the rest are unchanged: a Delay_Req is answered as in two-step.
        var slave = PortFixture.slave(parent: master.portIdentity)
        let requestActions = slave.handle(.timerFired(.delayRequest), at: t1)
        let request = try #require(PortFixture.sent(requestActions).first { $0.message.messageType == .delayReq })
        #expect(request.token != nil, "a one-step master's slave still stamps its Delay_Req")
        let answer = PortFixture.sent(master.handle(.received(request.message, timestamp: t1), at: t1))
        #expect(answer.map(\.message.messageType) == [.delayResp])
    }

    /// The whole E2E exchange with a one-step master: the slave's offset and delay are exact (the fixture's
    /// one-step path writes t1 into the Sync as a NIC does), with no Follow_Up anywhere.
    @Test(arguments: [(Int64(500), Int64(1_000)), (-250_000, 3_333)])
    func slaveComputesExactOffsetFromOneStepSync(offset: Int64, delay: Int64) {
        let master = Self.oneStepMaster()
        var f = ExchangeFixture(
            master: master, slave: PortFixture.slave(parent: master.portIdentity), offset: .nanoseconds(offset),
            masterToSlave: .nanoseconds(delay), slaveToMaster: .nanoseconds(delay))
        #expect(PortFixture.measurements(f.syncRound()).isEmpty)
        #expect(PortFixture.diagnostics(f.delayRound()).isEmpty)
        #expect(f.slave.meanPathDelay == .nanoseconds(delay))
        for _ in 0..<3 {
            let m = PortFixture.measurements(f.syncRound())
            #expect(m.count == 1)
            #expect(m.first?.offsetFromMaster == .nanoseconds(offset))
            #expect(m.first?.meanPathDelay == .nanoseconds(delay))
        }
    }

    /// A one-step Sync as ptp4l 3.1 puts it on the wire over UDP: 44 bytes of Sync with flagField 0, the
    /// originTimestamp written by the NIC, and the two bytes of padding udp.c adds (`len += 2` for
    /// TRANS_ONESTEP). A Meridian slave decodes it and takes its offset from it at once, with no Follow_Up.
    @Test func slaveTakesPtp4lOneStepSyncFromTheWire() throws {
        let master = Self.oneStepMaster()
        var f = ExchangeFixture(
            master: master, slave: PortFixture.slave(parent: master.portIdentity), offset: .nanoseconds(Int64(700)),
            masterToSlave: .nanoseconds(Int64(2_000)), slaveToMaster: .nanoseconds(Int64(2_000)))
        f.masterTime = PortFixture.origin + .milliseconds(Int64(5))  // whole nanoseconds, as a NIC writes them
        _ = f.syncRound()
        _ = f.delayRound()
        let t1 = f.masterTime
        let sync = try #require(
            PortFixture.sent(f.master.handle(.timerFired(.sync), at: t1)).first { $0.message.messageType == .sync })
        var bytes = sync.message.encoded()
        #expect(bytes.count == 44)
        #expect(bytes[6] == 0 && bytes[7] == 0, "flagField: twoStepFlag clear")
        // The NIC writes originTimestamp (6-byte seconds, 4-byte nanoseconds at offset 34) as the frame leaves.
        let wire = WireTimestamp(t1)
        for i in 0..<6 { bytes[34 + i] = UInt8(truncatingIfNeeded: wire.secondsField >> (8 * (5 - i))) }
        for i in 0..<4 { bytes[40 + i] = UInt8(truncatingIfNeeded: wire.nanosecondsField >> (8 * (3 - i))) }
        bytes += [0, 0]
        let decoded = try PTPMessage.decode(bytes)
        #expect(!decoded.header.flags.contains(.twoStep))
        let t2 = t1 + .nanoseconds(Int64(2_000)) + .nanoseconds(Int64(700))
        let m = PortFixture.measurements(f.slave.handle(.received(decoded, timestamp: t2), at: t2))
        #expect(m.count == 1)
        #expect(m.first?.offsetFromMaster == .nanoseconds(Int64(700)))
    }

    /// `p2p1step`: the responder's Pdelay_Resp carries the request's correction plus its latencies, twoStepFlag
    /// clear and no stamp awaited, and no Pdelay_Resp_Follow_Up follows; once the NIC has added the turnaround
    /// (t3 − t2) to its correctionField, the requester's peer delay is the link delay exactly (11.4.2 c one-step).
    @Test func oneStepPdelayResponseGivesTheLinkDelay() throws {
        let requesterConfiguration = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        var responderConfiguration = PortConfiguration(
            portNumber: 1, delayMechanism: .p2p, ingressLatency: .nanoseconds(Int64(30)), egressLatency: .nanoseconds(Int64(20)))
        responderConfiguration.oneStep = true
        responderConfiguration.oneStepPeerDelay = true
        var a = PortFixture.port(PortFixture.slaveClock, requesterConfiguration)
        var b = PortFixture.port(PortFixture.masterClock, responderConfiguration)
        let start = PortFixture.origin
        _ = a.handle(.linkUp, at: start)
        _ = b.handle(.linkUp, at: start)
        let linkDelay = PTPDuration.nanoseconds(Int64(777))
        let bAhead = PTPDuration.microseconds(3)
        let t1 = start + .nanoseconds(Int64(100))
        var actions = a.handle(.timerFired(.pdelayRequest), at: t1)
        let request = try #require(PortFixture.sent(actions).first)
        let requestToken = try #require(request.token, "Pdelay_Req is still stamped (HWTSTAMP_TX_ONESTEP_P2P stamps it)")
        actions += a.handle(.transmitted(requestToken, timestamp: t1), at: t1)
        // The responder's raw stamps (16.7): the ingress stamp is 30 ns late on the reference plane, the egress
        // stamp 20 ns early.
        let t2Raw = t1 + linkDelay + bAhead + .nanoseconds(Int64(30))
        var withCorrection = request.message
        withCorrection.header.correctionField = ScaledNanoseconds(saturating: .nanoseconds(Int64(5)))
        let responses = PortFixture.sent(b.handle(.received(withCorrection, timestamp: t2Raw), at: t2Raw))
        #expect(responses.map(\.message.messageType) == [.pdelayResp])
        let response = try #require(responses.first)
        #expect(!response.message.header.flags.contains(.twoStep))
        #expect(response.token == nil)
        #expect(response.message.header.correctionField.duration == .nanoseconds(Int64(5 + 20 + 30)))
        if case .pdelayResp(let body) = response.message.body { #expect(body.timestamp == .zero) }
        // The request as it came (correction zero, no transparent clock on a peer-to-peer link).
        let plain = try #require(
            PortFixture.sent(b.handle(.received(request.message, timestamp: t2Raw), at: t2Raw)).first)
        #expect(plain.message.header.correctionField.duration == .nanoseconds(Int64(20 + 30)))
        // The NIC adds its raw turnaround as the frame leaves at t3Raw.
        let t3Raw = t2Raw + .microseconds(15)
        var onWire = plain.message
        onWire.header.correctionField = ScaledNanoseconds(
            saturating: onWire.header.correctionField.duration + (t3Raw - t2Raw))
        // The requester's t4: from the reference plane after t3Raw (+20 ns), over the link, on a's clock.
        let t4 = t3Raw + .nanoseconds(Int64(20)) - bAhead + linkDelay
        actions = a.handle(.received(onWire, timestamp: t4), at: t4)
        #expect(PortFixture.diagnostics(actions).isEmpty)
        #expect(a.peerMeanPathDelay == linkDelay)
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The transparent clock's forwarding and residence arithmetic (IEEE 1588-2019 10.2; linuxptp tc.c): every
/// figure is exact, fixed before the run.
@Suite struct TransparentClockTests {
    static let tcIdentity = ClockIdentity(rawValue: 0x7C)
    static let gmIdentity = ClockIdentity(rawValue: 0x61)
    static let master = PortIdentity(clockIdentity: gmIdentity, portNumber: 1)
    static let downstream = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x5A), portNumber: 1)
    static let t0 = PTPInstant(seconds: 1_700_000_000)

    /// A two-port TC, both ports LISTENING; with the spanning tree, port 1 (index 0) then hears the master
    /// and port 2 (index 1) becomes MASTER.
    static func transparentClock(
        _ mechanism: TransparentClockConfiguration.Mechanism = .endToEnd, spanningTree: Bool = true,
        freeRunning: Bool = false, asymmetry: PTPDuration = .zero
    ) -> InstanceEngine {
        var ds = DefaultDS(clockIdentity: tcIdentity, numberPorts: 2)
        ds.priority1 = 254
        let delay: DelayMechanism = mechanism == .endToEnd ? .e2e : .p2p
        var configuration = InstanceConfiguration(
            defaultDS: ds,
            ports: [
                PortConfiguration(portNumber: 1, delayMechanism: delay, delayAsymmetry: asymmetry),
                PortConfiguration(portNumber: 2, delayMechanism: delay),
            ])
        configuration.transparentClock = TransparentClockConfiguration(
            mechanism: mechanism, spanningTree: spanningTree, freeRunning: freeRunning, frequencyEstimationInterval: 0)
        var tc = InstanceEngine(configuration: configuration)
        _ = tc.handle(.port(0, .linkUp), at: t0)
        _ = tc.handle(.port(1, .linkUp), at: t0)
        return tc
    }

    /// Two Announces from the grandmaster on port 1 (it becomes UNCALIBRATED), port 2's announce timeout
    /// (MASTER); returns what the TC did.
    static func settle(_ tc: inout InstanceEngine) -> [InstanceAction] {
        var actions: [InstanceAction] = []
        for sequence in UInt16(1)...2 {
            let at = t0 + .seconds(Int64(sequence))
            actions += tc.handle(.port(0, .receivedBytes(announce(sequence, steps: 0).encoded(), timestamp: at)), at: at)
        }
        actions += tc.handle(.port(1, .timerFired(.announceReceipt)), at: t0 + .seconds(Int64(8)))
        return actions
    }

    static func announce(_ sequence: UInt16, steps: UInt16) -> PTPMessage {
        let header = PTPHeader(
            messageType: .announce, sourcePortIdentity: master, sequenceId: sequence, logMessageInterval: 0)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: 128,
            grandmasterClockQuality: ClockQuality(clockClass: 248, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF),
            grandmasterPriority2: 128, grandmasterIdentity: gmIdentity, stepsRemoved: steps, timeSource: .internalOscillator)
        return PTPMessage(header: header, body: .announce(body))
    }

    static func sync(_ sequence: UInt16, twoStep: Bool = true, correction: PTPDuration = .zero) -> PTPMessage {
        PTPMessage(
            header: PTPHeader(
                messageType: .sync, sourcePortIdentity: master, sequenceId: sequence, flags: twoStep ? [.twoStep] : [],
                correctionField: ScaledNanoseconds(saturating: correction), logMessageInterval: 0),
            body: .sync(OriginTimestampBody(originTimestamp: WireTimestamp(t0 + .seconds(Int64(sequence))))))
    }

    static func followUp(_ sequence: UInt16, correction: PTPDuration, origin: PTPInstant? = nil) -> PTPMessage {
        PTPMessage(
            header: PTPHeader(
                messageType: .followUp, sourcePortIdentity: master, sequenceId: sequence,
                correctionField: ScaledNanoseconds(saturating: correction), logMessageInterval: 0),
            body: .followUp(FollowUpBody(preciseOriginTimestamp: WireTimestamp(origin ?? t0 + .seconds(Int64(sequence))))))
    }

    static func sent(_ actions: [InstanceAction], port: Int) -> [OutgoingMessage] {
        actions.compactMap { if case .port(port, .send(let m)) = $0 { m } else { nil } }
    }

    /// Port 1 in UNCALIBRATED toward the master, port 2 MASTER; a TC originates no Announce or Sync.
    @Test func theTCFollowsTheBMCAButOriginatesNothing() {
        var tc = Self.transparentClock()
        let actions = Self.settle(&tc)
        #expect(tc.ports[0].state == .uncalibrated)
        #expect(tc.ports[1].state == .master)
        let own = actions.compactMap { action -> MessageType? in
            guard case .port(_, .send(let m)) = action, m.message.header.sourcePortIdentity.clockIdentity == Self.tcIdentity
            else { return nil }
            return m.message.messageType
        }
        #expect(!own.contains(.announce) && !own.contains(.sync), "\(own)")
        let arms = actions.compactMap { action -> PortTimer? in
            if case .port(1, .armTimer(let timer, _)) = action { timer } else { nil }
        }
        #expect(!arms.contains(.sync) && !arms.contains(.announce), "\(arms)")
        // While port 2 listened, nothing went out of it; the master's next Announce goes out of the master port,
        // one step further (tc_spanning_tree), and not back out of port 1.
        #expect(Self.sent(actions, port: 1).isEmpty)
        let at = Self.t0 + .seconds(Int64(9))
        let next = tc.handle(.port(0, .receivedBytes(Self.announce(3, steps: 0).encoded(), timestamp: at)), at: at)
        #expect(Self.sent(next, port: 0).isEmpty)
        let forwarded = Self.sent(next, port: 1).compactMap { m -> AnnounceBody? in
            if case .announce(let body) = m.message.body { body } else { nil }
        }
        #expect(forwarded.map(\.stepsRemoved) == [1])
    }

    /// Two-step Sync: 30 µs of residence into the Follow_Up's correction, whether the Follow_Up comes
    /// after the egress stamp or before it.
    @Test(arguments: [true, false])
    func aSyncsResidenceGoesIntoItsFollowUp(followUpFirst: Bool) throws {
        var tc = Self.transparentClock()
        _ = Self.settle(&tc)
        let ingress = Self.t0 + .seconds(Int64(10))
        var actions = tc.handle(.port(0, .receivedBytes(Self.sync(7).encoded(), timestamp: ingress)), at: ingress)
        let out = try #require(Self.sent(actions, port: 1).first)
        #expect(out.message == Self.sync(7))
        #expect(Self.sent(actions, port: 0).isEmpty)
        let token = try #require(out.token)
        #expect(token.relay != nil)
        let egress = ingress + .microseconds(30)
        let incoming = Self.followUp(7, correction: .nanoseconds(Int64(1_000)))
        if followUpFirst {
            actions = tc.handle(.port(0, .receivedBytes(incoming.encoded(), timestamp: egress)), at: egress)
            #expect(Self.sent(actions, port: 1).isEmpty)
            actions = tc.handle(.port(1, .transmitted(token, timestamp: egress)), at: egress)
        } else {
            actions = tc.handle(.port(1, .transmitted(token, timestamp: egress)), at: egress)
            #expect(Self.sent(actions, port: 1).isEmpty)
            actions = tc.handle(.port(0, .receivedBytes(incoming.encoded(), timestamp: egress)), at: egress)
        }
        let followUp = try #require(Self.sent(actions, port: 1).first)
        #expect(followUp.message.messageType == .followUp)
        #expect(followUp.message.header.correctionField.duration == .nanoseconds(Int64(31_000)))
        #expect(tc.transparent?.counters.lastResidence == .microseconds(30))
        // The TC's own port measured nothing it could use (no Delay_Resp yet), and forwarded nothing back.
        #expect(Self.sent(actions, port: 0).isEmpty)
    }

    /// A one-step Sync leaves two-step, with a Follow_Up carrying its originTimestamp and the residence time
    /// (linuxptp tc_fwd_sync); the Sync keeps its own correction.
    @Test func aOneStepSyncIsForwardedTwoStep() throws {
        var tc = Self.transparentClock()
        _ = Self.settle(&tc)
        let ingress = Self.t0 + .seconds(Int64(10))
        let incoming = Self.sync(9, twoStep: false, correction: .nanoseconds(Int64(500)))
        var actions = tc.handle(.port(0, .receivedBytes(incoming.encoded(), timestamp: ingress)), at: ingress)
        let out = try #require(Self.sent(actions, port: 1).first)
        #expect(out.message.header.flags.contains(.twoStep))
        #expect(out.message.header.correctionField.duration == .nanoseconds(Int64(500)))
        actions = tc.handle(.port(1, .transmitted(try #require(out.token), timestamp: ingress + .microseconds(12))), at: ingress)
        let followUp = try #require(Self.sent(actions, port: 1).first)
        #expect(followUp.message.header.correctionField.duration == .microseconds(12))
        #expect(followUp.message.header.sequenceId == 9)
        #expect(followUp.message.header.sourcePortIdentity == Self.master)
        guard case .followUp(let body) = followUp.message.body else {
            Issue.record("not a Follow_Up: \(followUp.message)")
            return
        }
        #expect(body.preciseOriginTimestamp == WireTimestamp(Self.t0 + .seconds(Int64(9))))
    }

    /// E2E: a Delay_Req from downstream goes upstream; the Delay_Resp that answers it comes back with the
    /// request's residence time; one for a request the TC never carried is not forwarded.
    @Test func aDelayReqsResidenceGoesIntoItsDelayResp() throws {
        var tc = Self.transparentClock()
        _ = Self.settle(&tc)
        let ingress = Self.t0 + .seconds(Int64(10))
        let request = PTPMessage(
            header: PTPHeader(messageType: .delayReq, sourcePortIdentity: Self.downstream, sequenceId: 40),
            body: .delayReq(OriginTimestampBody(originTimestamp: WireTimestamp(ingress))))
        var actions = tc.handle(.port(1, .receivedBytes(request.encoded(), timestamp: ingress)), at: ingress)
        // Not answered by the TC's master port: forwarded upstream only.
        #expect(Self.sent(actions, port: 1).isEmpty)
        let out = try #require(Self.sent(actions, port: 0).first)
        #expect(out.message == request)
        actions = tc.handle(.port(0, .transmitted(try #require(out.token), timestamp: ingress + .microseconds(25))), at: ingress)
        #expect(actions.allSatisfy { if case .port(_, .send) = $0 { false } else { true } })
        func response(_ requester: PortIdentity, sequence: UInt16) -> PTPMessage {
            PTPMessage(
                header: PTPHeader(
                    messageType: .delayResp, sourcePortIdentity: Self.master, sequenceId: sequence,
                    correctionField: ScaledNanoseconds(saturating: .nanoseconds(Int64(7)))),
                body: .delayResp(DelayRespBody(receiveTimestamp: WireTimestamp(ingress), requestingPortIdentity: requester)))
        }
        let later = ingress + .milliseconds(1)
        let stranger = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x99), portNumber: 1)
        actions = tc.handle(.port(0, .receivedBytes(response(stranger, sequence: 40).encoded(), timestamp: later)), at: later)
        #expect(Self.sent(actions, port: 1).isEmpty)
        actions = tc.handle(
            .port(0, .receivedBytes(response(Self.downstream, sequence: 40).encoded(), timestamp: later)), at: later)
        let back = try #require(Self.sent(actions, port: 1).first)
        #expect(back.message.header.correctionField.duration == .nanoseconds(Int64(25_007)))
        // Matched once: a duplicate goes nowhere.
        actions = tc.handle(
            .port(0, .receivedBytes(response(Self.downstream, sequence: 40).encoded(), timestamp: later)), at: later)
        #expect(Self.sent(actions, port: 1).isEmpty)
    }

    /// tc_spanning_tree: nothing from the master port goes upstream but Delay_Req, nothing from the slave port
    /// but toward the master port; without it, every port forwards to every other.
    @Test(arguments: [true, false])
    func theSpanningTreeBlocksWhatSwimsTheWrongWay(spanningTree: Bool) {
        var tc = Self.transparentClock(spanningTree: spanningTree)
        _ = Self.settle(&tc)
        let at = Self.t0 + .seconds(Int64(10))
        let rogue = PTPMessage(
            header: PTPHeader(
                messageType: .sync, sourcePortIdentity: Self.downstream, sequenceId: 1, flags: [.twoStep],
                logMessageInterval: 0),
            body: .sync(OriginTimestampBody(originTimestamp: WireTimestamp(at))))
        let fromMaster = tc.handle(.port(1, .receivedBytes(rogue.encoded(), timestamp: at)), at: at)
        #expect(Self.sent(fromMaster, port: 0).count == (spanningTree ? 0 : 1))
        let request = PTPMessage(
            header: PTPHeader(messageType: .delayReq, sourcePortIdentity: Self.master, sequenceId: 2),
            body: .delayReq(OriginTimestampBody(originTimestamp: WireTimestamp(at))))
        let fromSlave = tc.handle(.port(0, .receivedBytes(request.encoded(), timestamp: at)), at: at)
        #expect(Self.sent(fromSlave, port: 1).count == (spanningTree ? 0 : 1))
    }

    /// P2P: the ingress link's peer delay and delayAsymmetry join the residence time in the Follow_Up
    /// (IEEE 1588-2019 10.2.2.2.2; linuxptp tc_complete_syfup); Delay_Req is never forwarded.
    @Test func aPeerToPeerTCAddsTheIngressLinksDelay() throws {
        var tc = Self.transparentClock(.peerToPeer, asymmetry: .nanoseconds(Int64(100)))
        _ = Self.settle(&tc)
        // Port 1 measures its link: a two-step exchange with 2 µs each way and 1 µs of turnaround.
        let t1 = Self.t0 + .seconds(Int64(9))
        let requestActions = tc.handle(.port(0, .timerFired(.pdelayRequest)), at: t1)
        let request = try #require(Self.sent(requestActions, port: 0).first { $0.message.messageType == .pdelayReq })
        _ = tc.handle(.port(0, .transmitted(try #require(request.token), timestamp: t1)), at: t1)
        let responder = PortIdentity(clockIdentity: Self.gmIdentity, portNumber: 1)
        let me = PortIdentity(clockIdentity: Self.tcIdentity, portNumber: 1)
        let seq = request.message.header.sequenceId
        let response = PTPMessage(
            header: PTPHeader(messageType: .pdelayResp, sourcePortIdentity: responder, sequenceId: seq, flags: [.twoStep]),
            body: .pdelayResp(PdelayResponseBody(timestamp: WireTimestamp(t1 + .microseconds(50)), requestingPortIdentity: me)))
        let t4 = t1 + .microseconds(5)
        _ = tc.handle(.port(0, .receivedBytes(response.encoded(), timestamp: t4)), at: t4)
        let responseFollowUp = PTPMessage(
            header: PTPHeader(messageType: .pdelayRespFollowUp, sourcePortIdentity: responder, sequenceId: seq),
            body: .pdelayRespFollowUp(
                PdelayResponseBody(timestamp: WireTimestamp(t1 + .microseconds(51)), requestingPortIdentity: me)))
        let pdelayActions = tc.handle(.port(0, .receivedBytes(responseFollowUp.encoded(), timestamp: t4)), at: t4)
        #expect(Self.sent(pdelayActions, port: 1).isEmpty, "peer delay messages are never forwarded")
        #expect(tc.ports[0].peerMeanPathDelay == .microseconds(2))

        let ingress = Self.t0 + .seconds(Int64(10))
        var actions = tc.handle(.port(0, .receivedBytes(Self.sync(3).encoded(), timestamp: ingress)), at: ingress)
        let out = try #require(Self.sent(actions, port: 1).first)
        actions = tc.handle(.port(1, .transmitted(try #require(out.token), timestamp: ingress + .microseconds(40))), at: ingress)
        actions += tc.handle(
            .port(0, .receivedBytes(Self.followUp(3, correction: .zero).encoded(), timestamp: ingress)), at: ingress)
        let followUp = try #require(Self.sent(actions, port: 1).first)
        #expect(followUp.message.header.correctionField.duration == .nanoseconds(Int64(40_000 + 2_000 + 100)))

        let delayReq = PTPMessage(
            header: PTPHeader(messageType: .delayReq, sourcePortIdentity: Self.downstream, sequenceId: 4),
            body: .delayReq(OriginTimestampBody(originTimestamp: WireTimestamp(ingress))))
        let dropped = tc.handle(.port(1, .receivedBytes(delayReq.encoded(), timestamp: ingress)), at: ingress)
        #expect(Self.sent(dropped, port: 0).isEmpty)
    }

    /// Free-running: the master runs 100 ppm fast against the TC's clock (origin advances 1.0001 s per local
    /// second), so a residence of 100 µs local is 100.01 µs of the master's time (linuxptp clock_no_adjust).
    @Test func aFreeRunningTCScalesResidenceByTheRateRatio() throws {
        var tc = Self.transparentClock(freeRunning: true)
        _ = Self.settle(&tc)
        var sequence: UInt16 = 20
        func round(_ n: Int64) -> [InstanceAction] {
            let ingress = Self.t0 + .seconds(Int64(10) + n)
            let origin = Self.t0 + .seconds(Int64(10)) + PTPDuration.seconds(n).scaled(by: 1.0001)
            var actions = tc.handle(.port(0, .receivedBytes(Self.sync(sequence).encoded(), timestamp: ingress)), at: ingress)
            if let token = Self.sent(actions, port: 1).first?.token {
                actions += tc.handle(.port(1, .transmitted(token, timestamp: ingress + .microseconds(100))), at: ingress)
            }
            let followUp = Self.followUp(sequence, correction: .zero, origin: origin)
            actions += tc.handle(.port(0, .receivedBytes(followUp.encoded(), timestamp: ingress)), at: ingress)
            sequence += 1
            return actions
        }
        let first = round(0)
        #expect(Self.sent(first, port: 1).last?.message.header.correctionField.duration == .microseconds(100))
        _ = round(1)
        let ratio = try #require(tc.transparent?.rateRatio)
        #expect(abs(ratio - 1.0001) < 1e-9, "\(ratio)")
        let scaled = round(2)
        let correction = try #require(Self.sent(scaled, port: 1).last?.message.header.correctionField.duration)
        #expect(correction == .nanoseconds(Int64(100_010)))
        // The free-running E2E TC sends no Delay_Req of its own (linuxptp e2e_event).
        #expect(!tc.ports[0].configuration.transparentDelayRequests)
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The peer delay mechanism (IEEE 1588-2019 11.4) between two P2P ports, to the 2⁻¹⁶ ns.
@Suite struct PeerDelayTests {
    @Test func exactLinkDelayWithTurnaroundAndOffset() {
        let configuration = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        var a = PortFixture.port(PortFixture.slaveClock, configuration)
        var b = PortFixture.port(PortFixture.masterClock, configuration)
        let start = PortFixture.origin
        let armed = a.handle(.linkUp, at: start)
        #expect(armed.contains { if case .armTimer(.pdelayRequest, _) = $0 { true } else { false } })
        _ = b.handle(.linkUp, at: start)

        let linkDelay = PTPDuration.nanoseconds(Int64(777)) + .scaledNanoseconds(0x1234)
        let bAhead = PTPDuration.microseconds(3)  // b's clock minus a's clock
        let t1 = start + .scaledNanoseconds(0x2222)
        var actions = a.handle(.timerFired(.pdelayRequest), at: t1)
        guard let request = PortFixture.sent(actions).first, let requestToken = request.token else {
            Issue.record("no Pdelay_Req")
            return
        }
        actions += a.handle(.transmitted(requestToken, timestamp: t1), at: t1)
        let t2 = t1 + linkDelay + bAhead
        let responses = PortFixture.sent(b.handle(.received(request.message, timestamp: t2), at: t2))
        guard let response = responses.first, let responseToken = response.token else {
            Issue.record("no Pdelay_Resp")
            return
        }
        let t3 = t2 + .microseconds(15) + .scaledNanoseconds(0x0F0F)
        let followUps = PortFixture.sent(b.handle(.transmitted(responseToken, timestamp: t3), at: t3))
        #expect(followUps.first?.message.messageType == .pdelayRespFollowUp)
        let t4 = t3 - bAhead + linkDelay
        actions = a.handle(.received(response.message, timestamp: t4), at: t4)
        #expect(a.peerMeanPathDelay == nil)  // waits for the follow-up
        for f in followUps {
            actions += a.handle(.received(f.message, timestamp: t4), at: t4)
        }
        #expect(PortFixture.diagnostics(actions).isEmpty)
        #expect(a.peerMeanPathDelay == linkDelay)
        #expect(a.portDS.peerMeanPathDelay == linkDelay)
    }

    @Test func responseToAnotherRequesterIsIgnored() {
        let configuration = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        var a = PortFixture.port(PortFixture.slaveClock, configuration)
        _ = a.handle(.linkUp, at: PortFixture.origin)
        let other = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xEE), portNumber: 2)
        let header = PTPHeader(
            messageType: .pdelayResp, sourcePortIdentity: PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1),
            sequenceId: 0, flags: [.twoStep])
        let message = PTPMessage(header: header, body: .pdelayResp(.init(timestamp: .zero, requestingPortIdentity: other)))
        let actions = a.handle(.received(message, timestamp: PortFixture.origin), at: PortFixture.origin)
        #expect(actions.isEmpty)
    }
}

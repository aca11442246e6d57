import PTPCore
import PTPEngine
import PTPWire
import Testing

/// What a master port sends: sequence ids per message type, logMessageInterval per table 42 as ptp4l
/// fills it, and messages that survive the codec (IEEE 1588-2019 7.3.7, 13.3.2.14).
@Suite struct MasterMessageTests {
    let configuration = PortConfiguration(
        portNumber: 2, logAnnounceInterval: LogInterval(1), logSyncInterval: LogInterval(-3),
        logMinDelayReqInterval: LogInterval(-2))

    @Test func sequenceIdsAndIntervals() throws {
        var master = PortFixture.port(PortFixture.masterClock, configuration)
        _ = master.handle(.linkUp, at: PortFixture.origin)
        let entry = master.handle(.recommendedState(.m2, parent: nil, stepsRemoved: 0), at: PortFixture.origin)
        var announces = PortFixture.sent(entry).filter { $0.message.messageType == .announce }
        var syncs: [OutgoingMessage] = []
        var followUps: [OutgoingMessage] = []
        var t = PortFixture.origin
        for _ in 0..<3 {
            t = t + .milliseconds(Int64(125))
            let sync = PortFixture.sent(master.handle(.timerFired(.sync), at: t))
            syncs += sync
            for s in sync {
                if let token = s.token { followUps += PortFixture.sent(master.handle(.transmitted(token, timestamp: t), at: t)) }
            }
        }
        announces += PortFixture.sent(master.handle(.timerFired(.announce), at: t))
        #expect(announces.map(\.message.header.sequenceId) == [0, 1])
        #expect(syncs.map(\.message.header.sequenceId) == [0, 1, 2])
        #expect(followUps.map(\.message.header.sequenceId) == [0, 1, 2])
        #expect(announces.allSatisfy { $0.message.header.logMessageInterval == 1 })
        #expect(syncs.allSatisfy { $0.message.header.logMessageInterval == -3 })
        #expect(followUps.allSatisfy { $0.message.header.logMessageInterval == -3 })
        #expect(syncs.allSatisfy { $0.isEvent && $0.message.header.controlField == 0 })
        #expect(followUps.allSatisfy { !$0.isEvent && $0.message.header.controlField == 2 })
        #expect(announces.allSatisfy { $0.message.header.sourcePortIdentity.portNumber == 2 })

        // Everything the port sends decodes back to itself.
        for out in announces + syncs + followUps {
            let bytes = out.message.encoded()
            #expect(bytes.count == out.message.messageType.baseLength)
            var decoded = try PTPMessage.decode(bytes)
            decoded.header.messageLength = out.message.header.messageLength
            #expect(decoded == out.message)
        }
    }

    @Test func delayRespCarriesTheMinimumDelayReqInterval() {
        var master = PortFixture.master(configuration)
        let requester = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
        let request = PTPMessage(
            header: PTPHeader(
                messageType: .delayReq, sourcePortIdentity: requester, sequenceId: 5,
                logMessageInterval: 0x7F),
            body: .delayReq(.init(originTimestamp: .zero)))
        let response = PortFixture.sent(master.handle(.received(request, timestamp: PortFixture.origin), at: PortFixture.origin))
        #expect(response.first?.message.header.logMessageInterval == -2)
        #expect(response.first?.message.header.controlField == 3)
    }

    @Test func delayReqIsUnspecifiedInterval() {
        let master = PortFixture.master()
        var slave = PortFixture.slave(parent: master.portIdentity)
        let sent = PortFixture.sent(slave.handle(.timerFired(.delayRequest), at: PortFixture.origin))
        #expect(sent.first?.message.header.logMessageInterval == 0x7F)
        #expect(sent.first?.message.header.sequenceId == 0)
        #expect(sent.first?.token == TransmitToken(messageType: .delayReq, sequenceId: 0))
    }
}

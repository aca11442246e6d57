import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Unicast negotiation as a slave (IEEE 1588-2019 16.1, linuxptp unicast_client.c): the requests a port with a
/// master table sends, its states per master, renewal at 3/4 of the grant, refusal, cancel and failover.
@Suite struct UnicastClientTests {
    static let a = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 1])
    static let b = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 2])
    static let stranger = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 9])
    static let masterA = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xA1), portNumber: 1)
    static let masterB = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xB2), portNumber: 1)
    static let allOnes = PortIdentity(clockIdentity: .all, portNumber: 0xFFFF)

    /// UNICAST-SLAVE.cfg's table: logQueryInterval 2 (4 s), unicast_req_duration 60.
    static func configuration() -> PortConfiguration {
        var c = PortConfiguration(
            portNumber: 1, logAnnounceInterval: LogInterval(1), logSyncInterval: LogInterval(-3),
            logMinDelayReqInterval: LogInterval(-2))
        c.unicastMasterTable = UnicastMasterTableConfiguration(
            logQueryInterval: LogInterval(2), masters: [a, b], requestDuration: 60)
        return c
    }

    static func signaling(from sender: PortIdentity, _ tlvs: [TLV]) -> [UInt8] {
        let h = PTPHeader(
            messageType: .signaling, sourcePortIdentity: sender, sequenceId: 1, flags: [.unicast], logMessageInterval: 0x7F)
        let target = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
        return PTPMessage(header: h, body: .signaling(SignalingBody(targetPortIdentity: target)), tlvs: tlvs).encoded()
    }

    static func grant(_ type: MessageType, _ interval: Int8, _ duration: UInt32) -> TLV {
        .grantUnicastTransmission(
            UnicastTransmissionTLV(messageType: type.rawValue, logInterMessagePeriod: interval, duration: duration))
    }

    static func announce(from sender: PortIdentity, sequence: UInt16) -> [UInt8] {
        let h = PTPHeader(
            messageType: .announce, sourcePortIdentity: sender, sequenceId: sequence, flags: [.unicast],
            logMessageInterval: 1)
        let ds = DefaultDS(clockIdentity: sender.clockIdentity, numberPorts: 1)
        let content = AnnounceContent(
            parentDS: ParentDS(selfAsGrandmaster: ds), currentDS: CurrentDS(), timeProperties: TimePropertiesDS())
        return PTPMessage(header: h, body: .announce(content.body(origin: PortFixture.origin))).encoded()
    }

    /// The TLVs of every Signaling message sent to `address`.
    static func tlvs(_ actions: [PortAction], to address: PortAddress) -> [TLV] {
        PortFixture.sent(actions).filter { $0.destination == address && $0.message.messageType == .signaling }
            .flatMap(\.message.tlvs)
    }

    static func requested(_ tlvs: [TLV]) -> [MessageType] {
        tlvs.compactMap { if case .requestUnicastTransmission(let r) = $0 { MessageType(rawValue: r.messageType) } else { nil } }
    }

    static func cancelled(_ tlvs: [TLV]) -> [MessageType] {
        tlvs.compactMap { if case .cancelUnicastTransmission(let c) = $0 { MessageType(rawValue: c.messageType) } else { nil } }
    }

    /// A port that has its table's A selected, with Announce, Sync and Delay_Resp granted by A and Announce by B.
    static func following(at t: PTPInstant) -> PortEngine {
        var port = PortFixture.port(PortFixture.slaveClock, configuration())
        _ = port.handle(.linkUp, at: t)
        _ = port.handle(.receivedBytesFrom(signaling(from: masterA, [grant(.announce, 1, 60)]), timestamp: t, source: a), at: t)
        _ = port.handle(.receivedBytesFrom(signaling(from: masterB, [grant(.announce, 1, 60)]), timestamp: t, source: b), at: t)
        _ = port.handle(.recommendedState(.s1, parent: masterA, stepsRemoved: 1), at: t)
        _ = port.handle(
            .receivedBytesFrom(
                signaling(from: masterA, [grant(.sync, -3, 60), grant(.delayResp, -2, 60)]), timestamp: t, source: a),
            at: t)
        return port
    }

    @Test func asksEveryMasterForAnnounceThenTheSelectedOneForSyncAndDelayResp() throws {
        let t = PortFixture.origin
        var port = PortFixture.port(PortFixture.slaveClock, Self.configuration())
        let start = port.handle(.linkUp, at: t)
        // The first Announce request to each master at once, then the request timer at 2^2 s.
        for address in [Self.a, Self.b] {
            let sent = PortFixture.sent(start).filter { $0.destination == address }
            #expect(sent.count == 1)
            let message = try #require(sent.first?.message)
            #expect(message.header.flags.contains(.unicast) && message.header.logMessageInterval == 0x7F)
            guard case .signaling(let body) = message.body else { throw Failure("not Signaling") }
            #expect(body.targetPortIdentity == Self.allOnes)
            #expect(
                message.tlvs == [
                    .requestUnicastTransmission(UnicastTransmissionTLV(messageType: 0xB, logInterMessagePeriod: 1, duration: 60))
                ])
            // linuxptp's wire form survives the codec.
            #expect(try PTPMessage.decode(message.encoded()).tlvs == message.tlvs)
        }
        #expect(
            start.contains { if case .armTimer(.unicastRequest, let after) = $0 { after == .seconds(Int64(4)) } else { false } })

        // A grants Announce: HAVE_ANN, its identity learnt; its Announce is taken, a stranger's is not.
        _ = port.handle(
            .receivedBytesFrom(Self.signaling(from: Self.masterA, [Self.grant(.announce, 1, 60)]), timestamp: t, source: Self.a),
            at: t)
        #expect(port.unicastClient?.masters.map(\.state) == [.haveAnnounce, .wait])
        #expect(port.unicastClient?.masters.first?.portIdentity == Self.masterA)
        let fromA = port.handle(
            .receivedBytesFrom(Self.announce(from: Self.masterA, sequence: 1), timestamp: t, source: Self.a), at: t)
        #expect(PortFixture.diagnostics(fromA).isEmpty)
        let rogue = port.handle(
            .receivedBytesFrom(Self.announce(from: Self.masterB, sequence: 1), timestamp: t, source: Self.stranger), at: t)
        #expect(PortFixture.diagnostics(rogue) == [.unicastClient(.notInTable)])
        #expect(port.unicastClient?.rogueMessages == 1)

        // Selected: Sync and Delay_Resp asked for at once, at the port's own intervals.
        let selected = port.handle(.recommendedState(.s1, parent: Self.masterA, stepsRemoved: 1), at: t)
        #expect(Self.requested(Self.tlvs(selected, to: Self.a)) == [.sync, .delayResp])
        #expect(port.unicastClient?.masters.first?.state == .needSyncDelay)
        _ = port.handle(
            .receivedBytesFrom(
                Self.signaling(from: Self.masterA, [Self.grant(.sync, -3, 60), Self.grant(.delayResp, -2, 60)]), timestamp: t,
                source: Self.a), at: t)
        #expect(port.unicastClient?.masters.first?.state == .haveSyncDelay)
        #expect(port.unicastClient?.grantsReceived == 3)

        // A Sync from A tells the address; the Delay_Req goes there, unicast.
        let sync = PTPMessage(
            header: PTPHeader(messageType: .sync, sourcePortIdentity: Self.masterA, sequenceId: 1, flags: [.unicast]),
            body: .sync(OriginTimestampBody(originTimestamp: WireTimestamp(t))))
        _ = port.handle(.receivedBytesFrom(sync.encoded(), timestamp: t, source: Self.a), at: t)
        let delay = PortFixture.sent(port.handle(.timerFired(.delayRequest), at: t))
        #expect(delay.count == 1 && delay.first?.destination == Self.a)
        #expect(delay.first?.message.header.flags.contains(.unicast) == true)
    }

    @Test func grantsAreRenewedAtThreeQuartersOfTheirDuration() {
        var t = PortFixture.origin
        var port = Self.following(at: t)
        // 60 s granted: renewed 45 s on, on the 11th 4 s tick (44 s); B, in HAVE_ANN, too. Nothing before.
        for tick in 1...11 {
            t = t + .seconds(Int64(4))
            let actions = port.handle(.timerFired(.unicastRequest), at: t)
            let toA = Self.requested(Self.tlvs(actions, to: Self.a))
            let toB = Self.requested(Self.tlvs(actions, to: Self.b))
            if tick < 11 {
                #expect(toA.isEmpty && toB.isEmpty, "tick \(tick)")
            } else {
                #expect(toA == [.announce, .sync, .delayResp])
                #expect(toB == [.announce])
            }
            #expect(actions.contains { if case .armTimer(.unicastRequest, _) = $0 { true } else { false } })
        }
        // Unanswered, the renewal is asked again on every tick (linuxptp's renewal_tmo 0).
        t = t + .seconds(Int64(4))
        #expect(Self.requested(Self.tlvs(port.handle(.timerFired(.unicastRequest), at: t), to: Self.a)).count == 3)
        #expect(port.unicastClient?.requestTimeouts == 12)
    }

    @Test func aRefusalACancelAndUnselectingEachFallBack() {
        let t = PortFixture.origin
        var port = Self.following(at: t)
        // A refuses the renewal of Sync: back to WAIT, the BMCA runs.
        let refused = port.handle(
            .receivedBytesFrom(Self.signaling(from: Self.masterA, [Self.grant(.sync, -3, 0)]), timestamp: t, source: Self.a),
            at: t)
        #expect(port.unicastClient?.masters.first?.state == .wait)
        #expect(refused.contains { if case .stateDecisionNeeded = $0 { true } else { false } })
        #expect(PortFixture.diagnostics(refused).contains(.unicastClient(.refused(.sync))))
        #expect(port.unicastClient?.refusalsReceived == 1)
        // In WAIT it asks for Announce again on the next tick.
        #expect(Self.requested(Self.tlvs(port.handle(.timerFired(.unicastRequest), at: t), to: Self.a)) == [.announce])

        // B cancels its Announce: acknowledged, B back to WAIT.
        let cancel = CancelUnicastTransmissionTLV(messageType: MessageType.announce.rawValue)
        let acked = port.handle(
            .receivedBytesFrom(
                Self.signaling(from: Self.masterB, [.cancelUnicastTransmission(cancel)]), timestamp: t, source: Self.b),
            at: t)
        #expect(Self.tlvs(acked, to: Self.b) == [.acknowledgeCancelUnicastTransmission(cancel)])
        #expect(port.unicastClient?.masters.last?.state == .wait)

        // Unselected (the BMCA moves the port to LISTENING): Sync and Delay_Resp cancelled, Announce kept.
        var other = Self.following(at: t)
        let listening = other.handle(.recommendedState(.listening, parent: nil, stepsRemoved: 0), at: t)
        #expect(Self.cancelled(Self.tlvs(listening, to: Self.a)) == [.sync, .delayResp])
        #expect(other.unicastClient?.masters.first?.state == .haveAnnounce)
        // Shutdown: what is left (A's and B's Announce) is cancelled.
        var shutdown: [PortAction] = []
        other.cancelUnicastService(into: &shutdown)
        #expect(Self.cancelled(Self.tlvs(shutdown, to: Self.a)) == [.announce])
        #expect(Self.cancelled(Self.tlvs(shutdown, to: Self.b)) == [.announce])
    }

    @Test func aSilentMasterIsLeftForTheNextAndTakenBackWhenItReturns() {
        var t = PortFixture.origin
        var port = Self.following(at: t)
        // A goes silent: the announce receipt timeout takes the port out of UNCALIBRATED (to MASTER: this port is
        // not slaveOnly); A's Sync/Delay_Resp are cancelled
        // and its Announce asked for again on the next tick, not at the renewal 44 s on.
        t = t + .seconds(Int64(7))
        let timeout = port.handle(.timerFired(.announceReceipt), at: t)
        #expect(port.state == .master)
        #expect(Self.cancelled(Self.tlvs(timeout, to: Self.a)) == [.sync, .delayResp])
        t = t + .seconds(Int64(4))
        #expect(Self.requested(Self.tlvs(port.handle(.timerFired(.unicastRequest), at: t), to: Self.a)) == [.announce])
        // The BMCA picks B: Sync and Delay_Resp asked of B.
        let toB = port.handle(.recommendedState(.s1, parent: Self.masterB, stepsRemoved: 1), at: t)
        #expect(Self.requested(Self.tlvs(toB, to: Self.b)) == [.sync, .delayResp])
        _ = port.handle(
            .receivedBytesFrom(
                Self.signaling(from: Self.masterB, [Self.grant(.sync, -3, 60), Self.grant(.delayResp, -2, 60)]), timestamp: t,
                source: Self.b), at: t)
        #expect(port.unicastClient?.masters.map(\.state) == [.haveAnnounce, .haveSyncDelay])
        // A answers again and the BMCA prefers it: B's Sync/Delay_Resp cancelled, A's asked for.
        _ = port.handle(
            .receivedBytesFrom(Self.signaling(from: Self.masterA, [Self.grant(.announce, 1, 60)]), timestamp: t, source: Self.a),
            at: t)
        let back = port.handle(.recommendedState(.s1, parent: Self.masterA, stepsRemoved: 1), at: t)
        #expect(Self.cancelled(Self.tlvs(back, to: Self.b)) == [.sync, .delayResp])
        #expect(Self.requested(Self.tlvs(back, to: Self.a)) == [.sync, .delayResp])
        #expect(port.unicastClient?.masters.map(\.state) == [.needSyncDelay, .haveAnnounce])
    }
}

/// Whatever its masters (or anyone) send, in any order, a port with a master table never traps, keeps one
/// state per master, and holds HAVE_SYDY only with Sync (and Delay_Resp) granted: 20,000 random events.
@Suite struct UnicastClientRobustnessTests {
    @Test func randomGrantsCancelsAnnouncesTimersAndDecisionsKeepTheTableConsistent() {
        var random = SplitMix64(seed: 15)
        var port = PortFixture.port(PortFixture.slaveClock, UnicastClientTests.configuration())
        var t = PortFixture.origin
        _ = port.handle(.linkUp, at: t)
        let addresses = [UnicastClientTests.a, UnicastClientTests.b, UnicastClientTests.stranger]
        let senders = [UnicastClientTests.masterA, UnicastClientTests.masterB]
        for _ in 0..<20_000 {
            t = t + .milliseconds(Int64(random.next() % 500))
            let address = addresses[Int(random.next() % 3)]
            let sender = senders[Int(random.next() % 2)]
            let type = UInt8(random.next() % 16)
            let event: PortEvent
            switch random.next() % 6 {
            case 0:
                let grant = TLV.grantUnicastTransmission(
                    UnicastTransmissionTLV(
                        messageType: type, logInterMessagePeriod: Int8(truncatingIfNeeded: random.next()),
                        duration: UInt32(random.next() % 4) * 30))
                event = .receivedBytesFrom(UnicastClientTests.signaling(from: sender, [grant]), timestamp: t, source: address)
            case 1:
                let cancel = TLV.cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: type))
                event = .receivedBytesFrom(UnicastClientTests.signaling(from: sender, [cancel]), timestamp: t, source: address)
            case 2:
                event = .receivedBytesFrom(
                    UnicastClientTests.announce(from: sender, sequence: UInt16(truncatingIfNeeded: random.next())), timestamp: t,
                    source: address)
            case 3:
                event = .timerFired([.unicastRequest, .announceReceipt, .delayRequest][Int(random.next() % 3)])
            case 4:
                event = .recommendedState(random.next() % 2 == 0 ? .s1 : .listening, parent: sender, stepsRemoved: 1)
            default:
                event = .linkDown
                _ = port.handle(event, at: t)
                continue
            }
            _ = port.handle(event, at: t)
            if port.state == .faulty { _ = port.handle(.linkUp, at: t) }
        }
        let masters = port.unicastClient?.masters ?? []
        #expect(masters.count == 2)
        for master in masters where master.state == .haveSyncDelay {
            #expect(master.granted(.sync) && master.granted(.delayResp), "\(master)")
        }
        #expect(port.unicastClient?.rogueMessages ?? 0 > 0, "the stranger's messages were counted")
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Unicast P2P (`peer_address`, linuxptp port.c `port_pdelay_request` and unicast_client.c
/// `unicast_client_peer_renew`) and the flags of CANCEL_UNICAST_TRANSMISSION (IEEE 1588-2019 16.1.4.3, linuxptp
/// `CANCEL_UNICAST_MAINTAIN_REQUEST`/`_GRANT`) as the port engine acts on them.
@Suite struct UnicastPeerDelayTests {
    static let pa = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 1])
    static let pb = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 2])
    static let master = PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 3])
    static let identityB = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)

    /// A P2P port whose table (logQueryInterval 2: 4 s ticks, 60 s requests) has one master and `peer_address` pb.
    static func requester(pdelayInterval: Int8 = 0) -> PortConfiguration {
        var c = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        c.logMinPdelayReqInterval = LogInterval(pdelayInterval)
        c.unicastMasterTable = UnicastMasterTableConfiguration(
            logQueryInterval: LogInterval(2), masters: [master], requestDuration: 60, peerAddress: pb)
        return c
    }

    /// A P2P port that grants (`unicast_listen`).
    static func responder() -> PortConfiguration {
        var c = PortConfiguration(portNumber: 1, delayMechanism: .p2p)
        c.unicast.listen = true
        return c
    }

    static func requests(_ actions: [PortAction], to address: PortAddress) -> [UnicastTransmissionTLV] {
        PortFixture.sent(actions).filter { $0.destination == address }.flatMap(\.message.tlvs).compactMap {
            if case .requestUnicastTransmission(let r) = $0 { r } else { nil }
        }
    }

    static func acknowledgements(_ actions: [PortAction]) -> [CancelUnicastTransmissionTLV] {
        PortFixture.sent(actions).flatMap(\.message.tlvs).compactMap {
            if case .acknowledgeCancelUnicastTransmission(let c) = $0 { c } else { nil }
        }
    }

    static func cancels(_ actions: [PortAction]) -> [CancelUnicastTransmissionTLV] {
        cancels(PortFixture.sent(actions))
    }

    static func cancels(_ sent: [OutgoingMessage]) -> [CancelUnicastTransmissionTLV] {
        sent.flatMap(\.message.tlvs).compactMap {
            if case .cancelUnicastTransmission(let c) = $0 { c } else { nil }
        }
    }

    @Test func peerAddressPdelayGoesUnicastBothWaysAndTheGrantIsRenewedAtThreeQuarters() throws {
        let t0 = PortFixture.origin
        var a = PortFixture.port(PortFixture.slaveClock, Self.requester())
        var b = PortFixture.port(PortFixture.masterClock, Self.responder())
        // Starting, A asks its peer for Pdelay_Resp at its own Pdelay interval for unicast_req_duration.
        let start = a.handle(.linkUp, at: t0)
        _ = b.handle(.linkUp, at: t0)
        let asked = Self.requests(start, to: Self.pb)
        #expect(asked == [UnicastTransmissionTLV(messageType: 0x3, logInterMessagePeriod: 0, duration: 60)])
        // B grants it without keeping a record (linuxptp SERVICE_GRANTED for PDELAY_RESP).
        let request = try #require(PortFixture.sent(start).first { $0.destination == Self.pb })
        let granted = PortFixture.sent(
            b.handle(.receivedBytesFrom(request.message.encoded(), timestamp: t0, source: Self.pa), at: t0))
        #expect(granted.count == 1 && granted.first?.destination == Self.pa)
        let grant = granted.flatMap(\.message.tlvs)
        #expect(
            grant == [
                .grantUnicastTransmission(
                    UnicastTransmissionTLV(messageType: 0x3, logInterMessagePeriod: 0, duration: 60, renewalInvited: true))
            ])
        #expect(b.unicastService.granted == 1 && b.unicastService.grants.isEmpty && b.unicastService.clientCount == 0)
        let grantBytes = try #require(granted.first).message.encoded()
        let grantDiagnostics = a.handle(.receivedBytesFrom(grantBytes, timestamp: t0, source: Self.pb), at: t0)
        #expect(PortFixture.diagnostics(grantDiagnostics).isEmpty)
        #expect(a.unicastClient?.peer?.portIdentity == Self.identityB)
        #expect(a.unicastClient?.peer?.granted(.pdelayResp) == true)
        #expect(a.unicastClient?.grantsReceived == 1)

        // Pdelay_Req goes by unicast to the peer; B answers by unicast to its sender, Follow_Up too.
        let linkDelay = PTPDuration.nanoseconds(Int64(1_234))
        let t1 = t0 + .milliseconds(100)
        let sentReq = PortFixture.sent(a.handle(.timerFired(.pdelayRequest), at: t1))
        let req = try #require(sentReq.first)
        #expect(sentReq.count == 1 && req.destination == Self.pb && req.message.header.flags.contains(.unicast))
        let reqToken = try #require(req.token)
        _ = a.handle(.transmitted(reqToken, timestamp: t1), at: t1)
        let t2 = t1 + linkDelay
        let responses = PortFixture.sent(
            b.handle(.receivedBytesFrom(req.message.encoded(), timestamp: t2, source: Self.pa), at: t2))
        let resp = try #require(responses.first)
        #expect(resp.destination == Self.pa && resp.message.header.flags.contains(.unicast))
        let t3 = t2 + .microseconds(20)
        let respToken = try #require(resp.token)
        let fups = PortFixture.sent(b.handle(.transmitted(respToken, timestamp: t3), at: t3))
        let fup = try #require(fups.first)
        #expect(fup.message.messageType == .pdelayRespFollowUp)
        #expect(fup.destination == Self.pa && fup.message.header.flags.contains(.unicast))
        let t4 = t3 + linkDelay
        var back = a.handle(.receivedBytesFrom(resp.message.encoded(), timestamp: t4, source: Self.pb), at: t4)
        back += a.handle(.receivedBytesFrom(fup.message.encoded(), timestamp: t4, source: Self.pb), at: t4)
        #expect(PortFixture.diagnostics(back).isEmpty)
        #expect(a.peerMeanPathDelay == linkDelay)

        // A multicast Pdelay_Req is still answered multicast, from the same sender.
        var multicast = req.message
        multicast.header.flags.remove(.unicast)
        let multicastResp = PortFixture.sent(
            b.handle(.receivedBytesFrom(multicast.encoded(), timestamp: t4, source: Self.pa), at: t4))
        #expect(multicastResp.count == 1 && multicastResp.first?.destination == nil)
        #expect(multicastResp.first?.message.header.flags.contains(.unicast) == false)

        // Renewal at 3/4 of 60 s on 4 s ticks: 11 ticks (linuxptp `unicast_client_set_renewal`), then the
        // request again on every tick until granted.
        var renewals: [Int] = []
        for tick in 1...12 {
            let actions = a.handle(.timerFired(.unicastRequest), at: t0 + .seconds(Int64(4 * tick)))
            if !Self.requests(actions, to: Self.pb).isEmpty { renewals.append(tick) }
        }
        #expect(renewals == [11, 12])

        // Shutdown cancels the peer's grant with the rest.
        var shutdown: [PortAction] = []
        a.cancelUnicastService(into: &shutdown)
        let cancelled = PortFixture.sent(shutdown).filter { $0.destination == Self.pb }.flatMap(\.message.tlvs)
        #expect(cancelled == [.cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: 0x3))])
    }

    @Test func aSlowerGrantPacesPdelayAndARefusalIsAskedAgain() throws {
        let t0 = PortFixture.origin
        var a = PortFixture.port(PortFixture.slaveClock, Self.requester(pdelayInterval: 0))
        _ = a.handle(.linkUp, at: t0)
        func signaling(_ tlv: TLV) -> [UInt8] {
            let h = PTPHeader(
                messageType: .signaling, sourcePortIdentity: Self.identityB, sequenceId: 1, flags: [.unicast],
                logMessageInterval: 0x7F)
            let target = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
            return PTPMessage(header: h, body: .signaling(SignalingBody(targetPortIdentity: target)), tlvs: [tlv])
                .encoded()
        }
        // Granted at 2^2 s: Pdelay_Req every 4 s instead of 1 s.
        let slow = TLV.grantUnicastTransmission(UnicastTransmissionTLV(messageType: 0x3, logInterMessagePeriod: 2, duration: 60))
        _ = a.handle(.receivedBytesFrom(signaling(slow), timestamp: t0, source: Self.pb), at: t0)
        let fired = a.handle(.timerFired(.pdelayRequest), at: t0 + .seconds(Int64(1)))
        #expect(
            fired.contains { if case .armTimer(.pdelayRequest, let after) = $0 { after == .seconds(Int64(4)) } else { false } })
        // A grant faster than configured does not make the port send faster.
        let fast = TLV.grantUnicastTransmission(UnicastTransmissionTLV(messageType: 0x3, logInterMessagePeriod: -4, duration: 60))
        _ = a.handle(.receivedBytesFrom(signaling(fast), timestamp: t0, source: Self.pb), at: t0)
        let fired2 = a.handle(.timerFired(.pdelayRequest), at: t0 + .seconds(Int64(2)))
        #expect(
            fired2.contains { if case .armTimer(.pdelayRequest, let after) = $0 { after == .seconds(Int64(1)) } else { false } })
        // Refused: reported, counted, and asked again at the next tick; Pdelay_Req keep going to the peer.
        let refusal = TLV.grantUnicastTransmission(
            UnicastTransmissionTLV(messageType: 0x3, logInterMessagePeriod: 0, duration: 0))
        let refused = a.handle(.receivedBytesFrom(signaling(refusal), timestamp: t0, source: Self.pb), at: t0)
        #expect(PortFixture.diagnostics(refused) == [.unicastClient(.refused(.pdelayResp))])
        #expect(a.unicastClient?.refusalsReceived == 1 && a.unicastClient?.peer?.granted(.pdelayResp) == false)
        let tick = a.handle(.timerFired(.unicastRequest), at: t0 + .seconds(Int64(4)))
        #expect(Self.requests(tick, to: Self.pb).map(\.messageType) == [0x3])
        let req = PortFixture.sent(a.handle(.timerFired(.pdelayRequest), at: t0 + .seconds(Int64(5))))
        #expect(req.first?.destination == Self.pb)
        // A grant of Pdelay_Resp from an address that is neither the peer nor a master is rogue.
        let rogue = a.handle(
            .receivedBytesFrom(
                signaling(slow), timestamp: t0, source: PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, 9])),
            at: t0)
        #expect(PortFixture.diagnostics(rogue) == [.unicastClient(.rogueSignaling)])
    }

    /// p2p1step: the one-step Pdelay_Resp to a unicast request goes by unicast too (linuxptp `process_pdelay_req`
    /// sets the address before it chooses TRANS_P2P1STEP).
    @Test func aOneStepResponderAnswersAUnicastRequestByUnicast() throws {
        var c = Self.responder()
        c.oneStepPeerDelay = true
        var b = PortFixture.port(PortFixture.masterClock, c)
        _ = b.handle(.linkUp, at: PortFixture.origin)
        let h = PTPHeader(
            messageType: .pdelayReq, sourcePortIdentity: PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1),
            sequenceId: 9, flags: [.unicast])
        let request = PTPMessage(header: h, body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))).encoded()
        let sent = PortFixture.sent(
            b.handle(.receivedBytesFrom(request, timestamp: PortFixture.origin, source: Self.pa), at: PortFixture.origin))
        #expect(sent.count == 1 && sent.first?.message.messageType == .pdelayResp)
        #expect(sent.first?.destination == Self.pa && sent.first?.message.header.flags.contains(.unicast) == true)
        #expect(sent.first?.message.header.flags.contains(.twoStep) == false)
    }

    @Test func withoutPeerAddressOrOnE2EPdelayStaysMulticast() {
        var c = Self.requester()
        c.unicastMasterTable?.peerAddress = nil
        var a = PortFixture.port(PortFixture.slaveClock, c)
        let start = a.handle(.linkUp, at: PortFixture.origin)
        #expect(Self.requests(start, to: Self.pb).isEmpty)
        let req = PortFixture.sent(a.handle(.timerFired(.pdelayRequest), at: PortFixture.origin))
        #expect(req.count == 1 && req.first?.destination == nil && req.first?.message.header.flags.contains(.unicast) == false)
        // E2E with a peer_address line: no Pdelay, no Pdelay_Resp request (linuxptp renews only with DM_P2P).
        var e2e = Self.requester()
        e2e.delayMechanism = .e2e
        var port = PortFixture.port(PortFixture.slaveClock, e2e)
        let started = port.handle(.linkUp, at: PortFixture.origin)
        #expect(Self.requests(started, to: Self.pb).isEmpty)
    }

    // MARK: CANCEL's flags

    static func signaling(from sender: PortIdentity, _ tlvs: [TLV]) -> [UInt8] {
        let h = PTPHeader(
            messageType: .signaling, sourcePortIdentity: sender, sequenceId: 1, flags: [.unicast], logMessageInterval: 0x7F)
        let target = PortIdentity(clockIdentity: .all, portNumber: 0xFFFF)
        return PTPMessage(header: h, body: .signaling(SignalingBody(targetPortIdentity: target)), tlvs: tlvs).encoded()
    }

    static func request(_ type: MessageType, _ interval: Int8) -> TLV {
        .requestUnicastTransmission(
            UnicastTransmissionTLV(messageType: type.rawValue, logInterMessagePeriod: interval, duration: 60))
    }

    static func grant(_ type: MessageType, _ interval: Int8) -> TLV {
        .grantUnicastTransmission(
            UnicastTransmissionTLV(messageType: type.rawValue, logInterMessagePeriod: interval, duration: 60))
    }

    static func cancel(_ type: MessageType, request: Bool = false, grant: Bool = false) -> TLV {
        .cancelUnicastTransmission(
            CancelUnicastTransmissionTLV(messageType: type.rawValue, maintainRequest: request, maintainGrant: grant))
    }

    @Test func aGrantorKeepsServingOnMaintainRequestAndDropsOnAPlainCancel() throws {
        var c = PortConfiguration(
            portNumber: 1, logAnnounceInterval: LogInterval(0), logSyncInterval: LogInterval(0),
            logMinDelayReqInterval: LogInterval(0))
        c.unicast.listen = true
        var m = PortFixture.master(c)
        let t = PortFixture.origin
        let client = PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: 1)
        _ = m.handle(
            .receivedBytesFrom(
                Self.signaling(from: client, [Self.request(.announce, 0), Self.request(.sync, 0)]), timestamp: t, source: Self.pa),
            at: t)
        #expect(m.unicastService.grants.count == 2)
        // maintainRequest: the client cancels only what it grants us (it has no table entry here); our grant stays,
        // and nothing is acknowledged (linuxptp `unicast_service_remove` returns before anything).
        let kept = m.handle(
            .receivedBytesFrom(Self.signaling(from: client, [Self.cancel(.sync, request: true)]), timestamp: t, source: Self.pa),
            at: t)
        #expect(m.unicastService.grants.map(\.messageType) == [.announce, .sync])
        #expect(m.unicastService.cancelled == 0 && Self.acknowledgements(kept).isEmpty)
        // maintainGrant on a cancel to a grantor: the client cancels its request; the grant goes, acknowledged
        // with the flags echoed (linuxptp `attach_ack`).
        let dropped = m.handle(
            .receivedBytesFrom(Self.signaling(from: client, [Self.cancel(.sync, grant: true)]), timestamp: t, source: Self.pa),
            at: t)
        #expect(m.unicastService.grants.map(\.messageType) == [.announce])
        #expect(Self.acknowledgements(dropped) == [CancelUnicastTransmissionTLV(messageType: 0, maintainGrant: true)])
        // Plain: gone.
        _ = m.handle(
            .receivedBytesFrom(Self.signaling(from: client, [Self.cancel(.announce)]), timestamp: t, source: Self.pa), at: t)
        #expect(m.unicastService.grants.isEmpty && m.unicastService.cancelled == 2)
    }

    /// Two clocks that serve each other (both `unicast_listen`, each in the other's table).
    @Test func aClientKeepsItsGrantOnMaintainGrantAndSendsItWhenItStillServesTheMaster() throws {
        var c = PortConfiguration(
            portNumber: 1, logAnnounceInterval: LogInterval(1), logSyncInterval: LogInterval(-3),
            logMinDelayReqInterval: LogInterval(-2))
        c.unicast.listen = true
        c.unicastMasterTable = UnicastMasterTableConfiguration(
            logQueryInterval: LogInterval(2), masters: [Self.pa, Self.pb], requestDuration: 60)
        var port = PortFixture.port(PortFixture.slaveClock, c)
        let t = PortFixture.origin
        let masterA = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xA1), portNumber: 1)
        let masterB = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xB2), portNumber: 1)
        /// A Signaling message from master A (B) at its address, handled by the port.
        func fromA(_ tlvs: [TLV]) -> [PortAction] {
            port.handle(.receivedBytesFrom(Self.signaling(from: masterA, tlvs), timestamp: t, source: Self.pa), at: t)
        }
        func fromB(_ tlvs: [TLV]) -> [PortAction] {
            port.handle(.receivedBytesFrom(Self.signaling(from: masterB, tlvs), timestamp: t, source: Self.pb), at: t)
        }
        _ = port.handle(.linkUp, at: t)
        _ = fromA([Self.grant(.announce, 1)])
        _ = fromB([Self.grant(.announce, 1)])
        _ = port.handle(.recommendedState(.s1, parent: masterA, stepsRemoved: 1), at: t)
        _ = fromA([Self.grant(.sync, -3), Self.grant(.delayResp, -2)])
        #expect(port.unicastClient?.masters.first?.state == .haveSyncDelay)
        // A asks us for Sync too: we grant it.
        _ = fromA([Self.request(.sync, -3)])
        #expect(port.unicastService.grants.map(\.messageType) == [.sync])

        // A cancels its request for our Sync, keeping its grant to us (maintainGrant): our client side keeps
        // HAVE_SYDY and sends no acknowledgement from it; our service side drops A's grant and acknowledges once.
        let keep = fromA([Self.cancel(.sync, grant: true)])
        #expect(port.unicastClient?.masters.first?.state == .haveSyncDelay)
        #expect(port.unicastService.grants.isEmpty)
        #expect(Self.acknowledgements(keep).count == 1)
        // A asks again; then A cancels the Sync it sends us, keeping its request of ours (maintainRequest): our
        // client side goes back to WAIT and acknowledges; our grant to A stays.
        _ = fromA([Self.request(.sync, -3)])
        let back = fromA([Self.cancel(.sync, request: true)])
        #expect(port.unicastClient?.masters.first?.state == .wait)
        #expect(port.unicastService.grants.map(\.messageType) == [.sync])
        #expect(Self.acknowledgements(back) == [CancelUnicastTransmissionTLV(messageType: 0, maintainRequest: true)])

        // Back to following A; then B is selected: our cancel of A's Sync carries maintainGrant, as we still
        // serve A Sync; Delay_Resp (which we do not grant A) goes plain.
        _ = fromA([Self.grant(.announce, 1)])
        _ = port.handle(.recommendedState(.s1, parent: masterA, stepsRemoved: 1), at: t)
        _ = fromA([Self.grant(.sync, -3), Self.grant(.delayResp, -2)])
        #expect(port.unicastClient?.masters.first?.state == .haveSyncDelay)
        let switched = port.handle(.recommendedState(.s1, parent: masterB, stepsRemoved: 1), at: t)
        let toA = PortFixture.sent(switched).filter { $0.destination == Self.pa }
        #expect(
            Self.cancels(toA) == [
                CancelUnicastTransmissionTLV(messageType: 0, maintainGrant: true), CancelUnicastTransmissionTLV(messageType: 9),
            ])
        // At shutdown everything goes, without flags.
        _ = port.handle(
            .receivedBytesFrom(
                Self.signaling(from: masterB, [Self.grant(.sync, -3), Self.grant(.delayResp, -2)]), timestamp: t, source: Self.pb),
            at: t)
        var shutdown: [PortAction] = []
        port.cancelUnicastService(into: &shutdown)
        #expect(Self.cancels(shutdown).allSatisfy { !$0.maintainGrant && !$0.maintainRequest } && !Self.cancels(shutdown).isEmpty)
    }
}

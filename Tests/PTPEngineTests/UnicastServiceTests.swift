import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Unicast negotiation as a master (IEEE 1588-2019 16.1): grants, refusals, cancel, expiry, the client limit,
/// and Announce/Sync/Follow_Up/Delay_Resp to each granted address.
@Suite struct UnicastServiceTests {
    static func configuration(maxClients: Int = 2, inhibitMulticast: Bool = true) -> PortConfiguration {
        var c = PortConfiguration(
            portNumber: 1, logAnnounceInterval: LogInterval(0), logSyncInterval: LogInterval(-1),
            logMinDelayReqInterval: LogInterval(0))
        c.unicast.listen = true
        c.unicast.maxClients = maxClients
        c.unicast.maxDuration = 300
        c.inhibitMulticastService = inhibitMulticast
        return c
    }

    static func address(_ last: UInt8) -> PortAddress {
        PortAddress(networkProtocol: .udpIPv4, address: [10, 0, 0, last])
    }

    static func client(_ n: UInt16) -> PortIdentity {
        PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: n)
    }

    static func signaling(from client: PortIdentity, _ tlvs: [TLV]) -> [UInt8] {
        let h = PTPHeader(
            messageType: .signaling, sourcePortIdentity: client, sequenceId: 1, flags: [.unicast], logMessageInterval: 0x7F)
        let target = PortIdentity(clockIdentity: ClockIdentity(rawValue: .max), portNumber: .max)
        return PTPMessage(header: h, body: .signaling(SignalingBody(targetPortIdentity: target)), tlvs: tlvs).encoded()
    }

    static func request(_ type: MessageType, _ interval: Int8, _ duration: UInt32) -> TLV {
        .requestUnicastTransmission(
            UnicastTransmissionTLV(messageType: type.rawValue, logInterMessagePeriod: interval, duration: duration))
    }

    static func grants(_ sent: [OutgoingMessage]) -> [UnicastTransmissionTLV] {
        sent.flatMap(\.message.tlvs).compactMap { if case .grantUnicastTransmission(let g) = $0 { g } else { nil } }
    }

    @Test func grantsRefusesServesAndExpires() throws {
        var master = PortFixture.master(Self.configuration())
        var t = PortFixture.origin
        let a = Self.address(2)
        // Announce at 2^1 s, Sync at 2^-1 s (the port's own), Delay_Resp at 2^0: granted; Sync at 2^-4: refused.
        let bytes = Self.signaling(
            from: Self.client(1),
            [
                Self.request(.announce, 1, 60), Self.request(.sync, -1, 60), Self.request(.delayResp, 0, 600),
                Self.request(.sync, -4, 60),
            ])
        let reply = PortFixture.sent(master.handle(.receivedBytesFrom(bytes, timestamp: t, source: a), at: t))
        #expect(reply.count == 1)
        #expect(reply.first?.destination == a)
        #expect(reply.first?.message.header.flags.contains(.unicast) == true)
        let g = Self.grants(reply)
        #expect(g.map(\.duration) == [60, 60, 300, 0])
        #expect(g.map(\.logInterMessagePeriod) == [1, -1, 0, -4])
        #expect(master.unicastService.granted == 3)
        #expect(master.unicastService.refused == 1)
        // The reply survives the codec.
        let decoded = try PTPMessage.decode(try #require(reply.first).message.encoded())
        #expect(decoded.tlvs.count == 4)

        // Announce ticks at 2^0 s: the client's 2^1 s Announce goes out on every second tick, unicast only.
        var announces: [OutgoingMessage] = []
        for _ in 0..<4 {
            t = t + .seconds(Int64(1))
            announces += PortFixture.sent(master.handle(.timerFired(.announce), at: t))
        }
        #expect(announces.count == 2)
        #expect(announces.allSatisfy { $0.destination == a && $0.message.header.logMessageInterval == 1 })

        // Sync: one per tick to the client, its Follow_Up to the same address.
        let syncs = PortFixture.sent(master.handle(.timerFired(.sync), at: t))
        #expect(syncs.count == 1)
        let token = try #require(syncs.first?.token)
        let followUp = PortFixture.sent(master.handle(.transmitted(token, timestamp: t), at: t))
        #expect(followUp.first?.message.messageType == .followUp)
        #expect(followUp.first?.destination == a)

        // A unicast Delay_Req is answered unicast with logMessageInterval 0x7F.
        let delayReq = PTPMessage(
            header: PTPHeader(
                messageType: .delayReq, sourcePortIdentity: Self.client(1), sequenceId: 9, flags: [.unicast],
                logMessageInterval: 0x7F),
            body: .delayReq(.init(originTimestamp: .zero))
        ).encoded()
        let resp = PortFixture.sent(master.handle(.receivedBytesFrom(delayReq, timestamp: t, source: a), at: t))
        #expect(resp.first?.destination == a)
        #expect(resp.first?.message.header.logMessageInterval == 0x7F)
        // From an address without a Delay_Resp grant it is not answered, and counted (no hybrid_e2e here).
        let stranger = master.handle(.receivedBytesFrom(delayReq, timestamp: t, source: Self.address(7)), at: t)
        #expect(PortFixture.sent(stranger).isEmpty)
        #expect(master.unicastService.ungrantedDelayRequests == 1)
        // With hybrid_e2e any unicast Delay_Req is answered, as linuxptp's process_delay_req does.
        var hybridConfiguration = Self.configuration()
        hybridConfiguration.hybridE2E = true
        var hybrid = PortFixture.master(hybridConfiguration)
        let answered = PortFixture.sent(hybrid.handle(.receivedBytesFrom(delayReq, timestamp: t, source: Self.address(7)), at: t))
        #expect(answered.first?.destination == Self.address(7))

        // After 60 s the Announce and Sync grants are gone and cost nothing; Delay_Resp (300 s) stays.
        t = t + .seconds(Int64(61))
        #expect(PortFixture.sent(master.handle(.timerFired(.announce), at: t)).isEmpty)
        #expect(PortFixture.sent(master.handle(.timerFired(.sync), at: t)).isEmpty)
        #expect(master.unicastService.expired == 2)
        #expect(master.unicastService.grants.map(\.messageType) == [.delayResp])
    }

    @Test func clientLimitAndCancel() {
        var master = PortFixture.master(Self.configuration(maxClients: 2))
        let t = PortFixture.origin
        for n: UInt8 in 1...3 {
            let bytes = Self.signaling(from: Self.client(UInt16(n)), [Self.request(.announce, 0, 60)])
            let g = Self.grants(
                PortFixture.sent(master.handle(.receivedBytesFrom(bytes, timestamp: t, source: Self.address(n)), at: t)))
            #expect(g.map(\.duration) == (n <= 2 ? [60] : [0]))
        }
        #expect(master.unicastService.clientCount == 2)
        #expect(master.unicastService.refused == 1)
        // A known client may renew while the table is full.
        let renew = Self.signaling(from: Self.client(1), [Self.request(.announce, 0, 60)])
        let g = Self.grants(
            PortFixture.sent(master.handle(.receivedBytesFrom(renew, timestamp: t, source: Self.address(1)), at: t)))
        #expect(g.map(\.duration) == [60])
        // CANCEL is acknowledged and frees the slot.
        let cancel = Self.signaling(
            from: Self.client(1),
            [.cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: MessageType.announce.rawValue))])
        let ack = PortFixture.sent(master.handle(.receivedBytesFrom(cancel, timestamp: t, source: Self.address(1)), at: t))
        let acks = ack.flatMap(\.message.tlvs).filter {
            if case .acknowledgeCancelUnicastTransmission = $0 { true } else { false }
        }
        #expect(acks.count == 1)
        #expect(master.unicastService.cancelled == 1)
        #expect(master.unicastService.clientCount == 1)
    }

    @Test func withoutUnicastListenRequestsAreIgnored() {
        var c = Self.configuration()
        c.unicast.listen = false
        var master = PortFixture.master(c)
        let t = PortFixture.origin
        let bytes = Self.signaling(from: Self.client(1), [Self.request(.announce, 0, 60)])
        #expect(PortFixture.sent(master.handle(.receivedBytesFrom(bytes, timestamp: t, source: Self.address(1)), at: t)).isEmpty)
        #expect(master.unicastService.grants.isEmpty)
    }

    /// `hybrid_e2e`: the slave's Delay_Req goes unicast to the address its master's Sync came from.
    @Test func hybridE2ESlaveSendsDelayReqToTheMastersAddress() {
        var c = PortConfiguration(portNumber: 1)
        c.hybridE2E = true
        let master = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        var slave = PortFixture.slave(c, parent: master)
        let t = PortFixture.origin
        // Before any Sync the master's address is unknown: multicast.
        #expect(PortFixture.sent(slave.handle(.timerFired(.delayRequest), at: t)).first?.destination == nil)
        let sync = PTPMessage(
            header: PTPHeader(messageType: .sync, sourcePortIdentity: master, sequenceId: 1, flags: [.twoStep]),
            body: .sync(.init(originTimestamp: .zero))
        ).encoded()
        _ = slave.handle(.receivedBytesFrom(sync, timestamp: t, source: Self.address(9)), at: t)
        let request = PortFixture.sent(slave.handle(.timerFired(.delayRequest), at: t)).first
        #expect(request?.destination == Self.address(9))
        #expect(request?.message.header.flags.contains(.unicast) == true)
    }

    /// 10,000 clients (the table is keyed, so each request, renewal and cancel costs the same at any size): all
    /// granted up to unicast_max_clients and refused beyond, one Sync per granted client per tick, renewals keep
    /// the count, cancels and expiry remove exactly theirs.
    /// A port serving more than 64 unicast clients cuts the Sync and Announce intervals into slots (one per
    /// 64 clients, a power of two, at most 256): each client gets its message exactly once per interval, in its
    /// own slot; the multicast Sync and the state decision stay once per interval; the timer is re-armed for
    /// the slot, not the interval.
    @Test func manyClientsAreServedInSlotsOfTheInterval() throws {
        var c = Self.configuration(maxClients: 2_000, inhibitMulticast: false)
        c.logSyncInterval = LogInterval(0)
        var master = PortFixture.master(c)
        let t = PortFixture.origin
        for n in 0..<1_000 {
            let bytes = Self.signaling(
                from: Self.client(UInt16(n)), [Self.request(.announce, 0, 300), Self.request(.sync, 0, 300)])
            let source = PortAddress(networkProtocol: .udpIPv4, address: [10, 1, UInt8(n >> 8), UInt8(n & 0xFF)])
            _ = master.handle(.receivedBytesFrom(bytes, timestamp: t, source: source), at: t)
        }
        // The slots are chosen as an interval begins: 1,000 clients granted during the last one make 16 slots
        // of a sixteenth of the interval each from the first tick on.
        for type in [PortTimer.sync, .announce] {
            var perSlot: [Int] = []
            var served: [PortAddress: Int] = [:]
            var multicast = 0
            var decisions = 0
            for _ in 0..<16 {
                let actions = master.handle(.timerFired(type), at: t)
                #expect(
                    actions.contains {
                        if case .armTimer(type, let after) = $0 {
                            after == .microseconds(62_500)
                        } else {
                            false
                        }
                    }, "\(type): re-armed for the next sixteenth of the interval")
                let sent = PortFixture.sent(actions).filter { $0.message.messageType == (type == .sync ? .sync : .announce) }
                perSlot.append(sent.filter { $0.destination != nil }.count)
                multicast += sent.filter { $0.destination == nil }.count
                for message in sent { if let d = message.destination { served[d, default: 0] += 1 } }
                decisions += actions.filter { if case .stateDecisionNeeded = $0 { true } else { false } }.count
            }
            #expect(served.count == 1_000, "\(type): every client once per interval")
            #expect(served.values.allSatisfy { $0 == 1 }, "\(type)")
            #expect(perSlot.allSatisfy { $0 > 30 && $0 < 100 }, "\(type): spread over the slots: \(perSlot)")
            #expect(multicast == 1, "\(type): the multicast message once per interval")
            if type == .announce { #expect(decisions == 1, "the state decision once per announce interval") }
        }
    }

    @Test func tenThousandClientsAreGrantedServedCancelledAndExpired() {
        var c = Self.configuration(maxClients: 10_000)
        c.logSyncInterval = LogInterval(0)
        var master = PortFixture.master(c)
        var t = PortFixture.origin
        func address(_ n: Int) -> PortAddress {
            PortAddress(networkProtocol: .udpIPv4, address: [10, UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])
        }
        let request = { (n: Int, duration: UInt32) in
            Self.signaling(
                from: PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: UInt16(truncatingIfNeeded: n)),
                [Self.request(.announce, 1, duration), Self.request(.sync, 0, duration), Self.request(.delayResp, 0, duration)])
        }
        for n in 0..<10_001 {
            _ = master.handle(.receivedBytesFrom(request(n, 60), timestamp: t, source: address(n)), at: t)
        }
        #expect(master.unicastService.clientCount == 10_000)
        #expect(master.unicastService.granted == 30_000)
        #expect(master.unicastService.refused == 3, "the 10,001st client's three requests")
        // The Sync interval is cut into 256 slots (10,000 clients granted Sync, 157 slots' worth, rounded up to a
        // power of two): one interval is 256 firings of the timer.
        var syncs: [OutgoingMessage] = []
        for _ in 0..<256 {
            syncs += PortFixture.sent(master.handle(.timerFired(.sync), at: t)).filter { $0.message.messageType == .sync }
        }
        #expect(master.unicastSyncSlots.count == 256)
        #expect(syncs.count == 10_000)
        #expect(Set(syncs.compactMap(\.destination)).count == 10_000)
        // Half renew for 120 s, a tenth cancel their Sync; at 61 s the others' grants are gone.
        t = t + .seconds(Int64(30))
        for n in 0..<5_000 {
            _ = master.handle(.receivedBytesFrom(request(n, 120), timestamp: t, source: address(n)), at: t)
        }
        for n in stride(from: 0, to: 10_000, by: 10) {
            let cancel = TLV.cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: MessageType.sync.rawValue))
            let bytes = Self.signaling(
                from: PortIdentity(clockIdentity: PortFixture.slaveClock, portNumber: UInt16(truncatingIfNeeded: n)), [cancel])
            _ = master.handle(.receivedBytesFrom(bytes, timestamp: t, source: address(n)), at: t)
        }
        #expect(master.unicastService.cancelled == 1_000)
        #expect(master.unicastService.clientCount == 10_000)
        t = t + .seconds(Int64(31))
        var later: [OutgoingMessage] = []
        for _ in 0..<256 {
            later += PortFixture.sent(master.handle(.timerFired(.sync), at: t)).filter { $0.message.messageType == .sync }
        }
        #expect(later.count == 4_500, "5,000 renewed, 500 of them cancelled their Sync")
        // Exactly the clients that still hold a Sync grant, once each: the slots' index followed the cancels
        // (each moves the last grant into the cancelled one's place) and the expiry.
        let expected = Set((0..<5_000).filter { $0 % 10 != 0 }.map(address))
        #expect(Set(later.compactMap(\.destination)) == expected)
        #expect(master.unicastService.clientCount == 5_000)
        #expect(master.unicastService.expired == 5_000 * 3 - 500)
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The engine never traps on what the network sends: mutated real messages and random bytes go
/// through a boundary clock in every state, and the worst outcome is a counted diagnostic.
@Suite struct RobustnessTests {
    struct Generator {
        var random: SplitMix64
        init(state: UInt64) { random = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { random.next() }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    @Test func mutatedMessagesNeverTrap() {
        var random = Generator(state: 2024)
        let ds = DefaultDS(clockIdentity: PortFixture.slaveClock, numberPorts: 2)
        var instance = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: ds,
                ports: [
                    PortConfiguration(portNumber: 1),
                    PortConfiguration(portNumber: 2, delayMechanism: .p2p),
                ]))
        var t = PortFixture.origin
        _ = instance.handle(.port(0, .linkUp), at: t)
        _ = instance.handle(.port(1, .linkUp), at: t)

        // Seeds: every kind of message a real master sends.
        var master = PortFixture.master()
        var seeds: [[UInt8]] = []
        for action in master.handle(.timerFired(.sync), at: t) {
            if case .send(let m) = action {
                seeds.append(m.message.encoded())
                if let token = m.token {
                    for a in master.handle(.transmitted(token, timestamp: t), at: t) {
                        if case .send(let f) = a { seeds.append(f.message.encoded()) }
                    }
                }
            }
        }
        for action in master.handle(.timerFired(.announce), at: t) {
            if case .send(let m) = action { seeds.append(m.message.encoded()) }
        }
        let requester = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        for type in [MessageType.delayReq, .pdelayReq] {
            let body: MessageBody =
                type == .delayReq ? .delayReq(.init(originTimestamp: .zero)) : .pdelayReq(.init(originTimestamp: .zero))
            seeds.append(
                PTPMessage(
                    header: PTPHeader(messageType: type, sourcePortIdentity: requester, sequenceId: 1),
                    body: body
                ).encoded())
        }
        let timers = PortTimer.allCases
        var total = 0
        for round in 0..<20_000 {
            t = t + .milliseconds(Int64(random.next() % 500))
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            let flips = Int(random.next() % 4)
            for _ in 0..<flips where !bytes.isEmpty {
                bytes[Int(random.next() % UInt64(bytes.count))] = random.byte()
            }
            if round % 97 == 0 {
                bytes = (0..<Int(random.next() % 80)).map { _ in random.byte() }
            }
            let port = Int(random.next() % 2)
            total += instance.handle(.port(port, .receivedBytes(bytes, timestamp: t)), at: t).count
            switch random.next() % 8 {
            case 0:
                total += instance.handle(.port(port, .timerFired(timers[Int(random.next() % UInt64(timers.count))])), at: t).count
            case 1:
                let events: [InstanceEvent] = [
                    .port(port, .masterClockSelected), .port(port, .synchronizationFault), .clockTimerFired(.silence),
                    .referenceTick(clockTime: t),
                ]
                total += instance.handle(events[Int(random.next() % UInt64(events.count))], at: t).count
            case 2:
                total +=
                    instance.handle(
                        .port(
                            port,
                            .transmitted(
                                TransmitToken(
                                    messageType: [.sync, .delayReq, .pdelayReq, .pdelayResp][Int(random.next() % 4)],
                                    sequenceId: UInt16(truncatingIfNeeded: random.next())), timestamp: t)), at: t
                    ).count
            case 3 where round % 500 == 0: total += instance.handle(.port(port, .linkDown), at: t).count
            case 4 where round % 500 == 1: total += instance.handle(.port(port, .linkUp), at: t).count
            default: break
            }
        }
        #expect(total > 0)
        #expect(instance.ports.allSatisfy { $0.counters.received > 0 })
        #expect(instance.ports.contains { $0.counters.decodeFailures > 0 })
    }
}

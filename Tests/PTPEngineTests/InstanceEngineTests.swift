import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The instance: BMCA across ports and the data set updates of IEEE 1588-2019 9.3.5 (tables 30–33).
@Suite struct InstanceEngineTests {
    static let bcIdentity = ClockIdentity(rawValue: 0xBC)
    static let gmIdentity = ClockIdentity(rawValue: 0x61)
    static let t0 = PTPInstant(seconds: 1_700_000_000)

    func boundaryClock() -> InstanceEngine {
        var ds = DefaultDS(clockIdentity: Self.bcIdentity, numberPorts: 2)
        ds.priority1 = 128
        var instance = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: ds, ports: [PortConfiguration(portNumber: 1), PortConfiguration(portNumber: 2)]))
        _ = instance.handle(.port(0, .linkUp), at: Self.t0)
        _ = instance.handle(.port(1, .linkUp), at: Self.t0)
        return instance
    }

    func gmAnnounce(sequence: UInt16, steps: UInt16 = 2) -> PTPMessage {
        let sender = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x77), portNumber: 3)
        let header = PTPHeader(
            messageType: .announce, sourcePortIdentity: sender, sequenceId: sequence,
            flags: [.ptpTimescale, .timeTraceable, .currentUtcOffsetValid], logMessageInterval: 1)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: 50,
            grandmasterClockQuality: ClockQuality(clockClass: 6, clockAccuracy: .within25ns, offsetScaledLogVariance: 0x4E5D),
            grandmasterPriority2: 60, grandmasterIdentity: Self.gmIdentity, stepsRemoved: steps, timeSource: .gnss)
        return PTPMessage(header: header, body: .announce(body))
    }

    @Test func boundaryClockTakesParentAndAnnouncesItDownstream() {
        var bc = boundaryClock()
        #expect(bc.parentDS.grandmasterIdentity == Self.bcIdentity)  // table 30 at start
        var actions = bc.handle(.port(0, .received(gmAnnounce(sequence: 1), timestamp: Self.t0)), at: Self.t0)
        let t1 = Self.t0 + .seconds(Int64(2))
        actions += bc.handle(.port(0, .received(gmAnnounce(sequence: 2), timestamp: t1)), at: t1)
        // Table 33: synchronised to Ebest.
        #expect(bc.decisions[0] == .s1)
        // Port 2 has heard nobody: figure 33 keeps a LISTENING port listening until its timeout.
        #expect(bc.decisions[1] == .listening)
        #expect(bc.ports[0].state == .uncalibrated)
        #expect(bc.ports[1].state == .listening)
        #expect(bc.currentDS.stepsRemoved == 3)
        #expect(bc.parentDS.grandmasterIdentity == Self.gmIdentity)
        #expect(bc.parentDS.grandmasterPriority1 == 50)
        #expect(bc.parentDS.parentPortIdentity == PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x77), portNumber: 3))
        #expect(bc.timePropertiesDS.timeSource == .gnss)
        #expect(bc.timePropertiesDS.ptpTimescale && bc.timePropertiesDS.timeTraceable)
        #expect(
            actions.contains { if case .parentChanged(let p, let gm) = $0 { p != nil && gm == Self.gmIdentity } else { false } })

        // Its announce receipt timeout makes it master (M3 after the state decision), and it announces
        // the grandmaster with stepsRemoved 3.
        let t2 = t1 + .seconds(Int64(4))
        let masterActions = bc.handle(.port(1, .timerFired(.announceReceipt)), at: t2)
        #expect(bc.ports[1].state == .master)
        #expect(bc.decisions[1] == .m3)
        let announces = masterActions.compactMap { action -> AnnounceBody? in
            if case .port(1, .send(let m)) = action, case .announce(let body) = m.message.body { body } else { nil }
        }
        #expect(announces.count == 1)
        #expect(announces.first?.grandmasterIdentity == Self.gmIdentity)
        #expect(announces.first?.stepsRemoved == 3)
        #expect(announces.first?.grandmasterClockQuality.clockClass == 6)
        #expect(announces.first?.timeSource == .gnss)
    }

    @Test func losingTheParentMakesTheClockItsOwnGrandmaster() {
        var bc = boundaryClock()
        _ = bc.handle(.port(0, .received(gmAnnounce(sequence: 1), timestamp: Self.t0)), at: Self.t0)
        _ = bc.handle(.port(0, .received(gmAnnounce(sequence: 2), timestamp: Self.t0)), at: Self.t0)
        #expect(bc.slavePortIndex == 0)
        let later = Self.t0 + .seconds(Int64(8))
        let actions = bc.handle(.port(0, .timerFired(.announceReceipt)), at: later)
        #expect(bc.slavePortIndex == nil)
        #expect(bc.parentDS.grandmasterIdentity == Self.bcIdentity)  // table 30
        #expect(bc.currentDS.stepsRemoved == 0)
        let changes = actions.compactMap { if case .port(0, .stateChanged(let c)) = $0 { c.description } else { nil } }
        #expect(changes.first == "port 1: UNCALIBRATED to MASTER on ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES")
    }

    @Test func betterLocalQualityTakesOver() {
        var bc = boundaryClock()
        _ = bc.handle(.port(0, .received(gmAnnounce(sequence: 1), timestamp: Self.t0)), at: Self.t0)
        _ = bc.handle(.port(0, .received(gmAnnounce(sequence: 2), timestamp: Self.t0)), at: Self.t0)
        _ = bc.handle(.port(1, .timerFired(.announceReceipt)), at: Self.t0)
        var actions: [InstanceAction] = []
        bc.setPriorities(priority1: 10, priority2: 128, at: Self.t0, into: &actions)
        #expect(bc.decisions == [.m2, .m2])
        #expect(bc.parentDS.grandmasterIdentity == Self.bcIdentity)
        #expect(bc.ports.map(\.state) == [.master, .master])
    }

    /// The reference (GNSS) side changes what the clock offers as grandmaster; its Announce follows.
    @Test func grandmasterQualityFeedsAnnounce() {
        var gm = boundaryClock()
        _ = gm.handle(.port(0, .timerFired(.announceReceipt)), at: Self.t0)
        #expect(gm.ports[0].state == .master)
        var time = TimePropertiesDS(
            currentUtcOffset: 37, currentUtcOffsetValid: true, timeTraceable: true,
            frequencyTraceable: true, ptpTimescale: true, timeSource: .gnss)
        var actions: [InstanceAction] = []
        gm.setGrandmasterQuality(
            GrandmasterQuality(
                clockQuality: ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D),
                timeProperties: time), at: Self.t0, into: &actions)
        var announce = gm.handle(.port(0, .timerFired(.announce)), at: Self.t0).compactMap { action -> PTPMessage? in
            if case .port(0, .send(let m)) = action, m.message.messageType == .announce { m.message } else { nil }
        }.first
        if case .announce(let body) = announce?.body {
            #expect(body.grandmasterClockQuality.clockClass == 6)
            #expect(body.timeSource == .gnss)
            #expect(body.grandmasterIdentity == Self.bcIdentity)
        } else {
            Issue.record("no Announce")
        }
        #expect(announce?.header.flags.contains(.timeTraceable) == true)
        #expect(announce?.header.flags.contains(.ptpTimescale) == true)
        // GNSS lost: holdover, class 7, no longer traceable.
        time.timeTraceable = false
        gm.setGrandmasterQuality(
            GrandmasterQuality(
                clockQuality: ClockQuality(clockClass: 7, clockAccuracy: .within1us, offsetScaledLogVariance: 0x4E5D),
                timeProperties: time), at: Self.t0, into: &actions)
        announce =
            gm.handle(.port(0, .timerFired(.announce)), at: Self.t0).compactMap { action -> PTPMessage? in
                if case .port(0, .send(let m)) = action, m.message.messageType == .announce { m.message } else { nil }
            }.first
        if case .announce(let body) = announce?.body {
            #expect(body.grandmasterClockQuality.clockClass == 7)
        } else {
            Issue.record("no Announce")
        }
        #expect(announce?.header.flags.contains(.timeTraceable) == false)
        #expect(gm.defaultDS.clockQuality.clockClass == 7)
    }

    /// 9.2.6.8 asks for a state decision at least once per Announce interval, and every master port's Announce
    /// timer asks for one: a clock of four master ports decides once per interval, not four times, and a
    /// decision a change asks for runs at once and counts as the interval's.
    @Test func masterPortsShareTheIntervalsStateDecision() {
        let ds = DefaultDS(clockIdentity: Self.bcIdentity, numberPorts: 4)
        var clock = InstanceEngine(
            configuration: InstanceConfiguration(defaultDS: ds, ports: (1...4).map { PortConfiguration(portNumber: $0) }))
        var t = Self.t0
        for p in 0..<4 { _ = clock.handle(.port(p, .linkUp), at: t) }
        for p in 0..<4 { _ = clock.handle(.port(p, .timerFired(.announceReceipt)), at: t) }
        #expect(clock.ports.allSatisfy { $0.state == .master })
        // One round: each master port's Announce timer, a quarter of the 2-s interval apart. Returns the
        // decisions the round ran.
        func round() -> Int {
            let before = clock.stateDecisions
            for p in clock.ports.indices {
                t = t + .milliseconds(500)
                let actions = clock.handle(.port(p, .timerFired(.announce)), at: t)
                if clock.ports[p].state == .master {
                    // The port still announces at every firing, whether or not the decision ran.
                    #expect(
                        actions.contains {
                            if case .port(p, .send(let m)) = $0 { m.message.messageType == .announce } else { false }
                        })
                }
            }
            return clock.stateDecisions - before
        }
        _ = round()  // the decisions that made the ports master precede every port's interval
        #expect((0..<5).map { _ in round() } == [1, 1, 1, 1, 1])

        // A better master heard on port 3: the decision it asks for runs at once, whatever the timers.
        let before = clock.stateDecisions
        _ = clock.handle(.port(2, .received(gmAnnounce(sequence: 1), timestamp: t)), at: t)
        _ = clock.handle(.port(2, .received(gmAnnounce(sequence: 2), timestamp: t)), at: t)
        #expect(clock.stateDecisions > before)
        #expect(clock.ports[2].state == .uncalibrated)
        // It was the interval's decision for ports 1, 2 and 4; the round after has one again.
        #expect(round() == 0)
        #expect(round() == 1)
    }
}

@Suite struct InstanceFaultTests {
    /// When the slave port faults, the clock does not keep a parent it can no longer hear.
    @Test func slavePortFaultDropsTheParent() {
        let ds = DefaultDS(clockIdentity: InstanceEngineTests.bcIdentity, numberPorts: 2)
        var bc = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: ds, ports: [PortConfiguration(portNumber: 1), PortConfiguration(portNumber: 2)]))
        let t0 = InstanceEngineTests.t0
        _ = bc.handle(.port(0, .linkUp), at: t0)
        _ = bc.handle(.port(1, .linkUp), at: t0)
        let fixture = InstanceEngineTests()
        _ = bc.handle(.port(0, .received(fixture.gmAnnounce(sequence: 1), timestamp: t0)), at: t0)
        _ = bc.handle(.port(0, .received(fixture.gmAnnounce(sequence: 2), timestamp: t0)), at: t0)
        #expect(bc.slavePortIndex == 0)
        _ = bc.handle(.port(0, .linkDown), at: t0)
        #expect(bc.ports[0].state == .faulty)
        #expect(bc.slavePortIndex == nil)
        #expect(bc.parentDS.grandmasterIdentity == InstanceEngineTests.bcIdentity)
    }
}

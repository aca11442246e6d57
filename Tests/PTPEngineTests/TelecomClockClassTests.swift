import PTPCore
import PTPEngine
import PTPWire
import Testing

/// A G.8275 T-BC's own clockClass (ITU-T G.8275.1 table 2): 248 until it has followed a master, 135 when it
/// loses the master it was locked to (holdover within specification), 165 once holdover_max_time has passed,
/// and its configured class again when it follows a master.
@Suite struct TelecomClockClassTests {
    static let t0 = PTPInstant(seconds: 1_700_000_000)
    static let gm = ClockIdentity(rawValue: 0x61)

    func announce(sequence: UInt16) -> PTPMessage {
        let header = PTPHeader(
            messageType: .announce, sourcePortIdentity: PortIdentity(clockIdentity: Self.gm, portNumber: 1),
            sequenceId: sequence, logMessageInterval: 0)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: 128,
            grandmasterClockQuality: ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D),
            grandmasterPriority2: 128, grandmasterIdentity: Self.gm, stepsRemoved: 0, timeSource: .gnss)
        return PTPMessage(header: header, body: .announce(body))
    }

    func telecomBoundaryClock(limit: PTPDuration?) -> InstanceEngine {
        let ports = [
            PortConfiguration(portNumber: 1, logAnnounceInterval: LogInterval(0)),
            PortConfiguration(portNumber: 2, logAnnounceInterval: LogInterval(0)),
        ]
        var configuration = InstanceConfiguration(
            defaultDS: DefaultDS(clockIdentity: ClockIdentity(rawValue: 0xBC), numberPorts: 2), ports: ports)
        configuration.bmca = BMCAConfiguration(
            comparison: .g8275, boundaryClockHoldover: TelecomBoundaryClockClasses(holdoverSpecification: limit))
        var bc = InstanceEngine(configuration: configuration)
        _ = bc.handle(.port(0, .linkUp), at: Self.t0)
        _ = bc.handle(.port(1, .linkUp), at: Self.t0)
        return bc
    }

    static func classChanges(_ actions: [InstanceAction]) -> [UInt8] {
        actions.compactMap { if case .clockClassChanged(let c) = $0 { c } else { nil } }
    }

    @Test func aBoundaryClockInHoldoverAnnounces135Then165AndReturns() {
        var bc = telecomBoundaryClock(limit: .seconds(Int64(60)))
        #expect(bc.defaultDS.clockQuality.clockClass == 248)
        var t = Self.t0
        for sequence in 0..<2 {
            t = t + .seconds(Int64(1))
            _ = bc.handle(.port(0, .received(announce(sequence: UInt16(sequence)), timestamp: t)), at: t)
        }
        #expect(bc.decisions[0] == .s1)
        // Locked: the servo's verdict makes the port SLAVE.
        _ = bc.handle(.port(0, .masterClockSelected), at: t)
        #expect(bc.ports[0].state == .slave)
        #expect(bc.defaultDS.clockQuality.clockClass == 248)

        // The grandmaster goes silent: the announce receipt timeout makes this clock its own grandmaster,
        // in holdover within specification.
        t = t + .seconds(Int64(4))
        let lost = bc.handle(.port(0, .timerFired(.announceReceipt)), at: t)
        #expect(bc.slavePortIndex == nil)
        #expect(Self.classChanges(lost) == [135])
        #expect(bc.defaultDS.clockQuality.clockClass == 135)
        #expect(bc.parentDS.grandmasterClockQuality.clockClass == 135)
        // What its master port announces says 135.
        let announced = bc.handle(.port(1, .timerFired(.announceReceipt)), at: t).compactMap { action -> UInt8? in
            if case .port(1, .send(let m)) = action, case .announce(let body) = m.message.body {
                body.grandmasterClockQuality.clockClass
            } else {
                nil
            }
        }
        #expect(announced.allSatisfy { $0 == 135 } && !announced.isEmpty, "\(announced)")

        // Within the 60 s nothing changes; after them the next decision says 165.
        t = t + .seconds(Int64(30))
        #expect(Self.classChanges(bc.handle(.port(1, .timerFired(.announce)), at: t)).isEmpty)
        t = t + .seconds(Int64(31))
        #expect(Self.classChanges(bc.handle(.port(1, .timerFired(.announce)), at: t)) == [165])
        #expect(bc.defaultDS.clockQuality.clockClass == 165)

        // The grandmaster is back (class 6 beats 165): the clock follows it and its own class is 248 again.
        var back: [InstanceAction] = []
        for sequence in 10..<12 {
            t = t + .seconds(Int64(1))
            back += bc.handle(.port(0, .received(announce(sequence: UInt16(sequence)), timestamp: t)), at: t)
        }
        #expect(bc.decisions[0] == .s1)
        #expect(Self.classChanges(back) == [248])
        #expect(bc.boundaryClockHoldoverSince == nil)
    }

    @Test func aClockThatNeverLockedStays248AndTheDefaultProfileNeverChanges() {
        // Lost while UNCALIBRATED: not a holdover (there was no locked time to hold).
        var bc = telecomBoundaryClock(limit: nil)
        var t = Self.t0
        for sequence in 0..<2 {
            t = t + .seconds(Int64(1))
            _ = bc.handle(.port(0, .received(announce(sequence: UInt16(sequence)), timestamp: t)), at: t)
        }
        #expect(bc.ports[0].state == .uncalibrated)
        t = t + .seconds(Int64(4))
        #expect(Self.classChanges(bc.handle(.port(0, .timerFired(.announceReceipt)), at: t)).isEmpty)
        #expect(bc.defaultDS.clockQuality.clockClass == 248)

        // The default profile keeps its class whatever happens.
        var plain = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: DefaultDS(clockIdentity: ClockIdentity(rawValue: 0xBD), numberPorts: 1),
                ports: [PortConfiguration(portNumber: 1, logAnnounceInterval: LogInterval(0))]))
        _ = plain.handle(.port(0, .linkUp), at: Self.t0)
        t = Self.t0
        for sequence in 0..<2 {
            t = t + .seconds(Int64(1))
            _ = plain.handle(.port(0, .received(announce(sequence: UInt16(sequence)), timestamp: t)), at: t)
        }
        _ = plain.handle(.port(0, .masterClockSelected), at: t)
        #expect(plain.ports[0].state == .slave)
        t = t + .seconds(Int64(4))
        #expect(Self.classChanges(plain.handle(.port(0, .timerFired(.announceReceipt)), at: t)).isEmpty)
        #expect(plain.defaultDS.clockQuality.clockClass == 248)
    }

    /// A reload that makes the clock slave-only makes it class 255 (linuxptp clock_create), and its class comes
    /// back when it may be master again.
    @Test func slaveOnlyIsClass255AndTheClassComesBack() {
        var ds = DefaultDS(clockIdentity: ClockIdentity(rawValue: 0xBE), numberPorts: 1)
        ds.clockQuality.clockClass = 187
        var clock = InstanceEngine(
            configuration: InstanceConfiguration(defaultDS: ds, ports: [PortConfiguration(portNumber: 1)]))
        var actions: [InstanceAction] = []
        clock.setSlaveOnly(true, at: Self.t0, into: &actions)
        #expect(clock.defaultDS.clockQuality.clockClass == 255)
        #expect(clock.parentDS.grandmasterClockQuality.clockClass == 255)
        clock.setSlaveOnly(false, at: Self.t0, into: &actions)
        #expect(clock.defaultDS.clockQuality.clockClass == 187)
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// What management changes through the engine: portEnable, domain, slaveOnly, the descriptions.
@Suite struct ManagementHooksTests {
    let t0 = InstanceEngineTests.t0

    func instance(ports: Int = 2) -> InstanceEngine {
        let ds = DefaultDS(clockIdentity: InstanceEngineTests.bcIdentity, numberPorts: UInt16(ports))
        var engine = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: ds, ports: (1...ports).map { PortConfiguration(portNumber: UInt16($0)) }))
        for i in 0..<ports { _ = engine.handle(.port(i, .linkUp), at: t0) }
        return engine
    }

    @Test func descriptionDefaultsFollowTheShape() {
        #expect(instance(ports: 2).clockDescription.clockType == .boundaryClock)
        #expect(instance(ports: 1).clockDescription.clockType == .ordinaryClock)
        #expect(instance(ports: 1).clockDescription.profileIdentity == ClockDescription.defaultE2EProfile)
        var engine = instance()
        engine.setUserDescription("bc-1;rack 4")
        #expect(engine.clockDescription.userDescription.description == "bc-1;rack 4")
    }

    @Test func disabledPortStaysDisabledThroughLinkEvents() {
        var engine = instance()
        let off = engine.handle(.port(1, .setEnabled(false)), at: t0)
        #expect(engine.ports[1].state == .disabled)
        #expect(engine.ports[1].portDS.portEnable == false)
        let changes = off.compactMap { if case .port(1, .stateChanged(let c)) = $0 { c.description } else { nil } }
        #expect(changes == ["port 2: LISTENING to DISABLED on DESIGNATED_DISABLED"])
        _ = engine.handle(.port(1, .linkDown), at: t0)
        _ = engine.handle(.port(1, .linkUp), at: t0)
        #expect(engine.ports[1].state == .disabled)
        _ = engine.handle(.port(1, .setEnabled(true)), at: t0)
        #expect(engine.ports[1].state == .listening)
    }

    @Test func newDomainIgnoresTheOldOne() {
        var engine = instance()
        let fixture = InstanceEngineTests()
        _ = engine.handle(.port(0, .received(fixture.gmAnnounce(sequence: 1), timestamp: t0)), at: t0)
        _ = engine.handle(.port(0, .received(fixture.gmAnnounce(sequence: 2), timestamp: t0)), at: t0)
        #expect(engine.slavePortIndex == 0)
        var actions: [InstanceAction] = []
        engine.setDomainNumber(24, at: t0, into: &actions)
        #expect(engine.defaultDS.domainNumber == 24)
        #expect(engine.slavePortIndex == nil)
        let later = engine.handle(.port(0, .received(fixture.gmAnnounce(sequence: 3), timestamp: t0)), at: t0)
        #expect(later.contains { if case .port(0, .diagnostic(.wrongDomain(0))) = $0 { true } else { false } })
    }

    @Test func slaveOnlyStopsMastering() {
        var engine = instance(ports: 1)
        _ = engine.handle(.port(0, .timerFired(.announceReceipt)), at: t0)
        #expect(engine.ports[0].state == .master)
        var actions: [InstanceAction] = []
        engine.setSlaveOnly(true, at: t0, into: &actions)
        #expect(engine.ports[0].state == .listening)
    }
}

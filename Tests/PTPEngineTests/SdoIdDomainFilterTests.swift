import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Issue #17: messages of another sdoId (majorSdoId/transportSpecific, minorSdoId) or another domain are
/// dropped and counted, before any of their content is used (IEEE 1588-2019 7.1, 13.3.2.1, 13.3.2.6).
struct SdoIdDomainFilterTests {
    func announce(major: UInt8 = 0, minor: UInt8 = 0, domain: UInt8 = 0, sequence: UInt16) -> [UInt8] {
        let sender = PortIdentity(clockIdentity: PortFixture.masterClock, portNumber: 1)
        let header = PTPHeader(
            messageType: .announce, sourcePortIdentity: sender, sequenceId: sequence, domainNumber: domain,
            logMessageInterval: 1, majorSdoId: major, minorSdoId: minor)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: 1, grandmasterClockQuality: .default, grandmasterPriority2: 1,
            grandmasterIdentity: PortFixture.masterClock, stepsRemoved: 0, timeSource: .gnss)
        return PTPMessage(header: header, body: .announce(body)).encoded()
    }

    @Test func otherSdoIdsAndDomainsAreDroppedAndCounted() {
        var port = PortFixture.port(PortFixture.slaveClock)
        var t = PortFixture.origin
        _ = port.handle(.linkUp, at: t)
        let hostile: [[UInt8]] = [
            announce(major: 1, sequence: 1),  // gPTP's transportSpecific 1
            announce(minor: 0x42, sequence: 2),
            announce(major: 0xF, minor: 0xFF, sequence: 3),
            announce(domain: 24, sequence: 4),
        ]
        for bytes in hostile {
            t = t + .milliseconds(100)
            let diagnostics = PortFixture.diagnostics(port.handle(.receivedBytes(bytes, timestamp: t), at: t))
            #expect(diagnostics.count == 1)
        }
        #expect(port.counters.sdoIdMismatches == 3)
        #expect(port.counters.domainMismatches == 1)
        #expect(port.foreignMasters.records.isEmpty, "a filtered Announce reached the foreign master table")
        // The instance's own sdoId (0) and domain pass.
        _ = port.handle(.receivedBytes(announce(sequence: 5), timestamp: t), at: t)
        #expect(port.foreignMasters.records.count == 1)
    }

    @Test func aPortOfAnotherSdoIdSendsAndAcceptsItsOwn() {
        let ds = DefaultDS(clockIdentity: PortFixture.slaveClock, numberPorts: 1, sdoId: 0x142)
        var instance = InstanceEngine(
            configuration: InstanceConfiguration(defaultDS: ds, ports: [PortConfiguration(portNumber: 1)]))
        let t = PortFixture.origin
        _ = instance.handle(.port(0, .linkUp), at: t)
        _ = instance.handle(.port(0, .receivedBytes(announce(sequence: 1), timestamp: t)), at: t)
        #expect(instance.ports[0].counters.sdoIdMismatches == 1)
        _ = instance.handle(.port(0, .receivedBytes(announce(major: 1, minor: 0x42, sequence: 2), timestamp: t)), at: t)
        #expect(instance.ports[0].counters.sdoIdMismatches == 1)
        #expect(instance.ports[0].foreignMasters.records.count == 1)
    }
}

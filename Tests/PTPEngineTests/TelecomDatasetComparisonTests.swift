import PTPCore
import PTPEngine
import PTPWire
import Testing

/// The G.8275 alternate BMCA (ITU-T G.8275.1 6.3, figure 4; linuxptp 3.1 `telecom_dscmp`): a table with a
/// case for each step of the comparison, each in both directions, then the instance choosing between two
/// ports by their localPriority.
@Suite struct TelecomDatasetComparisonTests {
    static let gmA = ClockIdentity(rawValue: 0x0000_00FF_FE00_0001)
    static let gmB = ClockIdentity(rawValue: 0x0000_00FF_FE00_0002)
    static let low = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x10), portNumber: 1)
    static let mid = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x20), portNumber: 1)
    static let high = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x30), portNumber: 1)

    static func ds(
        gm: ClockIdentity = gmA, p1: UInt8 = 128, cls: UInt8 = 165, acc: UInt8 = 0xFE, variance: UInt16 = 0xFFFF,
        p2: UInt8 = 128, local: UInt8 = 128, steps: UInt16 = 1, sender: PortIdentity = mid, receiver: PortIdentity = high
    ) -> ComparisonDataset {
        ComparisonDataset(
            grandmasterPriority1: p1, grandmasterIdentity: gm,
            grandmasterClockQuality: ClockQuality(
                clockClass: cls, clockAccuracy: ClockAccuracy(rawValue: acc), offsetScaledLogVariance: variance),
            grandmasterPriority2: p2, stepsRemoved: steps, senderIdentity: sender, receiverIdentity: receiver,
            localPriority: local)
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var a: ComparisonDataset
        var b: ComparisonDataset
        /// What G.8275 says, and what IEEE 1588 says of the same pair (where they differ the case shows why).
        var telecom: ComparisonResult
        var ieee: ComparisonResult
        var description: String { name }
    }

    static let cases: [Case] = [
        // Step 0: priority1 is not compared (G.8275.1 fixes it at 128; ptp4l's telecom_dscmp skips it).
        Case(
            name: "priority1 is not compared", a: ds(gm: gmA, p1: 200, cls: 6), b: ds(gm: gmB, p1: 1, cls: 7),
            telecom: .aBetter, ieee: .bBetter),
        // Step 1: clockClass, the profile's classes in order (6 T-GM locked, 7 T-GM holdover in spec,
        // 135 T-BC holdover in spec, 140/150/160 T-GM out of holdover spec, 165 T-BC out of spec, 248 free-running).
        Case(name: "class 6 beats 7", a: ds(gm: gmB, cls: 6), b: ds(gm: gmA, cls: 7), telecom: .aBetter, ieee: .aBetter),
        Case(name: "class 7 beats 135", a: ds(gm: gmB, cls: 135), b: ds(gm: gmA, cls: 7), telecom: .bBetter, ieee: .bBetter),
        Case(
            name: "class 135 beats 140", a: ds(gm: gmB, cls: 135), b: ds(gm: gmA, cls: 140), telecom: .aBetter, ieee: .aBetter),
        Case(
            name: "class 150 loses to 140", a: ds(gm: gmA, cls: 150), b: ds(gm: gmB, cls: 140), telecom: .bBetter,
            ieee: .bBetter),
        Case(
            name: "class 160 beats 165", a: ds(gm: gmB, cls: 160), b: ds(gm: gmA, cls: 165), telecom: .aBetter, ieee: .aBetter),
        Case(
            name: "class 165 beats 248", a: ds(gm: gmB, cls: 165), b: ds(gm: gmA, cls: 248), telecom: .aBetter, ieee: .aBetter),
        Case(
            name: "class 248 beats 255", a: ds(gm: gmB, cls: 255), b: ds(gm: gmA, cls: 248), telecom: .bBetter, ieee: .bBetter),
        // Step 2: clockAccuracy.
        Case(name: "accuracy A", a: ds(gm: gmB, acc: 0x21), b: ds(gm: gmA, acc: 0x22), telecom: .aBetter, ieee: .aBetter),
        Case(name: "accuracy B", a: ds(gm: gmA, acc: 0x23), b: ds(gm: gmB, acc: 0x22), telecom: .bBetter, ieee: .bBetter),
        // Step 3: offsetScaledLogVariance.
        Case(
            name: "variance A", a: ds(gm: gmB, variance: 0x4E5D), b: ds(gm: gmA, variance: 0x4E5E), telecom: .aBetter,
            ieee: .aBetter),
        Case(
            name: "variance B", a: ds(gm: gmA, variance: 0x6000), b: ds(gm: gmB, variance: 0x4E5D), telecom: .bBetter,
            ieee: .bBetter),
        // Step 4: priority2.
        Case(name: "priority2 A", a: ds(gm: gmB, p2: 10), b: ds(gm: gmA, p2: 20), telecom: .aBetter, ieee: .aBetter),
        Case(name: "priority2 B", a: ds(gm: gmA, p2: 30), b: ds(gm: gmB, p2: 20), telecom: .bBetter, ieee: .bBetter),
        // Step 5: localPriority, before the grandmaster identity (IEEE 1588 never compares it).
        Case(
            name: "localPriority A beats a lower identity", a: ds(gm: gmB, local: 1), b: ds(gm: gmA, local: 2),
            telecom: .aBetter, ieee: .bBetter),
        Case(
            name: "localPriority B", a: ds(gm: gmA, local: 200), b: ds(gm: gmB, local: 100), telecom: .bBetter,
            ieee: .aBetter),
        Case(
            name: "localPriority beats steps", a: ds(gm: gmA, local: 10, steps: 5), b: ds(gm: gmA, local: 20, steps: 1),
            telecom: .aBetter, ieee: .bBetter),
        // Step 6: class 127 or better: equivalent T-GMs are chosen by topology, not identity.
        Case(
            name: "class 6: fewer steps beat a lower identity", a: ds(gm: gmB, cls: 6, steps: 1),
            b: ds(gm: gmA, cls: 6, steps: 3), telecom: .aBetter, ieee: .bBetter),
        Case(
            name: "class 6: one step fewer, by topology", a: ds(gm: gmA, cls: 6, steps: 2, receiver: high),
            b: ds(gm: gmB, cls: 6, steps: 1, receiver: high), telecom: .bBetterByTopology, ieee: .aBetter),
        Case(
            name: "class 6: equal steps, lower sender", a: ds(gm: gmB, cls: 6, sender: low),
            b: ds(gm: gmA, cls: 6, sender: mid), telecom: .aBetterByTopology, ieee: .bBetter),
        // Step 7: above class 127, the grandmaster identity, then the topology for the same grandmaster.
        Case(
            name: "class 165: lower identity", a: ds(gm: gmA, steps: 3), b: ds(gm: gmB, steps: 1), telecom: .aBetter,
            ieee: .aBetter),
        Case(
            name: "class 165: same grandmaster, fewer steps", a: ds(gm: gmA, steps: 4), b: ds(gm: gmA, steps: 1),
            telecom: .bBetter, ieee: .bBetter),
        Case(
            name: "same grandmaster, same sender and port: error-2", a: ds(gm: gmA), b: ds(gm: gmA), telecom: .error2,
            ieee: .error2),
    ]

    @Test(arguments: cases)
    func eachStepOfTheComparison(_ c: Case) {
        #expect(TelecomDatasetComparison.compare(c.a, c.b) == c.telecom)
        #expect(DatasetComparisonAlgorithm.g8275.compare(c.a, c.b) == c.telecom)
        #expect(DatasetComparisonAlgorithm.ieee1588.compare(c.a, c.b) == c.ieee)
    }

    @Test(arguments: cases)
    func swappingAAndBSwapsTheResult(_ c: Case) {
        let swapped: ComparisonResult =
            switch c.telecom {
            case .aBetter: .bBetter
            case .bBetter: .aBetter
            case .aBetterByTopology: .bBetterByTopology
            case .bBetterByTopology: .aBetterByTopology
            case .error1, .error2: c.telecom
            }
        #expect(TelecomDatasetComparison.compare(c.b, c.a) == swapped)
    }

    @Test func theStateDecisionUsesTheComparisonItIsGiven() {
        let me = ClockIdentity(rawValue: 0x50)
        var d0 = ComparisonDataset(
            defaultDS: DefaultDS(
                clockIdentity: me, numberPorts: 1,
                clockQuality: ClockQuality(clockClass: 165, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF),
                priority1: 1))
        d0.localPriority = 128
        // A foreign master with priority1 255 but a better localPriority: IEEE keeps this clock master
        // (priority1 1 wins), G.8275 ignores priority1 and makes the port slave.
        let foreign = Self.ds(gm: Self.gmB, p1: 255, local: 50, receiver: PortIdentity(clockIdentity: me, portNumber: 1))
        let ieee = StateDecision.decide(
            d0: d0, erbest: foreign, ebest: foreign, ebestIsOnThisPort: true, portState: .master, slaveOnly: false,
            masterOnly: false)
        let telecom = StateDecision.decide(
            d0: d0, erbest: foreign, ebest: foreign, ebestIsOnThisPort: true, portState: .master, slaveOnly: false,
            masterOnly: false, comparison: .g8275)
        #expect(ieee == .m2)
        #expect(telecom == .s1)
        // The clock's own localPriority counts for D0: better than the port's, this clock stays master.
        d0.localPriority = 10
        #expect(
            StateDecision.decide(
                d0: d0, erbest: foreign, ebest: foreign, ebestIsOnThisPort: true, portState: .master, slaveOnly: false,
                masterOnly: false, comparison: .g8275) == .m2)
    }

    /// A boundary clock hears two T-GMs of the same quality, one on each port: the port with the better
    /// (lower) G.8275.portDS.localPriority has Ebest; with IEEE 1588 the lower grandmaster identity wins.
    @Test(arguments: [(UInt8(200), UInt8(100), 1), (UInt8(50), UInt8(100), 0)])
    func aBoundaryClockFollowsThePortWithTheBetterLocalPriority(first: UInt8, second: UInt8, slave: Int) {
        let t0 = PTPInstant(seconds: 1_700_000_000)
        var ports = [PortConfiguration(portNumber: 1), PortConfiguration(portNumber: 2)]
        ports[0].localPriority = first
        ports[1].localPriority = second
        var configuration = InstanceConfiguration(
            defaultDS: DefaultDS(clockIdentity: ClockIdentity(rawValue: 0xBC), numberPorts: 2), ports: ports)
        configuration.bmca = BMCAConfiguration(comparison: .g8275, localPriority: 128)
        var bc = InstanceEngine(configuration: configuration)
        _ = bc.handle(.port(0, .linkUp), at: t0)
        _ = bc.handle(.port(1, .linkUp), at: t0)
        func announce(_ gm: ClockIdentity, sequence: UInt16) -> PTPMessage {
            let header = PTPHeader(
                messageType: .announce, sourcePortIdentity: PortIdentity(clockIdentity: gm, portNumber: 1),
                sequenceId: sequence, logMessageInterval: 1)
            let body = AnnounceBody(
                currentUtcOffset: 37, grandmasterPriority1: 128,
                grandmasterClockQuality: ClockQuality(
                    clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D),
                grandmasterPriority2: 128, grandmasterIdentity: gm, stepsRemoved: 0, timeSource: .gnss)
            return PTPMessage(header: header, body: .announce(body))
        }
        for (i, t) in [t0, t0 + .seconds(Int64(1))].enumerated() {
            // gmA (lower identity) on port 1, gmB on port 2.
            _ = bc.handle(.port(0, .received(announce(Self.gmA, sequence: UInt16(i)), timestamp: t)), at: t)
            _ = bc.handle(.port(1, .received(announce(Self.gmB, sequence: UInt16(i)), timestamp: t)), at: t)
        }
        #expect(bc.decisions[slave] == .s1)
        #expect(bc.parentDS.grandmasterIdentity == (slave == 0 ? Self.gmA : Self.gmB))
        #expect(bc.decisions[1 - slave] == .m3)
    }
}

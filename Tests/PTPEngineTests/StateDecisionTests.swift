import PTPCore
import PTPEngine
import Testing

/// The state decision algorithm (IEEE 1588-2019 9.3.3, figure 33): each decision point.
@Suite struct StateDecisionTests {
    static let me = ClockIdentity(rawValue: 0x50)
    static func d0(cls: UInt8 = 248, p1: UInt8 = 128) -> ComparisonDataset {
        ComparisonDataset(
            defaultDS: DefaultDS(
                clockIdentity: me, numberPorts: 2,
                clockQuality: ClockQuality(clockClass: cls, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF),
                priority1: p1))
    }
    static func foreign(p1: UInt8, steps: UInt16 = 0, sender: UInt64 = 0x10, receiverPort: UInt16 = 1) -> ComparisonDataset {
        ComparisonDataset(
            grandmasterPriority1: p1, grandmasterIdentity: ClockIdentity(rawValue: 0x99),
            grandmasterClockQuality: .default, grandmasterPriority2: 128, stepsRemoved: steps,
            senderIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: sender), portNumber: 1),
            receiverIdentity: PortIdentity(clockIdentity: me, portNumber: receiverPort))
    }

    func decide(
        _ d0: ComparisonDataset, _ erbest: ComparisonDataset?, _ ebest: ComparisonDataset?, here: Bool,
        state: PortState = .master, slaveOnly: Bool = false, masterOnly: Bool = false
    ) -> StateDecisionCode {
        StateDecision.decide(
            d0: d0, erbest: erbest, ebest: ebest, ebestIsOnThisPort: here, portState: state,
            slaveOnly: slaveOnly, masterOnly: masterOnly)
    }

    @Test func listeningWithoutForeignMasterStaysListening() {
        #expect(decide(Self.d0(), nil, nil, here: false, state: .listening) == .listening)
        // Not listening: nothing heard means master (M2).
        #expect(decide(Self.d0(), nil, nil, here: false, state: .master) == .m2)
    }

    @Test func classOneToOneTwentySeven() {
        let better = Self.foreign(p1: 1)
        let worse = Self.foreign(p1: 200)
        #expect(decide(Self.d0(cls: 6), worse, worse, here: true) == .m1)
        #expect(decide(Self.d0(cls: 6), better, better, here: true) == .p1)
        #expect(decide(Self.d0(cls: 6), nil, better, here: false) == .m1)
    }

    @Test func m2WhenThisClockIsBest() {
        let worse = Self.foreign(p1: 200)
        #expect(decide(Self.d0(), worse, worse, here: true) == .m2)
    }

    @Test func s1WhenEbestIsHere() {
        let better = Self.foreign(p1: 1)
        #expect(decide(Self.d0(), better, better, here: true) == .s1)
    }

    @Test func p2WhenEbestBetterByTopology() {
        // Same grandmaster heard on two ports with equal steps: the lower sender wins by topology.
        let ebest = Self.foreign(p1: 1, steps: 2, sender: 0x10, receiverPort: 1)
        let erbest = Self.foreign(p1: 1, steps: 2, sender: 0x20, receiverPort: 2)
        #expect(decide(Self.d0(), erbest, ebest, here: false) == .p2)
    }

    @Test func m3WhenEbestIsElsewhereAndBetter() {
        let ebest = Self.foreign(p1: 1, steps: 0)
        let erbest = Self.foreign(p1: 1, steps: 3, sender: 0x20, receiverPort: 2)
        #expect(decide(Self.d0(), erbest, ebest, here: false) == .m3)
        #expect(decide(Self.d0(), nil, ebest, here: false) == .m3)
    }

    @Test func slaveOnlyNeverMaster() {
        // D0 does not compete: even a worse foreign master is followed on the port that has Ebest.
        let worse = Self.foreign(p1: 200)
        #expect(decide(Self.d0(p1: 1), worse, worse, here: true, slaveOnly: true) == .s1)
        let better = Self.foreign(p1: 1)
        #expect(decide(Self.d0(), better, better, here: true, slaveOnly: true) == .s1)
        // Other ports listen instead of M3 or P2.
        let elsewhere = Self.foreign(p1: 1, steps: 3, sender: 0x20, receiverPort: 2)
        #expect(decide(Self.d0(), elsewhere, better, here: false, slaveOnly: true) == .slaveOnlyListening)
        #expect(decide(Self.d0(), nil, nil, here: false, state: .master, slaveOnly: true).recommendedState == .listening)
        #expect(decide(Self.d0(), nil, nil, here: false, state: .listening, slaveOnly: true) == .listening)
    }

    @Test func masterOnlyNeverSlave() {
        let better = Self.foreign(p1: 1)
        #expect(decide(Self.d0(), better, better, here: true, masterOnly: true) == .m3)
        #expect(decide(Self.d0(), nil, nil, here: false, state: .listening, masterOnly: true) == .m2)
    }
}

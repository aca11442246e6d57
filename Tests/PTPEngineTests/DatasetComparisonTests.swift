import PTPCore
import PTPEngine
import Testing

/// The data set comparison (IEEE 1588-2019 9.3.4) against cases written from figures 34 and 35: every
/// branch of both parts, each in both directions where the figure has two.
@Suite struct DatasetComparisonTests {
    static let gmA = ClockIdentity(rawValue: 0x0000_00FF_FE00_0001)
    static let gmB = ClockIdentity(rawValue: 0x0000_00FF_FE00_0002)
    static let low = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x10), portNumber: 1)
    static let mid = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x20), portNumber: 1)
    static let high = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x30), portNumber: 1)

    static func ds(
        gm: ClockIdentity = gmA, p1: UInt8 = 128, cls: UInt8 = 248, acc: UInt8 = 0xFE, variance: UInt16 = 0xFFFF,
        p2: UInt8 = 128, steps: UInt16 = 0, sender: PortIdentity = mid, receiver: PortIdentity = high
    ) -> ComparisonDataset {
        ComparisonDataset(
            grandmasterPriority1: p1, grandmasterIdentity: gm,
            grandmasterClockQuality: ClockQuality(
                clockClass: cls, clockAccuracy: ClockAccuracy(rawValue: acc),
                offsetScaledLogVariance: variance),
            grandmasterPriority2: p2, stepsRemoved: steps, senderIdentity: sender, receiverIdentity: receiver)
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var a: ComparisonDataset
        var b: ComparisonDataset
        var expected: ComparisonResult
        var description: String { name }
    }

    static let cases: [Case] = [
        // Figure 34: different grandmasters, attribute by attribute in the figure's order.
        Case(name: "priority1 A lower", a: ds(gm: gmB, p1: 100), b: ds(gm: gmA, p1: 128), expected: .aBetter),
        Case(name: "priority1 B lower", a: ds(gm: gmA, p1: 200), b: ds(gm: gmB, p1: 128), expected: .bBetter),
        Case(
            name: "priority1 beats clockClass", a: ds(gm: gmB, p1: 100, cls: 248), b: ds(gm: gmA, p1: 128, cls: 6),
            expected: .aBetter),
        Case(name: "clockClass A lower", a: ds(gm: gmB, cls: 6), b: ds(gm: gmA, cls: 248), expected: .aBetter),
        Case(name: "clockClass B lower", a: ds(gm: gmA, cls: 248), b: ds(gm: gmB, cls: 7), expected: .bBetter),
        Case(name: "clockAccuracy A lower", a: ds(gm: gmB, acc: 0x21), b: ds(gm: gmA, acc: 0x22), expected: .aBetter),
        Case(name: "clockAccuracy B lower", a: ds(gm: gmA, acc: 0xFE), b: ds(gm: gmB, acc: 0x31), expected: .bBetter),
        Case(name: "variance A lower", a: ds(gm: gmB, variance: 0x4E5D), b: ds(gm: gmA, variance: 0xFFFF), expected: .aBetter),
        Case(name: "variance B lower", a: ds(gm: gmA, variance: 0x8000), b: ds(gm: gmB, variance: 0x7FFF), expected: .bBetter),
        Case(name: "priority2 A lower", a: ds(gm: gmB, p2: 1), b: ds(gm: gmA, p2: 2), expected: .aBetter),
        Case(name: "priority2 B lower", a: ds(gm: gmA, p2: 255), b: ds(gm: gmB, p2: 254), expected: .bBetter),
        Case(name: "identity A lower", a: ds(gm: gmA), b: ds(gm: gmB), expected: .aBetter),
        Case(name: "identity B lower", a: ds(gm: gmB), b: ds(gm: gmA), expected: .bBetter),
        Case(
            name: "steps ignored across grandmasters", a: ds(gm: gmA, steps: 9), b: ds(gm: gmB, steps: 0),
            expected: .aBetter),
        // Figure 35: the same grandmaster.
        Case(name: "A two steps further", a: ds(steps: 3), b: ds(steps: 1), expected: .bBetter),
        Case(name: "B two steps further", a: ds(steps: 1), b: ds(steps: 3), expected: .aBetter),
        Case(
            name: "A one further, receiver < sender", a: ds(steps: 2, sender: high, receiver: low), b: ds(steps: 1),
            expected: .bBetter),
        Case(
            name: "A one further, receiver > sender", a: ds(steps: 2, sender: low, receiver: high), b: ds(steps: 1),
            expected: .bBetterByTopology),
        Case(
            name: "A one further, receiver = sender", a: ds(steps: 2, sender: mid, receiver: mid), b: ds(steps: 1),
            expected: .error1),
        Case(
            name: "B one further, receiver < sender", a: ds(steps: 1), b: ds(steps: 2, sender: high, receiver: low),
            expected: .aBetter),
        Case(
            name: "B one further, receiver > sender", a: ds(steps: 1), b: ds(steps: 2, sender: low, receiver: high),
            expected: .aBetterByTopology),
        Case(
            name: "B one further, receiver = sender", a: ds(steps: 1), b: ds(steps: 2, sender: mid, receiver: mid),
            expected: .error1),
        Case(
            name: "equal steps, sender A lower", a: ds(steps: 1, sender: low), b: ds(steps: 1, sender: mid),
            expected: .aBetterByTopology),
        Case(
            name: "equal steps, sender B lower", a: ds(steps: 1, sender: high), b: ds(steps: 1, sender: mid),
            expected: .bBetterByTopology),
        Case(
            name: "same sender, receiver port A lower",
            a: ds(sender: mid, receiver: PortIdentity(clockIdentity: high.clockIdentity, portNumber: 1)),
            b: ds(sender: mid, receiver: PortIdentity(clockIdentity: high.clockIdentity, portNumber: 2)),
            expected: .aBetterByTopology),
        Case(
            name: "same sender, receiver port B lower",
            a: ds(sender: mid, receiver: PortIdentity(clockIdentity: high.clockIdentity, portNumber: 3)),
            b: ds(sender: mid, receiver: PortIdentity(clockIdentity: high.clockIdentity, portNumber: 2)),
            expected: .bBetterByTopology),
        Case(name: "same message twice", a: ds(), b: ds(), expected: .error2),
        // A sender with a lower clock identity but higher port number still loses on identity order.
        Case(
            name: "sender order is clock identity first",
            a: ds(steps: 1, sender: PortIdentity(clockIdentity: low.clockIdentity, portNumber: 9)),
            b: ds(steps: 1, sender: PortIdentity(clockIdentity: mid.clockIdentity, portNumber: 1)),
            expected: .aBetterByTopology),
    ]

    @Test(arguments: cases)
    func figureCase(_ c: Case) {
        #expect(DatasetComparison.compare(c.a, c.b) == c.expected)
    }

    /// Swapping A and B swaps the verdict (errors stay errors).
    @Test(arguments: cases)
    func antisymmetric(_ c: Case) {
        let mirrored: ComparisonResult =
            switch c.expected {
            case .aBetter: .bBetter
            case .bBetter: .aBetter
            case .aBetterByTopology: .bBetterByTopology
            case .bBetterByTopology: .aBetterByTopology
            case .error1: .error1
            case .error2: .error2
            }
        #expect(DatasetComparison.compare(c.b, c.a) == mirrored)
    }

    @Test func d0OfDefaultDS() {
        let ds = DefaultDS(clockIdentity: Self.gmA, numberPorts: 2, priority1: 10, priority2: 20)
        let d0 = ComparisonDataset(defaultDS: ds)
        #expect(d0.stepsRemoved == 0)
        #expect(d0.senderIdentity == PortIdentity(clockIdentity: Self.gmA, portNumber: 0))
        #expect(d0.receiverIdentity == d0.senderIdentity)
        #expect(d0.grandmasterPriority1 == 10)
    }
}

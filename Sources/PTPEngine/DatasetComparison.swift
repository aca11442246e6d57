import PTPCore

/// The outcome of comparing data sets A and B (IEEE 1588-2019 9.3.4, figures 34 and 35).
public enum ComparisonResult: Sendable, Hashable, CustomStringConvertible {
    /// A is better: a better grandmaster, or the same one at least two steps closer.
    case aBetter
    /// A is better only by topology (same grandmaster, tie broken by steps or identities).
    case aBetterByTopology
    case bBetterByTopology
    case bBetter
    /// Figure 35 error-1: one step apart and the Announce came from the receiving port itself.
    case error1
    /// Figure 35 error-2: the same Announce on the same port, i.e. A and B are the same message.
    case error2

    /// True when A wins, by quality or by topology.
    public var isABetter: Bool { self == .aBetter || self == .aBetterByTopology }
    /// True when B wins, by quality or by topology.
    public var isBBetter: Bool { self == .bBetter || self == .bBetterByTopology }

    public var description: String {
        switch self {
        case .aBetter: "A better"
        case .aBetterByTopology: "A better by topology"
        case .bBetterByTopology: "B better by topology"
        case .bBetter: "B better"
        case .error1: "error-1"
        case .error2: "error-2"
        }
    }
}

/// The data set comparison algorithm (IEEE 1588-2019 9.3.4), as linuxptp's `dscmp`/`dscmp2`.
public enum DatasetComparison {
    /// Compares A with B. Lower values are better throughout.
    public static func compare(_ a: ComparisonDataset, _ b: ComparisonDataset) -> ComparisonResult {
        // Figure 34, part 1: different grandmasters are ranked by their attributes.
        if a.grandmasterIdentity != b.grandmasterIdentity {
            if a.grandmasterPriority1 != b.grandmasterPriority1 {
                return a.grandmasterPriority1 < b.grandmasterPriority1 ? .aBetter : .bBetter
            }
            if let ranked = compareQualityAndPriority2(a, b) { return ranked }
            return a.grandmasterIdentity < b.grandmasterIdentity ? .aBetter : .bBetter
        }
        return compareTopology(a, b)
    }

    /// Figure 34's attribute steps after priority1, shared with the G.8275 comparison: clockClass,
    /// clockAccuracy, offsetScaledLogVariance, then priority2, lower better; nil when all four are equal.
    static func compareQualityAndPriority2(_ a: ComparisonDataset, _ b: ComparisonDataset) -> ComparisonResult? {
        let qa = a.grandmasterClockQuality
        let qb = b.grandmasterClockQuality
        if qa.clockClass != qb.clockClass {
            return qa.clockClass < qb.clockClass ? .aBetter : .bBetter
        }
        if qa.clockAccuracy != qb.clockAccuracy {
            return qa.clockAccuracy < qb.clockAccuracy ? .aBetter : .bBetter
        }
        if qa.offsetScaledLogVariance != qb.offsetScaledLogVariance {
            return qa.offsetScaledLogVariance < qb.offsetScaledLogVariance ? .aBetter : .bBetter
        }
        if a.grandmasterPriority2 != b.grandmasterPriority2 {
            return a.grandmasterPriority2 < b.grandmasterPriority2 ? .aBetter : .bBetter
        }
        return nil
    }

    /// Figure 35, part 2: the same grandmaster, reached by different paths.
    static func compareTopology(_ a: ComparisonDataset, _ b: ComparisonDataset) -> ComparisonResult {
        let stepsA = Int(a.stepsRemoved)
        let stepsB = Int(b.stepsRemoved)
        if stepsA > stepsB + 1 { return .bBetter }
        if stepsA + 1 < stepsB { return .aBetter }
        if stepsA > stepsB {
            // A is one step further: is it our own Announce coming back?
            if a.receiverIdentity < a.senderIdentity { return .bBetter }
            if a.receiverIdentity > a.senderIdentity { return .bBetterByTopology }
            return .error1
        }
        if stepsB > stepsA {
            if b.receiverIdentity < b.senderIdentity { return .aBetter }
            if b.receiverIdentity > b.senderIdentity { return .aBetterByTopology }
            return .error1
        }
        if a.senderIdentity < b.senderIdentity { return .aBetterByTopology }
        if a.senderIdentity > b.senderIdentity { return .bBetterByTopology }
        if a.receiverIdentity.portNumber < b.receiverIdentity.portNumber { return .aBetterByTopology }
        if a.receiverIdentity.portNumber > b.receiverIdentity.portNumber { return .bBetterByTopology }
        return .error2
    }
}

import PTPCore

/// Which data set comparison the BMCA runs: ptp4l's `dataset_comparison` (`ieee1588` or `G.8275.x`).
public enum DatasetComparisonAlgorithm: Sendable, Hashable {
    /// IEEE 1588-2019 9.3.4, figures 34 and 35.
    case ieee1588
    /// The alternate BMCA of ITU-T G.8275.1 and G.8275.2 (G.8275.1 6.3 and figure 4).
    case g8275

    /// Compares A with B by this algorithm.
    public func compare(_ a: ComparisonDataset, _ b: ComparisonDataset) -> ComparisonResult {
        switch self {
        case .ieee1588: DatasetComparison.compare(a, b)
        case .g8275: TelecomDatasetComparison.compare(a, b)
        }
    }
}

/// How the BMCA of one instance is set up: the comparison and the clock's own localPriority.
public struct BMCAConfiguration: Sendable, Hashable {
    public var comparison: DatasetComparisonAlgorithm
    /// defaultDS.localPriority (G.8275.1 6.3.2, `G.8275.defaultDS.localPriority`): the priority of D0 in the
    /// G.8275 comparison; 1 to 255, 128 by default. Not compared by IEEE 1588.
    public var localPriority: UInt8
    /// A G.8275 T-BC's own classes in holdover (135, 165); nil when the clock does not act as one (a T-GM
    /// with a reference, a slave-only clock, or the default profile).
    public var boundaryClockHoldover: TelecomBoundaryClockClasses?

    public init(
        comparison: DatasetComparisonAlgorithm = .ieee1588, localPriority: UInt8 = 128,
        boundaryClockHoldover: TelecomBoundaryClockClasses? = nil
    ) {
        self.comparison = comparison
        self.localPriority = localPriority
        self.boundaryClockHoldover = boundaryClockHoldover
    }
}

/// The data set comparison of ITU-T G.8275.1 (6.3 and figure 4; G.8275.2 uses the same), as linuxptp 3.1's
/// `telecom_dscmp`:
///
/// 1. clockClass, 2. clockAccuracy, 3. offsetScaledLogVariance, 4. priority2 — lower wins, whether or not
///    the grandmasters are the same clock; priority1 is not compared (the profile fixes it at 128);
/// 5. localPriority — of the port the Announce came in on, or the clock's own for D0;
/// 6. when the grandmaster is of class 127 or better (a T-GM locked to its PRTC, or in holdover), the
///    topology decides (steps removed, then the sender and receiver port identities: IEEE 1588 figure 35),
///    so that a T-BC follows the nearest of several equivalent T-GMs;
/// 7. otherwise the grandmaster identity, and when that is the same clock, the topology.
public enum TelecomDatasetComparison {
    public static func compare(_ a: ComparisonDataset, _ b: ComparisonDataset) -> ComparisonResult {
        if let ranked = DatasetComparison.compareQualityAndPriority2(a, b) { return ranked }
        if a.localPriority != b.localPriority {
            return a.localPriority < b.localPriority ? .aBetter : .bBetter
        }
        if a.grandmasterClockQuality.clockClass <= 127 || a.grandmasterIdentity == b.grandmasterIdentity {
            return DatasetComparison.compareTopology(a, b)
        }
        return a.grandmasterIdentity < b.grandmasterIdentity ? .aBetter : .bBetter
    }
}

import PTPCore

/// A recommended state and the decision point of the state decision algorithm that chose it
/// (IEEE 1588-2019 9.3.3, figure 33).
public enum StateDecisionCode: String, Sendable, Hashable, CaseIterable {
    /// Class 1–127 clock, D0 better than Erbest: grandmaster on this port.
    case m1 = "M1"
    /// D0 better than Ebest: this clock is the grandmaster.
    case m2 = "M2"
    /// Ebest is on another port and not better by topology than Erbest: master toward this port.
    case m3 = "M3"
    /// Ebest was received on this port.
    case s1 = "S1"
    /// Class 1–127 clock that is not better than Erbest.
    case p1 = "P1"
    /// Ebest is better by topology than Erbest: passive, to break a loop.
    case p2 = "P2"
    /// No Erbest and the port is listening: keep listening.
    case listening = "LISTENING"
    /// A slave-only clock where the algorithm says master (9.2.2.2): listen instead.
    case slaveOnlyListening = "SLAVE_ONLY"

    /// The recommended state.
    public var recommendedState: PortState {
        switch self {
        case .m1, .m2, .m3: .master
        case .s1: .slave
        case .p1, .p2: .passive
        case .listening, .slaveOnlyListening: .listening
        }
    }

    /// True for M1 and M2, where this clock becomes the grandmaster (table 30 updates the data sets).
    public var isGrandmaster: Bool { self == .m1 || self == .m2 }
}

/// The state decision algorithm (IEEE 1588-2019 9.3.3), decision points labelled as in figure 33 and
/// in linuxptp's `bmc_state_decision`.
public enum StateDecision {
    /// The recommended state for a port.
    ///
    /// - Parameters:
    ///   - d0: the clock's own data set.
    ///   - erbest: the best qualified foreign master on this port, if any.
    ///   - ebest: the best over every port (masterOnly ports excluded), if any.
    ///   - ebestIsOnThisPort: whether Ebest is this port's Erbest.
    ///   - portState: the port's current state.
    ///   - slaveOnly: defaultDS.slaveOnly.
    ///   - masterOnly: portDS.masterOnly; such a port never becomes slave or passive by P2.
    ///   - comparison: the data set comparison (IEEE 1588, or G.8275's; ptp4l passes `c->dscmp` the same way).
    public static func decide(
        d0: ComparisonDataset, erbest: ComparisonDataset?, ebest: ComparisonDataset?, ebestIsOnThisPort: Bool,
        portState: PortState, slaveOnly: Bool, masterOnly: Bool, comparison: DatasetComparisonAlgorithm = .ieee1588
    ) -> StateDecisionCode {
        if slaveOnly {
            // 9.2.2.2: a slave-only instance can never be the grandmaster, so D0 does not compete: the
            // port that has Ebest is slave (S1), every other port listens. (ptp4l compares D0 anyway and
            // stays LISTENING with a warning when priority1 is misconfigured better than the master's.)
            if let erbest, ebestIsOnThisPort, erbest == ebest { return .s1 }
            return erbest == nil && portState == .listening ? .listening : .slaveOnlyListening
        }
        return decideIgnoringSlaveOnly(
            d0: d0, erbest: erbest, ebest: ebest, ebestIsOnThisPort: ebestIsOnThisPort, portState: portState,
            masterOnly: masterOnly, comparison: comparison)
    }

    static func decideIgnoringSlaveOnly(
        d0: ComparisonDataset, erbest: ComparisonDataset?, ebest: ComparisonDataset?, ebestIsOnThisPort: Bool,
        portState: PortState, masterOnly: Bool, comparison: DatasetComparisonAlgorithm = .ieee1588
    ) -> StateDecisionCode {
        if erbest == nil && portState == .listening && !masterOnly {
            return .listening
        }
        if d0.grandmasterClockQuality.clockClass <= 127 {
            guard let erbest else { return .m1 }
            return comparison.compare(d0, erbest).isABetter ? .m1 : .p1  // M1 / P1
        }
        guard let ebest else { return .m2 }
        if comparison.compare(d0, ebest).isABetter {
            return .m2  // M2
        }
        if masterOnly {
            return .m3
        }
        if ebestIsOnThisPort {
            return .s1  // S1
        }
        if let erbest, comparison.compare(ebest, erbest) == .aBetterByTopology {
            return .p2  // P2
        }
        return .m3  // M3
    }
}

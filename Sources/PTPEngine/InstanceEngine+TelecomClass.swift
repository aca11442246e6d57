import PTPCore

/// The clockClass a G.8275 telecom boundary clock (T-BC) announces of itself when it loses the master it
/// was locked to (ITU-T G.8275.1 table 2 and G.8275.2 table 2): 135 while its holdover is within
/// specification, 165 once it is not; back to its configured class (248) when it follows a master again.
/// A T-GM's classes (6, 7, 140/150/160, 248) come from its reference (``GrandmasterQualityPolicy``), and a
/// slave-only clock's 255 from its configuration.
public struct TelecomBoundaryClockClasses: Sendable, Hashable {
    public var holdoverWithinSpecification: UInt8
    public var holdoverOutOfSpecification: UInt8
    /// How long holdover stays within specification (`holdover_max_time`); nil: no limit.
    public var holdoverSpecification: PTPDuration?

    public init(
        holdoverWithinSpecification: UInt8 = 135, holdoverOutOfSpecification: UInt8 = 165,
        holdoverSpecification: PTPDuration? = nil
    ) {
        self.holdoverWithinSpecification = holdoverWithinSpecification
        self.holdoverOutOfSpecification = holdoverOutOfSpecification
        self.holdoverSpecification = holdoverSpecification
    }
}

extension InstanceEngine {
    /// After a state decision: starts the T-BC holdover when the clock has just lost the parent its slave
    /// port was locked to (SLAVE, not UNCALIBRATED), ends it when it follows a master again, and moves from
    /// within to out of specification when the time runs out (checked at every decision, which a master runs
    /// at least once per announce interval, 9.2.6.8). Changes D0's clockClass, and the parent data set when
    /// this clock is its own grandmaster, so the next Announce says it.
    mutating func updateBoundaryClockClass(wasLockedSlave: Bool, at now: PTPInstant, into actions: inout [InstanceAction]) {
        guard let classes = bmca.boundaryClockHoldover else { return }
        var clockClass = defaultDS.clockQuality.clockClass
        if slavePortIndex != nil {
            if boundaryClockHoldoverSince != nil {
                boundaryClockHoldoverSince = nil
                clockClass = configuredClockClass
            }
        } else if let since = boundaryClockHoldoverSince {
            if let limit = classes.holdoverSpecification, now - since >= limit {
                clockClass = classes.holdoverOutOfSpecification
            }
        } else if wasLockedSlave {
            boundaryClockHoldoverSince = now
            clockClass = classes.holdoverWithinSpecification
        }
        guard clockClass != defaultDS.clockQuality.clockClass else { return }
        setOwnClockClass(clockClass)
        actions.append(.clockClassChanged(clockClass))
    }

    /// D0's clockClass, and the parent data set's when this clock is its own grandmaster.
    mutating func setOwnClockClass(_ clockClass: UInt8) {
        defaultDS.clockQuality.clockClass = clockClass
        grandmasterQuality.clockQuality.clockClass = clockClass
        if slavePortIndex == nil {
            parentDS = ParentDS(selfAsGrandmaster: defaultDS)
        }
    }
}

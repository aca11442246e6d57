/// defaultDS (IEEE 1588-2019 8.2.1): the clock's own attributes.
public struct DefaultDS: Sendable, Hashable {
    public var twoStepFlag: Bool
    public var clockIdentity: ClockIdentity
    public var numberPorts: UInt16
    public var clockQuality: ClockQuality
    public var priority1: UInt8
    public var priority2: UInt8
    public var domainNumber: UInt8
    public var slaveOnly: Bool
    /// sdoId (8.2.1.4.5): majorSdoId in the high nibble of 12 bits, minorSdoId in the low byte.
    public var sdoId: UInt16

    public init(
        twoStepFlag: Bool = true, clockIdentity: ClockIdentity, numberPorts: UInt16,
        clockQuality: ClockQuality = .default, priority1: UInt8 = 128, priority2: UInt8 = 128,
        domainNumber: UInt8 = 0, slaveOnly: Bool = false, sdoId: UInt16 = 0
    ) {
        self.twoStepFlag = twoStepFlag
        self.clockIdentity = clockIdentity
        self.numberPorts = numberPorts
        self.clockQuality = clockQuality
        self.priority1 = priority1
        self.priority2 = priority2
        self.domainNumber = domainNumber
        self.slaveOnly = slaveOnly
        self.sdoId = sdoId
    }
}

/// currentDS (IEEE 1588-2019 8.2.2).
public struct CurrentDS: Sendable, Hashable {
    public var stepsRemoved: UInt16
    public var offsetFromMaster: PTPDuration
    public var meanPathDelay: PTPDuration

    public init(stepsRemoved: UInt16 = 0, offsetFromMaster: PTPDuration = .zero, meanPathDelay: PTPDuration = .zero) {
        self.stepsRemoved = stepsRemoved
        self.offsetFromMaster = offsetFromMaster
        self.meanPathDelay = meanPathDelay
    }
}

/// parentDS (IEEE 1588-2019 8.2.3).
public struct ParentDS: Sendable, Hashable {
    public var parentPortIdentity: PortIdentity
    public var parentStats: Bool
    public var observedParentOffsetScaledLogVariance: UInt16
    public var observedParentClockPhaseChangeRate: Int32
    public var grandmasterIdentity: ClockIdentity
    public var grandmasterClockQuality: ClockQuality
    public var grandmasterPriority1: UInt8
    public var grandmasterPriority2: UInt8

    public init(
        parentPortIdentity: PortIdentity, parentStats: Bool = false,
        observedParentOffsetScaledLogVariance: UInt16 = 0xFFFF,
        observedParentClockPhaseChangeRate: Int32 = 0x7FFF_FFFF,
        grandmasterIdentity: ClockIdentity, grandmasterClockQuality: ClockQuality,
        grandmasterPriority1: UInt8, grandmasterPriority2: UInt8
    ) {
        self.parentPortIdentity = parentPortIdentity
        self.parentStats = parentStats
        self.observedParentOffsetScaledLogVariance = observedParentOffsetScaledLogVariance
        self.observedParentClockPhaseChangeRate = observedParentClockPhaseChangeRate
        self.grandmasterIdentity = grandmasterIdentity
        self.grandmasterClockQuality = grandmasterClockQuality
        self.grandmasterPriority1 = grandmasterPriority1
        self.grandmasterPriority2 = grandmasterPriority2
    }

    /// The parent data set of a clock that is its own grandmaster (9.3.5, table 30).
    public init(selfAsGrandmaster defaultDS: DefaultDS) {
        self.init(
            parentPortIdentity: PortIdentity(clockIdentity: defaultDS.clockIdentity, portNumber: 0),
            grandmasterIdentity: defaultDS.clockIdentity, grandmasterClockQuality: defaultDS.clockQuality,
            grandmasterPriority1: defaultDS.priority1, grandmasterPriority2: defaultDS.priority2)
    }
}

/// timePropertiesDS (IEEE 1588-2019 8.2.4).
public struct TimePropertiesDS: Sendable, Hashable {
    public var currentUtcOffset: Int16
    public var currentUtcOffsetValid: Bool
    public var leap59: Bool
    public var leap61: Bool
    public var timeTraceable: Bool
    public var frequencyTraceable: Bool
    public var ptpTimescale: Bool
    public var timeSource: TimeSource

    public init(
        currentUtcOffset: Int16 = 37, currentUtcOffsetValid: Bool = false, leap59: Bool = false,
        leap61: Bool = false, timeTraceable: Bool = false, frequencyTraceable: Bool = false,
        ptpTimescale: Bool = false, timeSource: TimeSource = .internalOscillator
    ) {
        self.currentUtcOffset = currentUtcOffset
        self.currentUtcOffsetValid = currentUtcOffsetValid
        self.leap59 = leap59
        self.leap61 = leap61
        self.timeTraceable = timeTraceable
        self.frequencyTraceable = frequencyTraceable
        self.ptpTimescale = ptpTimescale
        self.timeSource = timeSource
    }
}

/// portDS (IEEE 1588-2019 8.2.15).
public struct PortDS: Sendable, Hashable {
    public var portIdentity: PortIdentity
    public var portState: PortState
    public var logMinDelayReqInterval: LogInterval
    public var peerMeanPathDelay: PTPDuration
    public var logAnnounceInterval: LogInterval
    public var announceReceiptTimeout: UInt8
    public var logSyncInterval: LogInterval
    public var delayMechanism: DelayMechanism
    public var logMinPdelayReqInterval: LogInterval
    /// versionNumber (8.2.15.4.5): the major version, 2.
    public var versionNumber: UInt8
    /// minorVersionNumber (8.2.15.4.6): 1 for IEEE 1588-2019.
    public var minorVersionNumber: UInt8
    public var delayAsymmetry: PTPDuration
    public var portEnable: Bool
    public var masterOnly: Bool

    public init(
        portIdentity: PortIdentity, portState: PortState = .initializing,
        logMinDelayReqInterval: LogInterval = LogInterval(0), peerMeanPathDelay: PTPDuration = .zero,
        logAnnounceInterval: LogInterval = LogInterval(1), announceReceiptTimeout: UInt8 = 3,
        logSyncInterval: LogInterval = LogInterval(0), delayMechanism: DelayMechanism = .e2e,
        logMinPdelayReqInterval: LogInterval = LogInterval(0), versionNumber: UInt8 = 2,
        minorVersionNumber: UInt8 = 1, delayAsymmetry: PTPDuration = .zero, portEnable: Bool = true,
        masterOnly: Bool = false
    ) {
        self.portIdentity = portIdentity
        self.portState = portState
        self.logMinDelayReqInterval = logMinDelayReqInterval
        self.peerMeanPathDelay = peerMeanPathDelay
        self.logAnnounceInterval = logAnnounceInterval
        self.announceReceiptTimeout = announceReceiptTimeout
        self.logSyncInterval = logSyncInterval
        self.delayMechanism = delayMechanism
        self.logMinPdelayReqInterval = logMinPdelayReqInterval
        self.versionNumber = versionNumber
        self.minorVersionNumber = minorVersionNumber
        self.delayAsymmetry = delayAsymmetry
        self.portEnable = portEnable
        self.masterOnly = masterOnly
    }
}

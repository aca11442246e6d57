import PTPCore
import PTPWire

/// Random values of every typed ``ManagementData`` case.
struct ManagementDataGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &rng) }
    mutating func u64() -> UInt64 { rng.next() }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func bytes(_ range: ClosedRange<Int>) -> [UInt8] {
        (0..<Int.random(in: range, using: &rng)).map { _ in u8() }
    }
    mutating func text() -> PTPText { PTPText(bytes: bytes(0...40)) }
    mutating func interval() -> LogInterval { LogInterval(rawValue: Int8(bitPattern: u8())) }
    mutating func scaled() -> ScaledNanoseconds { ScaledNanoseconds(rawValue: Int64(bitPattern: u64())) }
    mutating func clock() -> ClockIdentity { ClockIdentity(rawValue: u64()) }
    mutating func port() -> PortIdentity { PortIdentity(clockIdentity: clock(), portNumber: u16()) }
    mutating func quality() -> ClockQuality {
        ClockQuality(clockClass: u8(), clockAccuracy: ClockAccuracy(rawValue: u8()), offsetScaledLogVariance: u16())
    }
    mutating func address(_ range: ClosedRange<Int> = 0...16) -> PortAddress {
        PortAddress(networkProtocol: NetworkProtocol(rawValue: u16()), address: bytes(range))
    }
    mutating func timeProperties() -> TimePropertiesDS {
        TimePropertiesDS(
            currentUtcOffset: Int16(bitPattern: u16()), currentUtcOffsetValid: bool(), leap59: bool(), leap61: bool(),
            timeTraceable: bool(), frequencyTraceable: bool(), ptpTimescale: bool(),
            timeSource: TimeSource(rawValue: u8()))
    }

    /// One value per typed case, in a fixed order (``ManagementData/typedIDs`` minus the dataless IDs).
    mutating func everyCase() -> [ManagementData] {
        [
            .clockDescription(
                ClockDescription(
                    clockType: ClockType(rawValue: u16()), physicalLayerProtocol: text(), physicalAddress: bytes(0...16),
                    protocolAddress: address(), manufacturerIdentity: bytes(3...3), productDescription: text(),
                    revisionData: text(), userDescription: text(), profileIdentity: bytes(6...6))),
            .userDescription(text()),
            .defaultDataSet(
                DefaultDS(
                    twoStepFlag: bool(), clockIdentity: clock(), numberPorts: u16(), clockQuality: quality(), priority1: u8(),
                    priority2: u8(), domainNumber: u8(), slaveOnly: bool())),
            .currentDataSet(ManagementCurrentDS(stepsRemoved: u16(), offsetFromMaster: scaled(), meanPathDelay: scaled())),
            .parentDataSet(
                ParentDS(
                    parentPortIdentity: port(), parentStats: bool(), observedParentOffsetScaledLogVariance: u16(),
                    observedParentClockPhaseChangeRate: Int32(bitPattern: u32()), grandmasterIdentity: clock(),
                    grandmasterClockQuality: quality(), grandmasterPriority1: u8(), grandmasterPriority2: u8())),
            .timePropertiesDataSet(timeProperties()),
            .portDataSet(
                ManagementPortDS(
                    portIdentity: port(), portState: u8(), logMinDelayReqInterval: interval(), peerMeanPathDelay: scaled(),
                    logAnnounceInterval: interval(), announceReceiptTimeout: u8(), logSyncInterval: interval(),
                    delayMechanism: DelayMechanism(rawValue: u8()), logMinPdelayReqInterval: interval(),
                    versionNumber: u8())),
            .priority1(u8()),
            .priority2(u8()),
            .domain(u8()),
            .slaveOnly(bool()),
            .logAnnounceInterval(interval()),
            .announceReceiptTimeout(u8()),
            .logSyncInterval(interval()),
            .versionNumber(u8()),
            .clockAccuracy(ClockAccuracy(rawValue: u8())),
            .traceabilityProperties(timeTraceable: bool(), frequencyTraceable: bool()),
            .timescaleProperties(ptpTimescale: bool(), timeSource: TimeSource(rawValue: u8())),
            .delayMechanism(DelayMechanism(rawValue: u8())),
            .logMinPdelayReqInterval(interval()),
            .timeStatusNP(
                TimeStatusNP(
                    masterOffset: Int64(bitPattern: u64()), ingressTime: Int64(bitPattern: u64()),
                    cumulativeScaledRateOffset: Int32(bitPattern: u32()), scaledLastGmPhaseChange: Int32(bitPattern: u32()),
                    gmTimeBaseIndicator: u16(),
                    lastGmPhaseChange: ScaledNs96(nanosecondsMSB: u16(), nanosecondsLSB: u64(), fractionalNanoseconds: u16()),
                    gmPresent: bool(), gmIdentity: clock())),
            .grandmasterSettingsNP(GrandmasterSettingsNP(clockQuality: quality(), timeProperties: timeProperties())),
            .portDataSetNP(PortDataSetNP(neighborPropDelayThresh: u32(), asCapable: bool())),
            .subscribeEventsNP(SubscribeEventsNP(duration: u16(), bitmask: bytes(64...64))),
            .portPropertiesNP(
                PortPropertiesNP(
                    portIdentity: port(), portState: u8(), timestamping: TimestampingNP(rawValue: u8()), interface: text())),
            .portStatsNP(
                PortStatsNP(
                    portIdentity: port(), rxMsgType: (0..<16).map { _ in u64() }, txMsgType: (0..<16).map { _ in u64() })),
            .synchronizationUncertainNP(SynchronizationUncertainNP(rawValue: u8())),
            .portServiceStatsNP(
                PortServiceStatsNP(
                    portIdentity: port(), announceTimeout: u64(), syncTimeout: u64(), delayTimeout: u64(),
                    unicastServiceTimeout: u64(), unicastRequestTimeout: u64(), masterAnnounceTimeout: u64(),
                    masterSyncTimeout: u64(), qualificationTimeout: u64(), syncMismatch: u64(), followUpMismatch: u64())),
            .unicastMasterTableNP(
                UnicastMasterTableNP(
                    entries: (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                        UnicastMasterEntryNP(
                            portIdentity: port(), clockQuality: quality(), selected: bool(), portState: u8(),
                            priority1: u8(), priority2: u8(), address: address(0...17))
                    })),
        ]
    }
}

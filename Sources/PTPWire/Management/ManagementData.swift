import PTPCore

/// The typed dataField of a MANAGEMENT TLV (IEEE 1588-2019 15.5.3, and linuxptp 3.1's `_NP` IDs).
///
/// One case per management ID whose data linuxptp's `pmc` 3.1 can GET or SET, laid out exactly as
/// linuxptp 3.1 lays it out (`tlv.c` `mgt_post_recv`/`mgt_pre_send`, `ds.h`, `ddt.h`, `tlv.h`):
///
/// - The single-value IDs (PRIORITY1, DOMAIN, LOG_SYNC_INTERVAL, …) are linuxptp's
///   `management_tlv_datum`: the value octet, then one reserved octet (15.5.3).
/// - Variable-length data (CLOCK_DESCRIPTION, USER_DESCRIPTION, PORT_PROPERTIES_NP,
///   UNICAST_MASTER_TABLE_NP) ends with one zero pad octet when its content is odd, so the TLV
///   stays even (IEEE 1588-2019 5.3.8: TLV lengths are even; linuxptp pads the same way and checks
///   `length` against it).
/// - PORT_STATS_NP and PORT_SERVICE_STATS_NP counters are in the sender's *host* byte order, which
///   for every linuxptp we talk to (x86-64, arm64) is little-endian: linuxptp 3.1 swaps only the
///   port number of those data sets. The captures in `Tests/PTPWireTests/Fixtures` confirm it.
///
/// A request from linuxptp's `pmc` carries, for most GETs, a zero-filled dataField the size of
/// the data set (`pmc_tlv_datalen`); ptp4l parses it like any other data and ignores it. Such
/// data decodes to the typed case with zero values, so it re-encodes byte for byte. A dataField
/// with no bytes at all decodes to ``empty(_:)`` for GET, COMMAND and ACKNOWLEDGE, and for the
/// IDs that never carry data.
public enum ManagementData: Sendable, Hashable {
    /// No dataField: a GET or COMMAND without data, NULL_MANAGEMENT, ENABLE_PORT, DISABLE_PORT,
    /// SAVE_IN_NON_VOLATILE_STORAGE, RESET_NON_VOLATILE_STORAGE, FAULT_LOG_RESET. Carries its ID.
    case empty(ManagementID)
    /// CLOCK_DESCRIPTION (15.5.3).
    case clockDescription(ClockDescription)
    /// USER_DESCRIPTION (15.5.3): one PTPText.
    case userDescription(PTPText)
    /// DEFAULT_DATA_SET (15.5.3; linuxptp `struct defaultDS`): a flags octet (TSC bit 0, SO bit 1),
    /// reserved, numberPorts, priority1, clockQuality, priority2, clockIdentity, domainNumber, reserved;
    /// 20 octets. sdoId is not carried: it decodes as 0.
    case defaultDataSet(DefaultDS)
    /// CURRENT_DATA_SET (15.5.3).
    case currentDataSet(ManagementCurrentDS)
    /// PARENT_DATA_SET (15.5.3): every field of the parentDS is on the wire.
    case parentDataSet(ParentDS)
    /// TIME_PROPERTIES_DATA_SET (15.5.3): every field of the timePropertiesDS is on the wire.
    case timePropertiesDataSet(TimePropertiesDS)
    /// PORT_DATA_SET (15.5.3).
    case portDataSet(ManagementPortDS)
    /// PRIORITY1 (15.5.3).
    case priority1(UInt8)
    /// PRIORITY2 (15.5.3).
    case priority2(UInt8)
    /// DOMAIN (15.5.3).
    case domain(UInt8)
    /// SLAVE_ONLY (15.5.3). linuxptp 3.1's ptp4l sends the flag in bit 1 of the octet (its
    /// `DDS_SLAVE_ONLY`, `clock.c`), not bit 0, and its pmc reads bit 1, so we send 0x02 as 3.1 does.
    /// We read either bit as set: the standard and later linuxptp (`? 1 : 0`) use bit 0.
    case slaveOnly(Bool)
    /// LOG_ANNOUNCE_INTERVAL (15.5.3).
    case logAnnounceInterval(LogInterval)
    /// ANNOUNCE_RECEIPT_TIMEOUT (15.5.3).
    case announceReceiptTimeout(UInt8)
    /// LOG_SYNC_INTERVAL (15.5.3).
    case logSyncInterval(LogInterval)
    /// VERSION_NUMBER (15.5.3): the whole octet as linuxptp 3.1 sends it (2).
    case versionNumber(UInt8)
    /// CLOCK_ACCURACY (15.5.3).
    case clockAccuracy(ClockAccuracy)
    /// TRACEABILITY_PROPERTIES (15.5.3): TTRA is bit 4, FTRA bit 5 of the flags octet.
    case traceabilityProperties(timeTraceable: Bool, frequencyTraceable: Bool)
    /// TIMESCALE_PROPERTIES (15.5.3): PTP is bit 3 of the flags octet, then timeSource.
    /// linuxptp 3.1 sends zero in the timeSource octet (its datum's reserved byte) and ignores it.
    case timescaleProperties(ptpTimescale: Bool, timeSource: TimeSource)
    /// DELAY_MECHANISM (15.5.3).
    case delayMechanism(DelayMechanism)
    /// LOG_MIN_PDELAY_REQ_INTERVAL (15.5.3).
    case logMinPdelayReqInterval(LogInterval)
    /// TIME_STATUS_NP (linuxptp `struct time_status_np`).
    case timeStatusNP(TimeStatusNP)
    /// GRANDMASTER_SETTINGS_NP (linuxptp `struct grandmaster_settings_np`).
    case grandmasterSettingsNP(GrandmasterSettingsNP)
    /// PORT_DATA_SET_NP (linuxptp `struct port_ds_np`).
    case portDataSetNP(PortDataSetNP)
    /// SUBSCRIBE_EVENTS_NP (linuxptp `struct subscribe_events_np`).
    case subscribeEventsNP(SubscribeEventsNP)
    /// PORT_PROPERTIES_NP (linuxptp `struct port_properties_np`).
    case portPropertiesNP(PortPropertiesNP)
    /// PORT_STATS_NP (linuxptp `struct port_stats_np`); counters little-endian (see the type).
    case portStatsNP(PortStatsNP)
    /// SYNCHRONIZATION_UNCERTAIN_NP: a `management_tlv_datum`.
    case synchronizationUncertainNP(SynchronizationUncertainNP)
    /// PORT_SERVICE_STATS_NP (linuxptp `struct port_service_stats_np`); counters little-endian.
    case portServiceStatsNP(PortServiceStatsNP)
    /// UNICAST_MASTER_TABLE_NP (linuxptp `struct unicast_master_table_np`).
    case unicastMasterTableNP(UnicastMasterTableNP)
    /// Any other ID, or a known ID built by hand with raw bytes: kept byte for byte.
    case unknown(ManagementID, [UInt8])

    /// The management ID this data belongs to.
    public var managementId: ManagementID {
        switch self {
        case .empty(let id), .unknown(let id, _): id
        case .clockDescription: .clockDescription
        case .userDescription: .userDescription
        case .defaultDataSet: .defaultDataSet
        case .currentDataSet: .currentDataSet
        case .parentDataSet: .parentDataSet
        case .timePropertiesDataSet: .timePropertiesDataSet
        case .portDataSet: .portDataSet
        case .priority1: .priority1
        case .priority2: .priority2
        case .domain: .domain
        case .slaveOnly: .slaveOnly
        case .logAnnounceInterval: .logAnnounceInterval
        case .announceReceiptTimeout: .announceReceiptTimeout
        case .logSyncInterval: .logSyncInterval
        case .versionNumber: .versionNumber
        case .clockAccuracy: .clockAccuracy
        case .traceabilityProperties: .traceabilityProperties
        case .timescaleProperties: .timescaleProperties
        case .delayMechanism: .delayMechanism
        case .logMinPdelayReqInterval: .logMinPdelayReqInterval
        case .timeStatusNP: .timeStatusNP
        case .grandmasterSettingsNP: .grandmasterSettingsNP
        case .portDataSetNP: .portDataSetNP
        case .subscribeEventsNP: .subscribeEventsNP
        case .portPropertiesNP: .portPropertiesNP
        case .portStatsNP: .portStatsNP
        case .synchronizationUncertainNP: .synchronizationUncertainNP
        case .portServiceStatsNP: .portServiceStatsNP
        case .unicastMasterTableNP: .unicastMasterTableNP
        }
    }

    /// IDs whose dataField is always empty (15.5.3; linuxptp 3.1 `mgt_post_recv` rejects data on
    /// most of them).
    static let dataless: Set<ManagementID> = [
        .nullManagement, .enablePort, .disablePort, .saveInNonVolatileStorage, .resetNonVolatileStorage,
        .faultLogReset,
    ]

    /// IDs this type decodes into a typed case (the others give ``unknown(_:_:)``).
    public static let typedIDs: Set<ManagementID> = dataless.union([
        .clockDescription, .userDescription, .defaultDataSet, .currentDataSet, .parentDataSet,
        .timePropertiesDataSet, .portDataSet, .priority1, .priority2, .domain, .slaveOnly, .logAnnounceInterval,
        .announceReceiptTimeout, .logSyncInterval, .versionNumber, .clockAccuracy, .traceabilityProperties,
        .timescaleProperties, .delayMechanism, .logMinPdelayReqInterval, .timeStatusNP, .grandmasterSettingsNP,
        .portDataSetNP, .subscribeEventsNP, .portPropertiesNP, .portStatsNP, .synchronizationUncertainNP,
        .portServiceStatsNP, .unicastMasterTableNP,
    ])
}

extension ManagementTLV {
    /// A MANAGEMENT TLV carrying `data`, encoded as linuxptp encodes it.
    public init(_ data: ManagementData) {
        self.init(managementId: data.managementId, data: data.encode())
    }

    /// The typed dataField; see ``ManagementData/decode(id:action:data:)`` for the errors and offsets.
    public func decodedData(action: ManagementAction) throws(WireError) -> ManagementData {
        try ManagementData.decode(id: managementId, action: action, data: data)
    }
}

/// managementId (IEEE 1588-2019 15.5.2.3, table 59, and linuxptp's implementation-specific `_NP` IDs):
/// an open registry, so an unknown ID survives a round trip and gets NO_SUCH_ID, not a parse failure.
public struct ManagementID: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let nullManagement = ManagementID(rawValue: 0x0000)
    public static let clockDescription = ManagementID(rawValue: 0x0001)
    public static let userDescription = ManagementID(rawValue: 0x0002)
    public static let saveInNonVolatileStorage = ManagementID(rawValue: 0x0003)
    public static let resetNonVolatileStorage = ManagementID(rawValue: 0x0004)
    public static let initialize = ManagementID(rawValue: 0x0005)
    public static let faultLog = ManagementID(rawValue: 0x0006)
    public static let faultLogReset = ManagementID(rawValue: 0x0007)
    public static let defaultDataSet = ManagementID(rawValue: 0x2000)
    public static let currentDataSet = ManagementID(rawValue: 0x2001)
    public static let parentDataSet = ManagementID(rawValue: 0x2002)
    public static let timePropertiesDataSet = ManagementID(rawValue: 0x2003)
    public static let portDataSet = ManagementID(rawValue: 0x2004)
    public static let priority1 = ManagementID(rawValue: 0x2005)
    public static let priority2 = ManagementID(rawValue: 0x2006)
    public static let domain = ManagementID(rawValue: 0x2007)
    public static let slaveOnly = ManagementID(rawValue: 0x2008)
    public static let logAnnounceInterval = ManagementID(rawValue: 0x2009)
    public static let announceReceiptTimeout = ManagementID(rawValue: 0x200A)
    public static let logSyncInterval = ManagementID(rawValue: 0x200B)
    public static let versionNumber = ManagementID(rawValue: 0x200C)
    public static let enablePort = ManagementID(rawValue: 0x200D)
    public static let disablePort = ManagementID(rawValue: 0x200E)
    public static let time = ManagementID(rawValue: 0x200F)
    public static let clockAccuracy = ManagementID(rawValue: 0x2010)
    public static let utcProperties = ManagementID(rawValue: 0x2011)
    public static let traceabilityProperties = ManagementID(rawValue: 0x2012)
    public static let timescaleProperties = ManagementID(rawValue: 0x2013)
    public static let unicastNegotiationEnable = ManagementID(rawValue: 0x2014)
    public static let pathTraceList = ManagementID(rawValue: 0x2015)
    public static let pathTraceEnable = ManagementID(rawValue: 0x2016)
    public static let grandmasterClusterTable = ManagementID(rawValue: 0x2017)
    public static let unicastMasterTable = ManagementID(rawValue: 0x2018)
    public static let unicastMasterMaxTableSize = ManagementID(rawValue: 0x2019)
    public static let acceptableMasterTable = ManagementID(rawValue: 0x201A)
    public static let acceptableMasterTableEnabled = ManagementID(rawValue: 0x201B)
    public static let acceptableMasterMaxTableSize = ManagementID(rawValue: 0x201C)
    public static let alternateMaster = ManagementID(rawValue: 0x201D)
    public static let alternateTimeOffsetEnable = ManagementID(rawValue: 0x201E)
    public static let alternateTimeOffsetName = ManagementID(rawValue: 0x201F)
    public static let alternateTimeOffsetMaxKey = ManagementID(rawValue: 0x2020)
    public static let alternateTimeOffsetProperties = ManagementID(rawValue: 0x2021)
    public static let externalPortConfigurationEnabled = ManagementID(rawValue: 0x3000)
    public static let masterOnly = ManagementID(rawValue: 0x3001)
    public static let holdoverUpgradeEnable = ManagementID(rawValue: 0x3002)
    public static let extPortConfigPortDataSet = ManagementID(rawValue: 0x3003)
    public static let transparentClockDefaultDataSet = ManagementID(rawValue: 0x4000)
    public static let transparentClockPortDataSet = ManagementID(rawValue: 0x4001)
    public static let primaryDomain = ManagementID(rawValue: 0x4002)
    public static let delayMechanism = ManagementID(rawValue: 0x6000)
    public static let logMinPdelayReqInterval = ManagementID(rawValue: 0x6001)
    public static let timeStatusNP = ManagementID(rawValue: 0xC000)
    public static let grandmasterSettingsNP = ManagementID(rawValue: 0xC001)
    public static let portDataSetNP = ManagementID(rawValue: 0xC002)
    public static let subscribeEventsNP = ManagementID(rawValue: 0xC003)
    public static let portPropertiesNP = ManagementID(rawValue: 0xC004)
    public static let portStatsNP = ManagementID(rawValue: 0xC005)
    public static let synchronizationUncertainNP = ManagementID(rawValue: 0xC006)
    public static let portServiceStatsNP = ManagementID(rawValue: 0xC007)
    public static let unicastMasterTableNP = ManagementID(rawValue: 0xC008)
    public static let portHWClockNP = ManagementID(rawValue: 0xC009)

    /// Every ID with a name, in table order.
    public static let known: [ManagementID] = [
        .nullManagement,
        .clockDescription,
        .userDescription,
        .saveInNonVolatileStorage,
        .resetNonVolatileStorage,
        .initialize,
        .faultLog,
        .faultLogReset,
        .defaultDataSet,
        .currentDataSet,
        .parentDataSet,
        .timePropertiesDataSet,
        .portDataSet,
        .priority1,
        .priority2,
        .domain,
        .slaveOnly,
        .logAnnounceInterval,
        .announceReceiptTimeout,
        .logSyncInterval,
        .versionNumber,
        .enablePort,
        .disablePort,
        .time,
        .clockAccuracy,
        .utcProperties,
        .traceabilityProperties,
        .timescaleProperties,
        .unicastNegotiationEnable,
        .pathTraceList,
        .pathTraceEnable,
        .grandmasterClusterTable,
        .unicastMasterTable,
        .unicastMasterMaxTableSize,
        .acceptableMasterTable,
        .acceptableMasterTableEnabled,
        .acceptableMasterMaxTableSize,
        .alternateMaster,
        .alternateTimeOffsetEnable,
        .alternateTimeOffsetName,
        .alternateTimeOffsetMaxKey,
        .alternateTimeOffsetProperties,
        .externalPortConfigurationEnabled,
        .masterOnly,
        .holdoverUpgradeEnable,
        .extPortConfigPortDataSet,
        .transparentClockDefaultDataSet,
        .transparentClockPortDataSet,
        .primaryDomain,
        .delayMechanism,
        .logMinPdelayReqInterval,
        .timeStatusNP,
        .grandmasterSettingsNP,
        .portDataSetNP,
        .subscribeEventsNP,
        .portPropertiesNP,
        .portStatsNP,
        .synchronizationUncertainNP,
        .portServiceStatsNP,
        .unicastMasterTableNP,
        .portHWClockNP,
    ]

    /// The name pmc uses for the ID (`DEFAULT_DATA_SET`), or nil when it has none.
    public var name: String? {
        switch rawValue {
        case 0x0000: "NULL_MANAGEMENT"
        case 0x0001: "CLOCK_DESCRIPTION"
        case 0x0002: "USER_DESCRIPTION"
        case 0x0003: "SAVE_IN_NON_VOLATILE_STORAGE"
        case 0x0004: "RESET_NON_VOLATILE_STORAGE"
        case 0x0005: "INITIALIZE"
        case 0x0006: "FAULT_LOG"
        case 0x0007: "FAULT_LOG_RESET"
        case 0x2000: "DEFAULT_DATA_SET"
        case 0x2001: "CURRENT_DATA_SET"
        case 0x2002: "PARENT_DATA_SET"
        case 0x2003: "TIME_PROPERTIES_DATA_SET"
        case 0x2004: "PORT_DATA_SET"
        case 0x2005: "PRIORITY1"
        case 0x2006: "PRIORITY2"
        case 0x2007: "DOMAIN"
        case 0x2008: "SLAVE_ONLY"
        case 0x2009: "LOG_ANNOUNCE_INTERVAL"
        case 0x200A: "ANNOUNCE_RECEIPT_TIMEOUT"
        case 0x200B: "LOG_SYNC_INTERVAL"
        case 0x200C: "VERSION_NUMBER"
        case 0x200D: "ENABLE_PORT"
        case 0x200E: "DISABLE_PORT"
        case 0x200F: "TIME"
        case 0x2010: "CLOCK_ACCURACY"
        case 0x2011: "UTC_PROPERTIES"
        case 0x2012: "TRACEABILITY_PROPERTIES"
        case 0x2013: "TIMESCALE_PROPERTIES"
        case 0x2014: "UNICAST_NEGOTIATION_ENABLE"
        case 0x2015: "PATH_TRACE_LIST"
        case 0x2016: "PATH_TRACE_ENABLE"
        case 0x2017: "GRANDMASTER_CLUSTER_TABLE"
        case 0x2018: "UNICAST_MASTER_TABLE"
        case 0x2019: "UNICAST_MASTER_MAX_TABLE_SIZE"
        case 0x201A: "ACCEPTABLE_MASTER_TABLE"
        case 0x201B: "ACCEPTABLE_MASTER_TABLE_ENABLED"
        case 0x201C: "ACCEPTABLE_MASTER_MAX_TABLE_SIZE"
        case 0x201D: "ALTERNATE_MASTER"
        case 0x201E: "ALTERNATE_TIME_OFFSET_ENABLE"
        case 0x201F: "ALTERNATE_TIME_OFFSET_NAME"
        case 0x2020: "ALTERNATE_TIME_OFFSET_MAX_KEY"
        case 0x2021: "ALTERNATE_TIME_OFFSET_PROPERTIES"
        case 0x3000: "EXTERNAL_PORT_CONFIGURATION_ENABLED"
        case 0x3001: "MASTER_ONLY"
        case 0x3002: "HOLDOVER_UPGRADE_ENABLE"
        case 0x3003: "EXT_PORT_CONFIG_PORT_DATA_SET"
        case 0x4000: "TRANSPARENT_CLOCK_DEFAULT_DATA_SET"
        case 0x4001: "TRANSPARENT_CLOCK_PORT_DATA_SET"
        case 0x4002: "PRIMARY_DOMAIN"
        case 0x6000: "DELAY_MECHANISM"
        case 0x6001: "LOG_MIN_PDELAY_REQ_INTERVAL"
        case 0xC000: "TIME_STATUS_NP"
        case 0xC001: "GRANDMASTER_SETTINGS_NP"
        case 0xC002: "PORT_DATA_SET_NP"
        case 0xC003: "SUBSCRIBE_EVENTS_NP"
        case 0xC004: "PORT_PROPERTIES_NP"
        case 0xC005: "PORT_STATS_NP"
        case 0xC006: "SYNCHRONIZATION_UNCERTAIN_NP"
        case 0xC007: "PORT_SERVICE_STATS_NP"
        case 0xC008: "UNICAST_MASTER_TABLE_NP"
        case 0xC009: "PORT_HWCLOCK_NP"
        default: nil
        }
    }

    /// The ID named `name` as pmc spells it (case-insensitive), or nil.
    public init?(name: String) {
        let upper = name.uppercased()
        guard let id = ManagementID.known.first(where: { $0.name == upper }) else { return nil }
        self = id
    }

    /// True for IDs in the implementation-specific range 0xC000–0xDFFF (15.5.2.3).
    public var isImplementationSpecific: Bool {
        (0xC000...0xDFFF).contains(rawValue)
    }
}

extension ManagementID: CustomStringConvertible {
    public var description: String {
        name ?? "0x" + String(rawValue, radix: 16)
    }
}

import PTPCore
import PTPWire

extension ManagementDispatcher {
    /// The data of clock-wide `id`, filled from the snapshot's live data sets (15.5.3), or nil when the
    /// clock does not answer `id`.
    static func clockData(
        _ id: ManagementID, snapshot s: ManagementSnapshot, subscription: SubscribeEventsNP?
    ) -> ManagementData? {
        let dds = s.defaultDS
        let tp = s.timePropertiesDS
        switch id {
        case .userDescription: return .userDescription(s.userDescription)
        case .defaultDataSet: return .defaultDataSet(dds)
        case .currentDataSet: return .currentDataSet(ManagementCurrentDS(s.currentDS))
        case .parentDataSet: return .parentDataSet(s.parentDS)
        case .timePropertiesDataSet: return .timePropertiesDataSet(tp)
        case .priority1: return .priority1(dds.priority1)
        case .priority2: return .priority2(dds.priority2)
        case .domain: return .domain(dds.domainNumber)
        case .slaveOnly: return .slaveOnly(dds.slaveOnly)
        case .clockAccuracy: return .clockAccuracy(dds.clockQuality.clockAccuracy)
        case .traceabilityProperties:
            return .traceabilityProperties(timeTraceable: tp.timeTraceable, frequencyTraceable: tp.frequencyTraceable)
        case .timescaleProperties: return .timescaleProperties(ptpTimescale: tp.ptpTimescale, timeSource: tp.timeSource)
        case .timeStatusNP: return .timeStatusNP(s.timeStatus)
        case .grandmasterSettingsNP: return .grandmasterSettingsNP(s.grandmasterSettings)
        case .subscribeEventsNP: return .subscribeEventsNP(subscription ?? SubscribeEventsNP(duration: 0))
        case .synchronizationUncertainNP: return .synchronizationUncertainNP(s.synchronizationUncertain)
        case .meridianStatusNP: return .unknown(.meridianStatusNP, s.status.encode())
        default: return nil
        }
    }

    /// The data of per-port `id` for `port`, or nil when ports do not answer `id`.
    static func portData(_ id: ManagementID, port: PortSnapshot, snapshot: ManagementSnapshot) -> ManagementData? {
        let ds = port.portDS
        switch id {
        case .nullManagement: return .empty(.nullManagement)
        case .clockDescription:
            var description = port.clockDescription
            description.userDescription = snapshot.userDescription
            return .clockDescription(description)
        case .portDataSet: return .portDataSet(ManagementPortDS(ds))
        case .logAnnounceInterval: return .logAnnounceInterval(ds.logAnnounceInterval)
        case .announceReceiptTimeout: return .announceReceiptTimeout(ds.announceReceiptTimeout)
        case .logSyncInterval: return .logSyncInterval(ds.logSyncInterval)
        case .versionNumber: return .versionNumber(ds.versionNumber & 0x0F)
        case .delayMechanism: return .delayMechanism(ds.delayMechanism)
        case .logMinPdelayReqInterval: return .logMinPdelayReqInterval(ds.logMinPdelayReqInterval)
        case .portDataSetNP: return .portDataSetNP(port.dataSetNP)
        case .portPropertiesNP: return .portPropertiesNP(port.propertiesNP)
        case .portStatsNP: return .portStatsNP(port.statsNP)
        case .portServiceStatsNP:
            var stats = port.serviceStats ?? PortServiceStatsNP(portIdentity: port.portIdentity)
            stats.portIdentity = port.portIdentity
            return .portServiceStatsNP(stats)
        case .unicastMasterTableNP: return .unicastMasterTableNP(port.unicastMasterTable)
        default: return nil
        }
    }

    /// The command a SET of clock-wide `data` asks for, or the error for a value out of range.
    static func command(
        for data: ManagementData, privilege: ManagementPrivilege
    ) -> Result<ManagementCommand, ManagementErrorID> {
        switch data {
        case .priority1(let value): return .success(.setPriority1(value))
        case .priority2(let value): return .success(.setPriority2(value))
        case .domain(let value):
            // domainNumber 0–127 (IEEE 1588-2019 7.1.4 table 2; 128–255 are reserved).
            return value < 128 ? .success(.setDomain(value)) : .failure(.wrongValue)
        case .userDescription(let text):
            // userDescription is at most 128 octets (15.5.3.1.2.1).
            return text.bytes.count <= 128 ? .success(.setUserDescription(text)) : .failure(.wrongValue)
        case .grandmasterSettingsNP(let settings): return .success(.setGrandmasterSettings(settings))
        case .synchronizationUncertainNP(let value):
            // linuxptp accepts SYNC_UNCERTAIN_FALSE, _TRUE and _DONTCARE only.
            guard [SynchronizationUncertainNP.false, .true, .dontCare].contains(value) else {
                return .failure(.wrongValue)
            }
            return .success(.setSynchronizationUncertain(value))
        case .subscribeEventsNP(let subscription):
            // Notifications go to Unix socket clients only (linuxptp `clock_update_subscription`).
            return privilege.isLocal ? .success(.subscribe(subscription)) : .failure(.notSupported)
        default:
            return .failure(.wrongLength)
        }
    }
}

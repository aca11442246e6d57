import PTPCore
import PTPEngine
import PTPWire

extension PortServiceStatsNP {
    /// PORT_SERVICE_STATS_NP from a port's live counters (linuxptp `port_management_fill_response`).
    init(_ port: PortEngine) {
        let c = port.serviceCounters
        self.init(
            portIdentity: port.portIdentity, announceTimeout: c.announceTimeout, syncTimeout: c.syncTimeout,
            delayTimeout: c.delayTimeout, unicastServiceTimeout: c.unicastServiceTimeout,
            unicastRequestTimeout: c.unicastRequestTimeout, masterAnnounceTimeout: c.masterAnnounceTimeout,
            masterSyncTimeout: c.masterSyncTimeout, qualificationTimeout: c.qualificationTimeout,
            syncMismatch: c.syncMismatch, followUpMismatch: c.followUpMismatch)
    }
}

extension UnicastMasterTableNP {
    /// UNICAST_MASTER_TABLE_NP from a port's unicast master table, as linuxptp fills it: each master's address,
    /// the identity its Announce grant told (all ones before), its client state (UC_WAIT … UC_HAVE_SYDY),
    /// selected when it is the clock's parent, and the grandmaster quality and priorities of its latest Announce
    /// when it is in the foreign master table (zero otherwise). No table: no entries.
    init(_ port: PortEngine, parent: PortIdentity) {
        let entries = (port.unicastClient?.masters ?? []).map { master -> UnicastMasterEntryNP in
            let record = port.foreignMasters.record(for: master.portIdentity)
            return UnicastMasterEntryNP(
                portIdentity: master.portIdentity,
                clockQuality: record?.announce.grandmasterClockQuality
                    ?? ClockQuality(clockClass: 0, clockAccuracy: ClockAccuracy(rawValue: 0), offsetScaledLogVariance: 0),
                selected: master.portIdentity == parent, portState: master.state.rawValue,
                priority1: record?.announce.grandmasterPriority1 ?? 0,
                priority2: record?.announce.grandmasterPriority2 ?? 0, address: master.address)
        }
        self.init(entries: entries)
    }
}

import PTPCore
import PTPWire

/// The fields linuxptp 3.1's `pmc` prints for a management ID (`pmc.c` `pmc_show`), in its order and
/// with its names, so `meridianctl` prints what pmc prints and `--json` uses the same names.
public struct PMCBlock: Sendable, Hashable {
    /// The ID's name, printed after `MANAGEMENT`.
    public var name: String
    /// The column the values start at (pmc's hand-aligned format strings).
    public var width: Int
    public var fields: [PMCField]

    /// The block for `data`, or nil when pmc prints nothing after the ID (NULL_MANAGEMENT, unknown IDs).
    public init?(_ data: ManagementData) {
        guard let (name, fields) = Self.describe(data) else { return nil }
        self.name = name
        self.fields = fields
        // pmc's columns are one past the longest name, except these three format strings.
        switch data.managementId {
        case .userDescription: width = 17
        case .portStatsNP, .portServiceStatsNP: width = 26
        // pmc prints the table's lines with one space after their first word (see `unicastMasterTable`).
        case .unicastMasterTableNP: width = 0
        case .portPropertiesNP: width = 24
        default: width = (fields.map(\.name.count).max() ?? 0) + 1
        }
    }

    /// pmc's `ps_str`: the state name, NONE for anything outside 1…9.
    static func stateName(_ raw: UInt8) -> String {
        PortState(rawValue: raw).map(\.description) ?? "NONE"
    }

    /// pmc's `ts_str`.
    static func timestampingName(_ ts: TimestampingNP) -> String {
        switch ts {
        case .software: "SOFTWARE"
        case .hardware: "HARDWARE"
        case .legacyHardware: "LEGACY_HW"
        case .oneStep: "ONESTEP"
        case .p2pOneStep: "P2P1STEP"
        default: "unknown"
        }
    }

    /// linuxptp's `bin2str`: colon-separated lower-case hex.
    static func bin(_ bytes: [UInt8]) -> String {
        bytes.map { PMCValue.pad(String($0, radix: 16), 2) }.joined(separator: ":")
    }

    /// linuxptp's `portaddr2str`: dotted IPv4, IPv6, or a MAC for IEEE 802.3; anything else as
    /// `bin2str` of the address (empty for none), as pmc 3.1 prints it.
    static func address(_ a: PortAddress) -> String {
        switch a.networkProtocol {
        case .udpIPv4 where a.address.count == 4: return a.address.map(String.init).joined(separator: ".")
        case .udpIPv6 where a.address.count == 16: return IPv6Text.format(a.address)
        default: return bin(a.address)
        }
    }

    static func text(_ t: PTPText) -> PMCValue { .text(t.description) }

    private static func describe(_ data: ManagementData) -> (String, [PMCField])? {
        typealias F = PMCField
        switch data {
        case .clockDescription(let cd):
            return (
                "CLOCK_DESCRIPTION",
                [
                    F("clockType", .hex(UInt64(cd.clockType.rawValue), digits: 1)),
                    F("physicalLayerProtocol", text(cd.physicalLayerProtocol)),
                    F("physicalAddress", .text(bin(cd.physicalAddress))),
                    F("protocolAddress", .text("\(cd.protocolAddress.networkProtocol.rawValue) \(address(cd.protocolAddress))")),
                    F("manufacturerId", .text(bin(cd.manufacturerIdentity))),
                    F("productDescription", text(cd.productDescription)),
                    F("revisionData", text(cd.revisionData)),
                    F("userDescription", text(cd.userDescription)),
                    F("profileId", .text(bin(cd.profileIdentity))),
                ]
            )
        case .userDescription(let t):
            return ("USER_DESCRIPTION", [F("userDescription", text(t))])
        case .defaultDataSet(let d):
            return (
                "DEFAULT_DATA_SET",
                [
                    F("twoStepFlag", .flag(d.twoStepFlag)), F("slaveOnly", .flag(d.slaveOnly)),
                    F("numberPorts", .uint(UInt64(d.numberPorts))), F("priority1", .uint(UInt64(d.priority1))),
                    F("clockClass", .uint(UInt64(d.clockQuality.clockClass))),
                    F("clockAccuracy", .hex(UInt64(d.clockQuality.clockAccuracy.rawValue), digits: 2)),
                    F("offsetScaledLogVariance", .hex(UInt64(d.clockQuality.offsetScaledLogVariance), digits: 4)),
                    F("priority2", .uint(UInt64(d.priority2))), F("clockIdentity", .text(d.clockIdentity.description)),
                    F("domainNumber", .uint(UInt64(d.domainNumber))),
                ]
            )
        case .currentDataSet(let c):
            return (
                "CURRENT_DATA_SET",
                [
                    F("stepsRemoved", .int(Int64(Int16(bitPattern: c.stepsRemoved)))),
                    F("offsetFromMaster", .decimal(PMCValue.scaledTenths(c.offsetFromMaster.rawValue))),
                    F("meanPathDelay", .decimal(PMCValue.scaledTenths(c.meanPathDelay.rawValue))),
                ]
            )
        case .parentDataSet(let p):
            return (
                "PARENT_DATA_SET",
                [
                    F("parentPortIdentity", .text(p.parentPortIdentity.description)),
                    F("parentStats", .uint(p.parentStats ? 1 : 0)),
                    F("observedParentOffsetScaledLogVariance", .hex(UInt64(p.observedParentOffsetScaledLogVariance), digits: 4)),
                    F(
                        "observedParentClockPhaseChangeRate",
                        .hex(UInt64(UInt32(bitPattern: p.observedParentClockPhaseChangeRate)), digits: 8)),
                    F("grandmasterPriority1", .uint(UInt64(p.grandmasterPriority1))),
                    F("gm.ClockClass", .uint(UInt64(p.grandmasterClockQuality.clockClass))),
                    F("gm.ClockAccuracy", .hex(UInt64(p.grandmasterClockQuality.clockAccuracy.rawValue), digits: 2)),
                    F("gm.OffsetScaledLogVariance", .hex(UInt64(p.grandmasterClockQuality.offsetScaledLogVariance), digits: 4)),
                    F("grandmasterPriority2", .uint(UInt64(p.grandmasterPriority2))),
                    F("grandmasterIdentity", .text(p.grandmasterIdentity.description)),
                ]
            )
        case .timePropertiesDataSet(let t):
            return ("TIME_PROPERTIES_DATA_SET", timeProperties(t, prefix: []))
        case .priority1(let v): return ("PRIORITY1", [F("priority1", .uint(UInt64(v)))])
        case .priority2(let v): return ("PRIORITY2", [F("priority2", .uint(UInt64(v)))])
        case .domain(let v): return ("DOMAIN", [F("domainNumber", .uint(UInt64(v)))])
        case .slaveOnly(let v): return ("SLAVE_ONLY", [F("slaveOnly", .flag(v))])
        case .clockAccuracy(let a): return ("CLOCK_ACCURACY", [F("clockAccuracy", .hex(UInt64(a.rawValue), digits: 2))])
        case .traceabilityProperties(let time, let frequency):
            return ("TRACEABILITY_PROPERTIES", [F("timeTraceable", .flag(time)), F("frequencyTraceable", .flag(frequency))])
        case .timescaleProperties(let ptp, _):
            return ("TIMESCALE_PROPERTIES", [F("ptpTimescale", .flag(ptp))])
        case .timeStatusNP(let s):
            let phase = s.lastGmPhaseChange
            let lastChange =
                "0x" + PMCValue.pad(String(phase.nanosecondsMSB, radix: 16), 4) + "'"
                + PMCValue.pad(String(phase.nanosecondsLSB, radix: 16), 16) + "."
                + PMCValue.pad(String(phase.fractionalNanoseconds, radix: 16), 4)
            return (
                "TIME_STATUS_NP",
                [
                    F("master_offset", .int(s.masterOffset)), F("ingress_time", .int(s.ingressTime)),
                    F("cumulativeScaledRateOffset", .decimal(PMCValue.rateOffset(s.cumulativeScaledRateOffset))),
                    F("scaledLastGmPhaseChange", .int(Int64(s.scaledLastGmPhaseChange))),
                    F("gmTimeBaseIndicator", .uint(UInt64(s.gmTimeBaseIndicator))),
                    F("lastGmPhaseChange", .text(lastChange)),
                    F("gmPresent", .text(s.gmPresent ? "true" : "false")),
                    F("gmIdentity", .text(s.gmIdentity.description)),
                ]
            )
        case .grandmasterSettingsNP(let g):
            return (
                "GRANDMASTER_SETTINGS_NP",
                [
                    F("clockClass", .uint(UInt64(g.clockQuality.clockClass))),
                    F("clockAccuracy", .hex(UInt64(g.clockQuality.clockAccuracy.rawValue), digits: 2)),
                    F("offsetScaledLogVariance", .hex(UInt64(g.clockQuality.offsetScaledLogVariance), digits: 4)),
                ] + timeProperties(g.timeProperties, prefix: [])
            )
        case .subscribeEventsNP(let s):
            // pmc 3.1 prints the duration and NOTIFY_PORT_STATE only.
            return (
                "SUBSCRIBE_EVENTS_NP",
                [
                    F("duration", .uint(UInt64(s.duration))),
                    F("NOTIFY_PORT_STATE", .text(s.isSubscribed(0) ? "on" : "off")),
                ]
            )
        case .synchronizationUncertainNP(let u):
            return ("SYNCHRONIZATION_UNCERTAIN_NP", [F("uncertain", .uint(UInt64(u.rawValue)))])
        case .portDataSet(let p):
            return (
                "PORT_DATA_SET",
                [
                    F("portIdentity", .text(p.portIdentity.description)), F("portState", .text(stateName(p.portState))),
                    F("logMinDelayReqInterval", .int(Int64(p.logMinDelayReqInterval.rawValue))),
                    F("peerMeanPathDelay", .int(p.peerMeanPathDelay.rawValue >> 16)),
                    F("logAnnounceInterval", .int(Int64(p.logAnnounceInterval.rawValue))),
                    F("announceReceiptTimeout", .uint(UInt64(p.announceReceiptTimeout))),
                    F("logSyncInterval", .int(Int64(p.logSyncInterval.rawValue))),
                    F("delayMechanism", .uint(UInt64(p.delayMechanism.rawValue))),
                    F("logMinPdelayReqInterval", .int(Int64(p.logMinPdelayReqInterval.rawValue))),
                    F("versionNumber", .uint(UInt64(p.versionNumber & 0x0F))),
                ]
            )
        case .portDataSetNP(let n):
            return (
                "PORT_DATA_SET_NP",
                [
                    F("neighborPropDelayThresh", .uint(UInt64(n.neighborPropDelayThresh))), F("asCapable", .flag(n.asCapable)),
                ]
            )
        case .portPropertiesNP(let p):
            return (
                "PORT_PROPERTIES_NP",
                [
                    F("portIdentity", .text(p.portIdentity.description)), F("portState", .text(stateName(p.portState))),
                    F("timestamping", .text(timestampingName(p.timestamping))), F("interface", text(p.interface)),
                ]
            )
        case .portStatsNP(let s):
            let names = [
                "Sync", "Delay_Req", "Pdelay_Req", "Pdelay_Resp", "Follow_Up", "Delay_Resp",
                "Pdelay_Resp_Follow_Up", "Announce", "Signaling", "Management",
            ]
            let types: [Int] = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13]
            let rx = zip(names, types).map { F("rx_" + $0.0, .uint(s.rxMsgType[$0.1])) }
            let tx = zip(names, types).map { F("tx_" + $0.0, .uint(s.txMsgType[$0.1])) }
            return ("PORT_STATS_NP", [F("portIdentity", .text(s.portIdentity.description))] + rx + tx)
        case .portServiceStatsNP(let s):
            return (
                "PORT_SERVICE_STATS_NP",
                [
                    F("portIdentity", .text(s.portIdentity.description)), F("announce_timeout", .uint(s.announceTimeout)),
                    F("sync_timeout", .uint(s.syncTimeout)), F("delay_timeout", .uint(s.delayTimeout)),
                    F("unicast_service_timeout", .uint(s.unicastServiceTimeout)),
                    F("unicast_request_timeout", .uint(s.unicastRequestTimeout)),
                    F("master_announce_timeout", .uint(s.masterAnnounceTimeout)),
                    F("master_sync_timeout", .uint(s.masterSyncTimeout)),
                    F("qualification_timeout", .uint(s.qualificationTimeout)), F("sync_mismatch", .uint(s.syncMismatch)),
                    F("followup_mismatch", .uint(s.followUpMismatch)),
                ]
            )
        case .unicastMasterTableNP(let t):
            return ("UNICAST_MASTER_TABLE_NP", unicastMasterTable(t))
        case .logAnnounceInterval(let v):
            return ("LOG_ANNOUNCE_INTERVAL", [F("logAnnounceInterval", .int(Int64(v.rawValue)))])
        case .announceReceiptTimeout(let v):
            return ("ANNOUNCE_RECEIPT_TIMEOUT", [F("announceReceiptTimeout", .uint(UInt64(v)))])
        case .logSyncInterval(let v): return ("LOG_SYNC_INTERVAL", [F("logSyncInterval", .int(Int64(v.rawValue)))])
        case .versionNumber(let v): return ("VERSION_NUMBER", [F("versionNumber", .uint(UInt64(v & 0x0F)))])
        case .delayMechanism(let v): return ("DELAY_MECHANISM", [F("delayMechanism", .uint(UInt64(v.rawValue)))])
        case .logMinPdelayReqInterval(let v):
            return ("LOG_MIN_PDELAY_REQ_INTERVAL", [F("logMinPdelayReqInterval", .int(Int64(v.rawValue)))])
        case .unknown(let id, let bytes) where id == .meridianStatusNP:
            guard let status = MeridianStatus(data: bytes) else { return nil }
            return ("MERIDIAN_STATUS_NP", meridianStatus(status))
        default:
            return nil
        }
    }

    /// UNICAST_MASTER_TABLE_NP as linuxptp's pmc prints it (pmc.c, `pmc_show_unicast_master_entry`): the size,
    /// a header line, then one line per master (`BM` yes/no, identity, address, its client state, the
    /// grandmaster quality and priorities of its Announce). Each line is a field whose name is its first word,
    /// printed with one space after it (the block's width is 0).
    static func unicastMasterTable(_ t: UnicastMasterTableNP) -> [PMCField] {
        func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        let states = ["WAIT", "HAVE_ANN", "NEED_SYDY", "HAVE_SYDY"]
        var fields = [
            PMCField("actual_table_size", .uint(UInt64(t.entries.count))),
            PMCField(
                "BM",
                .text(
                    " \(left("identity", 24)) \(left("address", 34)) \(left("state", 9)) clockClass clockQuality offsetScaledLogVariance p1  p2"
                )),
        ]
        for e in t.entries {
            let q = e.clockQuality
            let state = Int(e.portState) < states.count ? states[Int(e.portState)] : "???"
            let row =
                "\(left(e.portIdentity.description, 24)) \(left(address(e.address), 34)) \(left(state, 9)) "
                + "\(left(String(q.clockClass), 10)) 0x\(PMCValue.pad(String(q.clockAccuracy.rawValue, radix: 16), 2))         "
                + "0x\(PMCValue.pad(String(q.offsetScaledLogVariance, radix: 16), 4))                  "
                + "\(left(String(e.priority1), 3)) \(left(String(e.priority2), 3))"
            fields.append(PMCField(e.selected ? "yes" : "no ", .text(row)))
        }
        return fields
    }

    private static func timeProperties(_ t: TimePropertiesDS, prefix: [PMCField]) -> [PMCField] {
        prefix + [
            PMCField("currentUtcOffset", .int(Int64(t.currentUtcOffset))), PMCField("leap61", .flag(t.leap61)),
            PMCField("leap59", .flag(t.leap59)), PMCField("currentUtcOffsetValid", .flag(t.currentUtcOffsetValid)),
            PMCField("ptpTimescale", .flag(t.ptpTimescale)), PMCField("timeTraceable", .flag(t.timeTraceable)),
            PMCField("frequencyTraceable", .flag(t.frequencyTraceable)),
            PMCField("timeSource", .hex(UInt64(t.timeSource.rawValue), digits: 2)),
        ]
    }

    private static func meridianStatus(_ s: MeridianStatus) -> [PMCField] {
        [
            PMCField("referenceKind", .text(s.referenceKind.description)),
            PMCField("referenceState", .text(s.referenceState.description)),
            PMCField("satellites", .uint(UInt64(s.satellites))), PMCField("ppsValid", .flag(s.ppsValid)),
            PMCField("lastPPSOffset", .int(s.lastPPSOffset)), PMCField("servoState", .text(s.servoState.description)),
            PMCField("servoFrequencyPPB", .decimal(PMCValue.scaledTenths(s.servoFrequency))),
            PMCField("lastOffset", .int(s.lastOffset)), PMCField("lastPathDelay", .int(s.lastPathDelay)),
            PMCField("inHoldover", .flag(s.inHoldover)), PMCField("holdoverSeconds", .uint(UInt64(s.holdoverSeconds))),
            PMCField("virtualClockError", s.virtualClockError.map { .int($0) } ?? .text("n/a")),
            PMCField("mgmtReceived", .uint(UInt64(s.management.received))),
            PMCField("mgmtMalformed", .uint(UInt64(s.management.malformed))),
            PMCField("mgmtDropped", .uint(UInt64(s.management.dropped))),
            PMCField("mgmtReplies", .uint(UInt64(s.management.replies))),
            PMCField("mgmtErrors", .uint(UInt64(s.management.errorReplies))),
            PMCField("rmsOffset", .int(s.rmsOffset)),
            PMCField("residualFrequencyPPB", .decimal(PMCValue.scaledTenths(s.residualFrequency))),
            PMCField("frequencySkewPPB", .decimal(PMCValue.scaledTenths(s.frequencySkew))),
        ]
    }
}

import Foundation
import PTPCore
import PTPWire

/// The fields tshark 4.0 shows for a management dataField, as it spells them. Empty for the `_NP`
/// IDs, which tshark does not dissect, and for data without fields.
enum TsharkExpectations {
    static func fields(of data: ManagementData) -> [String: String] {
        let mm = "ptp.v2.mm."
        func keyed(_ pairs: [(String, String)]) -> [String: String] {
            Dictionary(pairs.map { (mm + $0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        }
        func ns(_ value: ScaledNanoseconds, _ prefix: String) -> [(String, String)] {
            [(prefix + ".ns", String(value.rawValue >> 16)), (prefix + ".subns", String(value.rawValue & 0xFFFF))]
        }
        func identity(_ id: ClockIdentity) -> String { Fmt.hex(id.rawValue, 16) }
        switch data {
        case .defaultDataSet(let ds):
            return keyed([
                ("twoStep", Fmt.bit(ds.twoStepFlag)), ("SlavOnly", Fmt.bit(ds.slaveOnly)),
                ("numberPorts", String(ds.numberPorts)), ("priority1", String(ds.priority1)),
                ("clockclass", String(ds.clockQuality.clockClass)),
                ("clockaccuracy", Fmt.hex(ds.clockQuality.clockAccuracy.rawValue, 2)),
                ("clockvariance", String(ds.clockQuality.offsetScaledLogVariance)), ("priority2", String(ds.priority2)),
                ("clockidentity", identity(ds.clockIdentity)), ("domainNumber", String(ds.domainNumber)),
            ])
        case .currentDataSet(let ds):
            return keyed(
                [("stepsRemoved", String(ds.stepsRemoved))] + ns(ds.offsetFromMaster, "offset")
                    + ns(ds.meanPathDelay, "pathDelay"))
        case .parentDataSet(let ds):
            return keyed([
                ("parentclockidentity", identity(ds.parentPortIdentity.clockIdentity)),
                ("parentsourceportid", String(ds.parentPortIdentity.portNumber)),
                ("parentstats", Fmt.bit(ds.parentStats)),
                ("observedParentOffsetScaledLogVariance", String(ds.observedParentOffsetScaledLogVariance)),
                ("observedParentClockPhaseChangeRate", String(ds.observedParentClockPhaseChangeRate)),
                ("grandmasterPriority1", String(ds.grandmasterPriority1)),
                ("grandmasterclockclass", String(ds.grandmasterClockQuality.clockClass)),
                ("grandmasterclockaccuracy", Fmt.hex(ds.grandmasterClockQuality.clockAccuracy.rawValue, 2)),
                ("grandmasterclockvariance", String(ds.grandmasterClockQuality.offsetScaledLogVariance)),
                ("grandmasterPriority2", String(ds.grandmasterPriority2)),
                ("grandmasterclockidentity", identity(ds.grandmasterIdentity)),
            ])
        case .timePropertiesDataSet(let tp):
            return keyed([
                ("currentutcoffset", String(tp.currentUtcOffset)), ("li61", Fmt.bit(tp.leap61)),
                ("li59", Fmt.bit(tp.leap59)), ("CurrentUTCOffsetValid", Fmt.bit(tp.currentUtcOffsetValid)),
                ("ptptimescale", Fmt.bit(tp.ptpTimescale)), ("timeTraceable", Fmt.bit(tp.timeTraceable)),
                ("frequencyTraceable", Fmt.bit(tp.frequencyTraceable)),
                ("timesource", Fmt.hex(tp.timeSource.rawValue, 2)),
            ])
        case .portDataSet(let ds):
            return keyed(
                [
                    ("clockidentity", identity(ds.portIdentity.clockIdentity)),
                    ("PortNumber", String(ds.portIdentity.portNumber)), ("portState", String(ds.portState)),
                    ("logMinDelayReqInterval", String(ds.logMinDelayReqInterval.rawValue)),
                    ("logAnnounceInterval", String(ds.logAnnounceInterval.rawValue)),
                    ("announceReceiptTimeout", String(ds.announceReceiptTimeout)),
                    ("logSyncInterval", String(ds.logSyncInterval.rawValue)),
                    ("delayMechanism", String(ds.delayMechanism.rawValue)),
                    ("logMinPdelayReqInterval", String(ds.logMinPdelayReqInterval.rawValue)),
                    ("versionNumber", String(ds.versionNumber)),
                ] + ns(ds.peerMeanPathDelay, "peerMeanPathDelay"))
        case .clockDescription(let cd):
            return keyed([
                ("clockType", Fmt.hex(cd.clockType.rawValue, 4)),
                ("physicalLayerProtocol.length", String(cd.physicalLayerProtocol.bytes.count)),
                ("physicalLayerProtocol", cd.physicalLayerProtocol.description),
                ("physicalAddressLength", String(cd.physicalAddress.count)),
                ("physicalAddress", Fmt.colons(cd.physicalAddress)),
                ("networkProtocol", String(cd.protocolAddress.networkProtocol.rawValue)),
                ("protocolAddress.length", String(cd.protocolAddress.address.count)),
                ("protocolAddress", Fmt.colons(cd.protocolAddress.address)),
                ("manufacturerIdentity", Fmt.colons(cd.manufacturerIdentity)),
                ("productDescription.length", String(cd.productDescription.bytes.count)),
                ("productDescription", cd.productDescription.description),
                ("revisionData.length", String(cd.revisionData.bytes.count)),
                ("revisionData", cd.revisionData.description),
                ("userDescription.length", String(cd.userDescription.bytes.count)),
                ("userDescription", cd.userDescription.description),
                ("profileIdentity", Fmt.colons(cd.profileIdentity)),
            ])
        case .userDescription(let text):
            return keyed([("userDescription.length", String(text.bytes.count)), ("userDescription", text.description)])
        case .priority1(let v): return keyed([("priority1", String(v))])
        case .priority2(let v): return keyed([("priority2", String(v))])
        case .domain(let v): return keyed([("domainNumber", String(v))])
        case .slaveOnly(let v): return keyed([("SlavOnly", Fmt.bit(v))])
        case .logAnnounceInterval(let v): return keyed([("logAnnounceInterval", String(v.rawValue))])
        case .announceReceiptTimeout(let v): return keyed([("announceReceiptTimeout", String(v))])
        case .logSyncInterval(let v): return keyed([("logSyncInterval", String(v.rawValue))])
        case .versionNumber(let v): return keyed([("versionNumber", String(v))])
        case .clockAccuracy(let v): return keyed([("clockaccuracy", Fmt.hex(v.rawValue, 2))])
        case .traceabilityProperties(let time, let frequency):
            return keyed([("timeTraceable", Fmt.bit(time)), ("frequencyTraceable", Fmt.bit(frequency))])
        case .timescaleProperties(let ptp, let source):
            return keyed([("ptptimescale", Fmt.bit(ptp)), ("timesource", Fmt.hex(source.rawValue, 2))])
        case .delayMechanism(let v): return keyed([("delayMechanism", String(v.rawValue))])
        case .logMinPdelayReqInterval(let v): return keyed([("logMinPdelayReqInterval", String(v.rawValue))])
        default:
            return [:]
        }
    }
}

/// The `key value` lines pmc 3.1 prints for a response (pmc.c `pmc_show`), as it spells them.
enum PmcExpectations {
    static let messageNames: [(MessageType, String)] = [
        (.sync, "Sync"), (.delayReq, "Delay_Req"), (.pdelayReq, "Pdelay_Req"), (.pdelayResp, "Pdelay_Resp"),
        (.followUp, "Follow_Up"), (.delayResp, "Delay_Resp"), (.pdelayRespFollowUp, "Pdelay_Resp_Follow_Up"),
        (.announce, "Announce"), (.signaling, "Signaling"), (.management, "Management"),
    ]

    static func fields(of data: ManagementData) -> [String: String] {
        func tp(_ t: TimePropertiesDS) -> [String: String] {
            [
                "currentUtcOffset": String(t.currentUtcOffset), "leap61": Fmt.bit(t.leap61),
                "leap59": Fmt.bit(t.leap59), "currentUtcOffsetValid": Fmt.bit(t.currentUtcOffsetValid),
                "ptpTimescale": Fmt.bit(t.ptpTimescale), "timeTraceable": Fmt.bit(t.timeTraceable),
                "frequencyTraceable": Fmt.bit(t.frequencyTraceable), "timeSource": Fmt.hex(t.timeSource.rawValue, 2),
            ]
        }
        switch data {
        case .defaultDataSet(let ds):
            return [
                "twoStepFlag": Fmt.bit(ds.twoStepFlag), "slaveOnly": Fmt.bit(ds.slaveOnly),
                "numberPorts": String(ds.numberPorts), "priority1": String(ds.priority1),
                "clockClass": String(ds.clockQuality.clockClass),
                "clockAccuracy": Fmt.hex(ds.clockQuality.clockAccuracy.rawValue, 2),
                "offsetScaledLogVariance": Fmt.hex(ds.clockQuality.offsetScaledLogVariance, 4),
                "priority2": String(ds.priority2), "clockIdentity": ds.clockIdentity.description,
                "domainNumber": String(ds.domainNumber),
            ]
        case .currentDataSet(let ds):
            return [
                "stepsRemoved": String(ds.stepsRemoved),
                "offsetFromMaster": String(format: "%.1f", Double(ds.offsetFromMaster.rawValue) / 65536),
                "meanPathDelay": String(format: "%.1f", Double(ds.meanPathDelay.rawValue) / 65536),
            ]
        case .parentDataSet(let ds):
            return [
                "parentPortIdentity": ds.parentPortIdentity.description, "parentStats": Fmt.bit(ds.parentStats),
                "observedParentOffsetScaledLogVariance": Fmt.hex(ds.observedParentOffsetScaledLogVariance, 4),
                "observedParentClockPhaseChangeRate": Fmt.hex(UInt32(bitPattern: ds.observedParentClockPhaseChangeRate), 8),
                "grandmasterPriority1": String(ds.grandmasterPriority1),
                "gm.ClockClass": String(ds.grandmasterClockQuality.clockClass),
                "gm.ClockAccuracy": Fmt.hex(ds.grandmasterClockQuality.clockAccuracy.rawValue, 2),
                "gm.OffsetScaledLogVariance": Fmt.hex(ds.grandmasterClockQuality.offsetScaledLogVariance, 4),
                "grandmasterPriority2": String(ds.grandmasterPriority2),
                "grandmasterIdentity": ds.grandmasterIdentity.description,
            ]
        case .timePropertiesDataSet(let t):
            return tp(t)
        case .portDataSet(let ds):
            return [
                "portIdentity": ds.portIdentity.description, "portState": ds.state?.description ?? "?",
                "logMinDelayReqInterval": String(ds.logMinDelayReqInterval.rawValue),
                "peerMeanPathDelay": String(ds.peerMeanPathDelay.rawValue >> 16),
                "logAnnounceInterval": String(ds.logAnnounceInterval.rawValue),
                "announceReceiptTimeout": String(ds.announceReceiptTimeout),
                "logSyncInterval": String(ds.logSyncInterval.rawValue),
                "delayMechanism": String(ds.delayMechanism.rawValue),
                "logMinPdelayReqInterval": String(ds.logMinPdelayReqInterval.rawValue),
                "versionNumber": String(ds.versionNumber),
            ]
        case .clockDescription(let cd):
            return [
                "clockType": Fmt.hex(cd.clockType.rawValue, 4),
                "physicalLayerProtocol": cd.physicalLayerProtocol.description,
                "physicalAddress": Fmt.colons(cd.physicalAddress),
                "protocolAddress": Fmt.portAddress(cd.protocolAddress),
                "manufacturerId": Fmt.colons(cd.manufacturerIdentity),
                "productDescription": cd.productDescription.description, "revisionData": cd.revisionData.description,
                "userDescription": cd.userDescription.description, "profileId": Fmt.colons(cd.profileIdentity),
            ]
        case .userDescription(let text): return ["userDescription": text.description]
        case .priority1(let v): return ["priority1": String(v)]
        case .priority2(let v): return ["priority2": String(v)]
        case .domain(let v): return ["domainNumber": String(v)]
        case .slaveOnly(let v): return ["slaveOnly": Fmt.bit(v)]
        case .logAnnounceInterval(let v): return ["logAnnounceInterval": String(v.rawValue)]
        case .announceReceiptTimeout(let v): return ["announceReceiptTimeout": String(v)]
        case .logSyncInterval(let v): return ["logSyncInterval": String(v.rawValue)]
        case .versionNumber(let v): return ["versionNumber": String(v)]
        case .clockAccuracy(let v): return ["clockAccuracy": Fmt.hex(v.rawValue, 2)]
        case .traceabilityProperties(let time, let frequency):
            return ["timeTraceable": Fmt.bit(time), "frequencyTraceable": Fmt.bit(frequency)]
        case .timescaleProperties(let ptp, _): return ["ptpTimescale": Fmt.bit(ptp)]
        case .delayMechanism(let v): return ["delayMechanism": String(v.rawValue)]
        case .logMinPdelayReqInterval(let v): return ["logMinPdelayReqInterval": String(v.rawValue)]
        case .synchronizationUncertainNP(let v): return ["uncertain": String(v.rawValue)]
        case .timeStatusNP(let ts):
            let phase = ts.lastGmPhaseChange
            return [
                "master_offset": String(ts.masterOffset), "ingress_time": String(ts.ingressTime),
                "cumulativeScaledRateOffset": String(
                    format: "%+.9f", Double(ts.cumulativeScaledRateOffset) / 2_199_023_255_552),
                "scaledLastGmPhaseChange": String(ts.scaledLastGmPhaseChange),
                "gmTimeBaseIndicator": String(ts.gmTimeBaseIndicator),
                "lastGmPhaseChange": Fmt.hex(phase.nanosecondsMSB, 4) + "'"
                    + Fmt.hex(phase.nanosecondsLSB, 16).dropFirst(2) + "."
                    + Fmt.hex(phase.fractionalNanoseconds, 4).dropFirst(2),
                "gmPresent": ts.gmPresent ? "true" : "false", "gmIdentity": ts.gmIdentity.description,
            ]
        case .grandmasterSettingsNP(let gs):
            return tp(gs.timeProperties).merging([
                "clockClass": String(gs.clockQuality.clockClass),
                "clockAccuracy": Fmt.hex(gs.clockQuality.clockAccuracy.rawValue, 2),
                "offsetScaledLogVariance": Fmt.hex(gs.clockQuality.offsetScaledLogVariance, 4),
            ]) { first, _ in first }
        case .portDataSetNP(let np):
            return ["neighborPropDelayThresh": String(np.neighborPropDelayThresh), "asCapable": Fmt.bit(np.asCapable)]
        case .portStatsNP(let ps):
            var out = ["portIdentity": ps.portIdentity.description]
            for (type, name) in messageNames {
                out["rx_" + name] = String(ps.received(type))
                out["tx_" + name] = String(ps.sent(type))
            }
            return out
        default:
            return [:]
        }
    }
}

import PTPCore

extension ManagementData {
    /// The dataField as linuxptp 3.1 writes it (`clock.c`/`port.c` fill-response and `tlv.c`
    /// `mgt_pre_send`): big-endian fields, reserved octets zero, PORT_STATS_NP and
    /// PORT_SERVICE_STATS_NP counters little-endian, and odd content followed by one zero pad octet.
    /// ``unknown(_:_:)`` bytes are returned as they are.
    public func encode() -> [UInt8] {
        var w = WireWriter(capacity: 64)
        encode(into: &w)
        return w.bytes
    }

    /// Appends the dataField to `w`; see ``encode()``.
    public func encode(into w: inout WireWriter) {
        let start = w.count
        switch self {
        case .empty:
            break
        case .unknown(_, let bytes):
            w.write(contentsOf: bytes)
            return
        case .clockDescription(let cd):
            cd.encode(into: &w)
        case .userDescription(let text):
            w.write(text)
        case .defaultDataSet(let ds):
            w.write(UInt8((ds.twoStepFlag ? 0x01 : 0) | (ds.slaveOnly ? 0x02 : 0)))
            w.write(UInt8(0))
            w.write(ds.numberPorts)
            w.write(ds.priority1)
            w.write(ds.clockQuality)
            w.write(ds.priority2)
            w.write(ds.clockIdentity)
            w.write(ds.domainNumber)
            w.write(UInt8(0))
        case .currentDataSet(let ds):
            w.write(ds.stepsRemoved)
            w.write(ds.offsetFromMaster)
            w.write(ds.meanPathDelay)
        case .parentDataSet(let ds):
            w.write(ds.parentPortIdentity)
            w.write(UInt8(ds.parentStats ? 1 : 0))
            w.write(UInt8(0))
            w.write(ds.observedParentOffsetScaledLogVariance)
            w.write(ds.observedParentClockPhaseChangeRate)
            w.write(ds.grandmasterPriority1)
            w.write(ds.grandmasterClockQuality)
            w.write(ds.grandmasterPriority2)
            w.write(ds.grandmasterIdentity)
        case .timePropertiesDataSet(let tp):
            Self.writeTimeProperties(tp, into: &w)
        case .portDataSet(let ds):
            w.write(ds.portIdentity)
            w.write(ds.portState)
            w.write(ds.logMinDelayReqInterval.rawValue)
            w.write(ds.peerMeanPathDelay)
            w.write(ds.logAnnounceInterval.rawValue)
            w.write(ds.announceReceiptTimeout)
            w.write(ds.logSyncInterval.rawValue)
            w.write(ds.delayMechanism.rawValue)
            w.write(ds.logMinPdelayReqInterval.rawValue)
            w.write(ds.versionNumber)
        case .priority1(let value), .priority2(let value), .domain(let value), .announceReceiptTimeout(let value),
            .versionNumber(let value):
            Self.writeDatum(value, into: &w)
        case .slaveOnly(let on):
            Self.writeDatum(on ? 0x02 : 0, into: &w)
        case .logAnnounceInterval(let interval), .logSyncInterval(let interval),
            .logMinPdelayReqInterval(let interval):
            Self.writeDatum(UInt8(bitPattern: interval.rawValue), into: &w)
        case .clockAccuracy(let accuracy):
            Self.writeDatum(accuracy.rawValue, into: &w)
        case .traceabilityProperties(let time, let frequency):
            Self.writeDatum((time ? 0x10 : 0) | (frequency ? 0x20 : 0), into: &w)
        case .timescaleProperties(let ptp, let source):
            w.write(UInt8(ptp ? 0x08 : 0))
            w.write(source.rawValue)
        case .delayMechanism(let mechanism):
            Self.writeDatum(mechanism.rawValue, into: &w)
        case .synchronizationUncertainNP(let value):
            Self.writeDatum(value.rawValue, into: &w)
        case .timeStatusNP(let ts):
            w.write(ts.masterOffset)
            w.write(ts.ingressTime)
            w.write(ts.cumulativeScaledRateOffset)
            w.write(ts.scaledLastGmPhaseChange)
            w.write(ts.gmTimeBaseIndicator)
            w.write(ts.lastGmPhaseChange.nanosecondsMSB)
            w.write(ts.lastGmPhaseChange.nanosecondsLSB)
            w.write(ts.lastGmPhaseChange.fractionalNanoseconds)
            w.write(Int32(ts.gmPresent ? 1 : 0))
            w.write(ts.gmIdentity)
        case .grandmasterSettingsNP(let gs):
            w.write(gs.clockQuality)
            Self.writeTimeProperties(gs.timeProperties, into: &w)
        case .portDataSetNP(let np):
            w.write(np.neighborPropDelayThresh)
            w.write(Int32(np.asCapable ? 1 : 0))
        case .subscribeEventsNP(let se):
            w.write(se.duration)
            w.write(contentsOf: se.bitmask)
        case .portPropertiesNP(let pp):
            w.write(pp.portIdentity)
            w.write(pp.portState)
            w.write(pp.timestamping.rawValue)
            w.write(pp.interface)
        case .portStatsNP(let ps):
            w.write(ps.portIdentity)
            for counter in ps.rxMsgType { w.writeLittleEndian(counter) }
            for counter in ps.txMsgType { w.writeLittleEndian(counter) }
        case .portServiceStatsNP(let ss):
            w.write(ss.portIdentity)
            for counter in ss.counters { w.writeLittleEndian(counter) }
        case .unicastMasterTableNP(let table):
            let count = min(table.entries.count, Int(UInt16.max))
            w.write(UInt16(count))
            for entry in table.entries.prefix(count) {
                w.write(entry.portIdentity)
                w.write(entry.clockQuality)
                w.write(UInt8(entry.selected ? 1 : 0))
                w.write(entry.portState)
                w.write(entry.priority1)
                w.write(entry.priority2)
                w.write(entry.address)
            }
        }
        if (w.count - start) % 2 == 1 {
            w.write(UInt8(0))
        }
    }

    /// A `management_tlv_datum` (linuxptp `tlv.h`): the value, then a zero reserved octet.
    private static func writeDatum(_ value: UInt8, into w: inout WireWriter) {
        w.write(value)
        w.write(UInt8(0))
    }

    private static func writeTimeProperties(_ tp: TimePropertiesDS, into w: inout WireWriter) {
        w.write(tp.currentUtcOffset)
        w.write(tp.managementFlags)
        w.write(tp.timeSource.rawValue)
    }
}

extension ClockDescription {
    /// Table 70's fields in order; the caller pads odd content.
    func encode(into w: inout WireWriter) {
        w.write(clockType.rawValue)
        w.write(physicalLayerProtocol)
        w.write(UInt16(truncatingIfNeeded: physicalAddress.count))
        w.write(contentsOf: physicalAddress)
        w.write(protocolAddress)
        w.write(contentsOf: manufacturerIdentity)
        w.write(UInt8(0))
        w.write(productDescription)
        w.write(revisionData)
        w.write(userDescription)
        w.write(contentsOf: profileIdentity)
    }
}

extension WireWriter {
    /// A `uint64_t` in little-endian (x86/arm host) order, as linuxptp sends PORT_STATS_NP counters.
    mutating func writeLittleEndian(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            write(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}

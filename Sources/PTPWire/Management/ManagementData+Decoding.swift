import PTPCore

extension ManagementData {
    /// Decodes the dataField of a MANAGEMENT TLV with `id`, sent with `action`, as linuxptp 3.1's
    /// `mgt_post_recv` (`tlv.c`) reads it.
    ///
    /// - Empty `data` gives ``empty(_:)`` for GET, COMMAND and ACKNOWLEDGE and for the IDs that never
    ///   carry data. For SET and RESPONSE of an ID with data it is an error (WRONG_LENGTH).
    /// - Non-empty data is decoded by `id` whatever the action, as ptp4l does: pmc's GETs carry a
    ///   zero-filled data set. An ID without a typed layout gives ``unknown(_:_:)``.
    /// - Fixed-size data must have exactly its size; variable-size data (CLOCK_DESCRIPTION,
    ///   USER_DESCRIPTION, PORT_PROPERTIES_NP, UNICAST_MASTER_TABLE_NP) must end with exactly the one
    ///   pad octet that makes odd content even, or nothing. The pad octet's value is not checked,
    ///   like linuxptp.
    ///
    /// Errors: ``WireError/truncated(field:offset:needed:available:)`` naming the field that does not
    /// fit, ``WireError/lengthMismatch(field:offset:declared:actual:)`` with field `dataField` when
    /// bytes are left over or missing (`declared` is the data's length, `actual` the length its
    /// content needs), or ``WireError/invalidValue(field:offset:value:)`` for an address longer than
    /// linuxptp accepts. All offsets count from the first octet of the dataField, i.e. after
    /// managementId; add the dataField's offset in the message to place them there.
    public static func decode(id: ManagementID, action: ManagementAction, data: [UInt8]) throws(WireError)
        -> ManagementData
    {
        if dataless.contains(id) {
            guard data.isEmpty else {
                throw .lengthMismatch(field: "dataField", offset: 0, declared: data.count, actual: 0)
            }
            return .empty(id)
        }
        if data.isEmpty, action == .get || action == .command || action == .acknowledge {
            return .empty(id)
        }
        guard typedIDs.contains(id) else {
            return .unknown(id, data)
        }
        return try data.withUnsafeBytes { raw in
            Result { () throws(WireError) -> ManagementData in
                var reader = WireReader(raw)
                let value = try decodeTyped(id: id, from: &reader)
                try finish(value, reader: reader, count: data.count)
                return value
            }
        }.get()
    }

    /// Checks that the content used the whole dataField, allowing one pad octet after odd
    /// variable-length content.
    private static func finish(_ value: ManagementData, reader: WireReader, count: Int) throws(WireError) {
        let used = reader.position
        let expected = value.isVariableLength ? used + used % 2 : used
        guard count == expected else {
            throw .lengthMismatch(field: "dataField", offset: 0, declared: count, actual: expected)
        }
    }

    var isVariableLength: Bool {
        switch self {
        case .clockDescription, .userDescription, .portPropertiesNP, .unicastMasterTableNP: true
        default: false
        }
    }

    private static func decodeTyped(id: ManagementID, from r: inout WireReader) throws(WireError) -> ManagementData {
        switch id {
        case .clockDescription:
            return .clockDescription(try ClockDescription.decode(from: &r))
        case .userDescription:
            return .userDescription(try r.readText("userDescription"))
        case .defaultDataSet:
            let flags = try r.readUInt8("flags")
            try r.skip(1, "reserved")
            let numberPorts = try r.readUInt16("numberPorts")
            let priority1 = try r.readUInt8("priority1")
            let quality = try r.readClockQuality("clockQuality")
            let priority2 = try r.readUInt8("priority2")
            let identity = try r.readClockIdentity("clockIdentity")
            let domain = try r.readUInt8("domainNumber")
            try r.skip(1, "reserved")
            return .defaultDataSet(
                DefaultDS(
                    twoStepFlag: flags & 0x01 != 0, clockIdentity: identity, numberPorts: numberPorts,
                    clockQuality: quality, priority1: priority1, priority2: priority2, domainNumber: domain,
                    slaveOnly: flags & 0x02 != 0))
        case .currentDataSet:
            let steps = try r.readUInt16("stepsRemoved")
            let offset = try r.readScaledNanoseconds("offsetFromMaster")
            let delay = try r.readScaledNanoseconds("meanPathDelay")
            return .currentDataSet(
                ManagementCurrentDS(stepsRemoved: steps, offsetFromMaster: offset, meanPathDelay: delay))
        case .parentDataSet:
            let parent = try r.readPortIdentity("parentPortIdentity")
            let stats = try r.readUInt8("parentStats")
            try r.skip(1, "reserved")
            let variance = try r.readUInt16("observedParentOffsetScaledLogVariance")
            let rate = try r.readInt32("observedParentClockPhaseChangeRate")
            let priority1 = try r.readUInt8("grandmasterPriority1")
            let quality = try r.readClockQuality("grandmasterClockQuality")
            let priority2 = try r.readUInt8("grandmasterPriority2")
            let identity = try r.readClockIdentity("grandmasterIdentity")
            return .parentDataSet(
                ParentDS(
                    parentPortIdentity: parent, parentStats: stats != 0,
                    observedParentOffsetScaledLogVariance: variance,
                    observedParentClockPhaseChangeRate: rate, grandmasterIdentity: identity,
                    grandmasterClockQuality: quality, grandmasterPriority1: priority1, grandmasterPriority2: priority2))
        case .timePropertiesDataSet:
            return .timePropertiesDataSet(try readTimeProperties(from: &r))
        case .portDataSet:
            let identity = try r.readPortIdentity("portIdentity")
            let state = try r.readUInt8("portState")
            let delayReq = try r.readInt8("logMinDelayReqInterval")
            let peerDelay = try r.readScaledNanoseconds("peerMeanPathDelay")
            let announce = try r.readInt8("logAnnounceInterval")
            let timeout = try r.readUInt8("announceReceiptTimeout")
            let sync = try r.readInt8("logSyncInterval")
            let mechanism = try r.readUInt8("delayMechanism")
            let pdelay = try r.readInt8("logMinPdelayReqInterval")
            let version = try r.readUInt8("versionNumber")
            return .portDataSet(
                ManagementPortDS(
                    portIdentity: identity, portState: state, logMinDelayReqInterval: LogInterval(rawValue: delayReq),
                    peerMeanPathDelay: peerDelay, logAnnounceInterval: LogInterval(rawValue: announce),
                    announceReceiptTimeout: timeout, logSyncInterval: LogInterval(rawValue: sync),
                    delayMechanism: DelayMechanism(rawValue: mechanism),
                    logMinPdelayReqInterval: LogInterval(rawValue: pdelay), versionNumber: version))
        case .priority1:
            return .priority1(try readDatum("priority1", from: &r))
        case .priority2:
            return .priority2(try readDatum("priority2", from: &r))
        case .domain:
            return .domain(try readDatum("domainNumber", from: &r))
        case .slaveOnly:
            // linuxptp 3.1 sends bit 1 (DDS_SLAVE_ONLY); the standard and later linuxptp send bit 0.
            return .slaveOnly(try readDatum("slaveOnly", from: &r) & 0x03 != 0)
        case .logAnnounceInterval:
            return .logAnnounceInterval(
                LogInterval(rawValue: Int8(bitPattern: try readDatum("logAnnounceInterval", from: &r))))
        case .announceReceiptTimeout:
            return .announceReceiptTimeout(try readDatum("announceReceiptTimeout", from: &r))
        case .logSyncInterval:
            return .logSyncInterval(LogInterval(rawValue: Int8(bitPattern: try readDatum("logSyncInterval", from: &r))))
        case .versionNumber:
            return .versionNumber(try readDatum("versionNumber", from: &r))
        case .clockAccuracy:
            return .clockAccuracy(ClockAccuracy(rawValue: try readDatum("clockAccuracy", from: &r)))
        case .traceabilityProperties:
            let flags = try readDatum("flags", from: &r)
            return .traceabilityProperties(timeTraceable: flags & 0x10 != 0, frequencyTraceable: flags & 0x20 != 0)
        case .timescaleProperties:
            let flags = try r.readUInt8("flags")
            let source = try r.readUInt8("timeSource")
            return .timescaleProperties(ptpTimescale: flags & 0x08 != 0, timeSource: TimeSource(rawValue: source))
        case .delayMechanism:
            return .delayMechanism(DelayMechanism(rawValue: try readDatum("delayMechanism", from: &r)))
        case .logMinPdelayReqInterval:
            return .logMinPdelayReqInterval(
                LogInterval(rawValue: Int8(bitPattern: try readDatum("logMinPdelayReqInterval", from: &r))))
        case .synchronizationUncertainNP:
            return .synchronizationUncertainNP(SynchronizationUncertainNP(rawValue: try readDatum("val", from: &r)))
        case .timeStatusNP:
            let offset = try r.readInt64("master_offset")
            let ingress = try r.readInt64("ingress_time")
            let rate = try r.readInt32("cumulativeScaledRateOffset")
            let phase = try r.readInt32("scaledLastGmPhaseChange")
            let base = try r.readUInt16("gmTimeBaseIndicator")
            let msb = try r.readUInt16("lastGmPhaseChange")
            let lsb = try r.readUInt64("lastGmPhaseChange")
            let fraction = try r.readUInt16("lastGmPhaseChange")
            let present = try r.readInt32("gmPresent")
            let gm = try r.readClockIdentity("gmIdentity")
            return .timeStatusNP(
                TimeStatusNP(
                    masterOffset: offset, ingressTime: ingress, cumulativeScaledRateOffset: rate,
                    scaledLastGmPhaseChange: phase, gmTimeBaseIndicator: base,
                    lastGmPhaseChange: ScaledNs96(
                        nanosecondsMSB: msb, nanosecondsLSB: lsb, fractionalNanoseconds: fraction),
                    gmPresent: present != 0, gmIdentity: gm))
        case .grandmasterSettingsNP:
            let quality = try r.readClockQuality("clockQuality")
            return .grandmasterSettingsNP(
                GrandmasterSettingsNP(clockQuality: quality, timeProperties: try readTimeProperties(from: &r)))
        case .portDataSetNP:
            let thresh = try r.readUInt32("neighborPropDelayThresh")
            let capable = try r.readInt32("asCapable")
            return .portDataSetNP(PortDataSetNP(neighborPropDelayThresh: thresh, asCapable: capable != 0))
        case .subscribeEventsNP:
            let duration = try r.readUInt16("duration")
            let mask = try r.readBytes(SubscribeEventsNP.bitmaskLength, "bitmask")
            return .subscribeEventsNP(SubscribeEventsNP(duration: duration, bitmask: mask))
        case .portPropertiesNP:
            let identity = try r.readPortIdentity("portIdentity")
            let state = try r.readUInt8("port_state")
            let stamping = try r.readUInt8("timestamping")
            let name = try r.readText("interface")
            return .portPropertiesNP(
                PortPropertiesNP(
                    portIdentity: identity, portState: state, timestamping: TimestampingNP(rawValue: stamping),
                    interface: name))
        case .portStatsNP:
            let identity = try r.readPortIdentity("portIdentity")
            var rx: [UInt64] = []
            var tx: [UInt64] = []
            rx.reserveCapacity(PortStatsNP.counterCount)
            tx.reserveCapacity(PortStatsNP.counterCount)
            for _ in 0..<PortStatsNP.counterCount { rx.append(try r.readUInt64LittleEndian("rxMsgType")) }
            for _ in 0..<PortStatsNP.counterCount { tx.append(try r.readUInt64LittleEndian("txMsgType")) }
            return .portStatsNP(PortStatsNP(portIdentity: identity, rxMsgType: rx, txMsgType: tx))
        case .portServiceStatsNP:
            return .portServiceStatsNP(
                PortServiceStatsNP(
                    portIdentity: try r.readPortIdentity("portIdentity"),
                    announceTimeout: try r.readUInt64LittleEndian("announce_timeout"),
                    syncTimeout: try r.readUInt64LittleEndian("sync_timeout"),
                    delayTimeout: try r.readUInt64LittleEndian("delay_timeout"),
                    unicastServiceTimeout: try r.readUInt64LittleEndian("unicast_service_timeout"),
                    unicastRequestTimeout: try r.readUInt64LittleEndian("unicast_request_timeout"),
                    masterAnnounceTimeout: try r.readUInt64LittleEndian("master_announce_timeout"),
                    masterSyncTimeout: try r.readUInt64LittleEndian("master_sync_timeout"),
                    qualificationTimeout: try r.readUInt64LittleEndian("qualification_timeout"),
                    syncMismatch: try r.readUInt64LittleEndian("sync_mismatch"),
                    followUpMismatch: try r.readUInt64LittleEndian("followup_mismatch")))
        case .unicastMasterTableNP:
            let size = Int(try r.readUInt16("actual_table_size"))
            var entries: [UnicastMasterEntryNP] = []
            // Each entry is at least 22 octets; never reserve more than the bytes can hold.
            entries.reserveCapacity(min(size, r.remaining / 22))
            for _ in 0..<size {
                let identity = try r.readPortIdentity("port_identity")
                let quality = try r.readClockQuality("clock_quality")
                let selected = try r.readUInt8("selected")
                let state = try r.readUInt8("port_state")
                let priority1 = try r.readUInt8("priority1")
                let priority2 = try r.readUInt8("priority2")
                let address = try r.readPortAddress("address")
                entries.append(
                    UnicastMasterEntryNP(
                        portIdentity: identity, clockQuality: quality, selected: selected != 0, portState: state,
                        priority1: priority1, priority2: priority2, address: address))
            }
            return .unicastMasterTableNP(UnicastMasterTableNP(entries: entries))
        default:
            return .unknown(id, try r.readBytes(r.remaining, "dataField"))
        }
    }

    /// A `management_tlv_datum` (linuxptp `tlv.h`): the value octet and a reserved octet.
    private static func readDatum(_ field: String, from r: inout WireReader) throws(WireError) -> UInt8 {
        let value = try r.readUInt8(field)
        try r.skip(1, "reserved")
        return value
    }

    /// currentUtcOffset, the flags octet, timeSource (TIME_PROPERTIES_DATA_SET and the tail of
    /// GRANDMASTER_SETTINGS_NP).
    private static func readTimeProperties(from r: inout WireReader) throws(WireError) -> TimePropertiesDS {
        let offset = try r.readInt16("currentUtcOffset")
        let flags = try r.readUInt8("flags")
        let source = try r.readUInt8("timeSource")
        return TimePropertiesDS(
            currentUtcOffset: offset, managementFlags: flags, timeSource: TimeSource(rawValue: source))
    }
}

extension ClockDescription {
    /// Reads the fields in the order of IEEE 1588-2019 15.5.3 (CLOCK_DESCRIPTION), as linuxptp 3.1's
    /// `mgt_post_recv` does.
    static func decode(from r: inout WireReader) throws(WireError) -> ClockDescription {
        let clockType = try r.readUInt16("clockType")
        let physicalLayer = try r.readText("physicalLayerProtocol")
        let physicalLengthOffset = r.position
        let physicalLength = try r.readUInt16("physicalAddressLength")
        guard physicalLength <= maxAddressLength else {
            throw .invalidValue(
                field: "physicalAddressLength", offset: physicalLengthOffset, value: UInt64(physicalLength))
        }
        let physical = try r.readBytes(Int(physicalLength), "physicalAddress")
        let protocolLengthOffset = r.position + 2
        let protocolAddress = try r.readPortAddress("protocolAddress")
        guard protocolAddress.address.count <= maxAddressLength else {
            throw .invalidValue(
                field: "protocolAddress.addressLength", offset: protocolLengthOffset,
                value: UInt64(protocolAddress.address.count))
        }
        let manufacturer = try r.readBytes(3, "manufacturerIdentity")
        try r.skip(1, "reserved")
        let product = try r.readText("productDescription")
        let revision = try r.readText("revisionData")
        let user = try r.readText("userDescription")
        let profile = try r.readBytes(6, "profileIdentity")
        return ClockDescription(
            clockType: ClockType(rawValue: clockType), physicalLayerProtocol: physicalLayer, physicalAddress: physical,
            protocolAddress: protocolAddress, manufacturerIdentity: manufacturer, productDescription: product,
            revisionData: revision, userDescription: user, profileIdentity: profile)
    }
}

extension WireReader {
    /// A `uint64_t` in little-endian (x86/arm host) order, as linuxptp sends PORT_STATS_NP counters.
    mutating func readUInt64LittleEndian(_ field: String) throws(WireError) -> UInt64 {
        let bytes = try readBytes(8, field)
        var value: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            value |= UInt64(byte) << UInt64(8 * i)
        }
        return value
    }
}

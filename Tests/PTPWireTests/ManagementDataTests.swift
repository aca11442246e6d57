import PTPCore
import PTPWire
import Testing

/// Round-trip properties, wrong lengths and linuxptp's layout details of ``ManagementData``.
struct ManagementDataTests {
    static let seeds: [UInt64] = Array(0..<200)

    @Test func generatorCoversEveryTypedID() {
        var generator = ManagementDataGenerator(seed: 1)
        let generated = Set(generator.everyCase().map(\.managementId))
        let dataless: Set<ManagementID> = [
            .nullManagement, .enablePort, .disablePort, .saveInNonVolatileStorage, .resetNonVolatileStorage,
            .faultLogReset,
        ]
        #expect(generated.union(dataless) == ManagementData.typedIDs)
        #expect(generated.isDisjoint(with: dataless))
    }

    /// decode ∘ encode = identity, for every case, whatever the action that carries data.
    @Test func roundTripOfRandomValues() throws {
        var checked = 0
        for seed in Self.seeds {
            var generator = ManagementDataGenerator(seed: seed)
            for value in generator.everyCase() {
                let bytes = value.encode()
                #expect(bytes.count % 2 == 0, "\(value.managementId) odd length \(bytes.count)")
                for action in [ManagementAction.response, .set, .get] {
                    let decoded = try ManagementData.decode(id: value.managementId, action: action, data: bytes)
                    #expect(decoded == value, "seed \(seed) \(value.managementId) \(action)")
                }
                let tlv = ManagementTLV(value)
                #expect(tlv.managementId == value.managementId)
                #expect(try tlv.decodedData(action: .response) == value)
                checked += 1
            }
        }
        #expect(checked == Self.seeds.count * 29)
    }

    @Test func emptyDataDependsOnTheAction() throws {
        for id in ManagementData.typedIDs.union([ManagementID(rawValue: 0xC0FE), .time]) {
            for action in [ManagementAction.get, .command, .acknowledge] {
                #expect(try ManagementData.decode(id: id, action: action, data: []) == .empty(id))
            }
        }
        // A SET or RESPONSE of an ID with data needs its data: the first field is missing.
        #expect(throws: WireError.truncated(field: "priority1", offset: 0, needed: 1, available: 0)) {
            try ManagementData.decode(id: .priority1, action: .set, data: [])
        }
        #expect(throws: WireError.truncated(field: "flags", offset: 0, needed: 1, available: 0)) {
            try ManagementData.decode(id: .defaultDataSet, action: .response, data: [])
        }
        #expect(ManagementData.empty(.enablePort).encode() == [])
        #expect(ManagementData.empty(.enablePort).managementId == .enablePort)
    }

    @Test func datalessIDsRefuseData() throws {
        for id in [
            ManagementID.nullManagement, .enablePort, .disablePort, .saveInNonVolatileStorage,
            .resetNonVolatileStorage, .faultLogReset,
        ] {
            for action in ManagementAction.allCases {
                #expect(try ManagementData.decode(id: id, action: action, data: []) == .empty(id))
                #expect(throws: WireError.lengthMismatch(field: "dataField", offset: 0, declared: 2, actual: 0)) {
                    try ManagementData.decode(id: id, action: action, data: [0, 0])
                }
            }
        }
    }

    @Test func unknownIDsKeepTheirBytes() throws {
        for id in [ManagementID(rawValue: 0xC0FE), .time, .utcProperties, .portHWClockNP, .faultLog] {
            for data in [[UInt8](), [1], [1, 2, 3], [9, 8, 7, 6]] where !data.isEmpty {
                let decoded = try ManagementData.decode(id: id, action: .response, data: data)
                #expect(decoded == .unknown(id, data))
                #expect(decoded.encode() == data)
                #expect(decoded.managementId == id)
            }
        }
    }

    /// Every strict prefix and every extension of valid data is a typed error naming a field.
    @Test func wrongLengthsGiveTypedErrors() throws {
        var errors = 0
        for seed in Self.seeds.prefix(20) {
            var generator = ManagementDataGenerator(seed: seed)
            for value in generator.everyCase() {
                let bytes = value.encode()
                for count in 0..<bytes.count {
                    errors += try expectLengthError(value.managementId, Array(bytes.prefix(count)))
                }
                for extra in [[UInt8(0)], [0, 0], [0xFF, 0xFF, 0xFF]] {
                    errors += try expectLengthError(value.managementId, bytes + extra)
                }
            }
        }
        #expect(errors > 10_000)
    }

    private func expectLengthError(_ id: ManagementID, _ data: [UInt8]) throws -> Int {
        for action in [ManagementAction.response, .set] {
            do {
                let decoded = try ManagementData.decode(id: id, action: action, data: data)
                Issue.record("\(id) \(action) with \(data.count) bytes decoded as \(decoded)")
            } catch {
                switch error {
                case .truncated(let field, let offset, _, _), .lengthMismatch(let field, let offset, _, _):
                    #expect(!field.isEmpty)
                    #expect(offset >= 0 && offset <= data.count)
                case .invalidValue:
                    Issue.record("\(id): \(error) for a wrong length")
                }
            }
        }
        return 2
    }

    @Test func errorsNameTheFieldAndItsOffsetInTheDataField() {
        // DEFAULT_DATA_SET: flags, reserved, numberPorts (2), priority1 at offset 4.
        #expect(throws: WireError.truncated(field: "priority1", offset: 4, needed: 1, available: 0)) {
            try ManagementData.decode(id: .defaultDataSet, action: .response, data: [1, 0, 0, 1])
        }
        #expect(throws: WireError.lengthMismatch(field: "dataField", offset: 0, declared: 22, actual: 20)) {
            try ManagementData.decode(id: .defaultDataSet, action: .response, data: [UInt8](repeating: 0, count: 22))
        }
        // PORT_STATS_NP: portIdentity (10), then counters; the third rx counter starts at 26.
        #expect(throws: WireError.truncated(field: "rxMsgType", offset: 26, needed: 8, available: 4)) {
            try ManagementData.decode(id: .portStatsNP, action: .response, data: [UInt8](repeating: 0, count: 30))
        }
        // CLOCK_DESCRIPTION with a 17-octet physicalAddress: linuxptp's TRANSPORT_ADDR_LEN is 16.
        #expect(throws: WireError.invalidValue(field: "physicalAddressLength", offset: 3, value: 17)) {
            try ManagementData.decode(
                id: .clockDescription, action: .response, data: [0x80, 0, 0, 0, 17] + [UInt8](repeating: 0, count: 40))
        }
    }

    /// Random bytes for every ID and action: a value or a WireError, never a trap; a value re-decodes.
    @Test func randomBytesNeverTrap() throws {
        var rng = SplitMix64(seed: 0x5EED)
        let ids = Array(ManagementData.typedIDs) + [ManagementID(rawValue: 0xC0FE)]
        var decodedCount = 0
        for _ in 0..<4000 {
            let id = ids[Int.random(in: 0..<ids.count, using: &rng)]
            let action = ManagementAction.allCases[Int.random(in: 0..<5, using: &rng)]
            let length = Int.random(in: 0...300, using: &rng)
            var data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng), data.count > 2 {
                // Small length fields, so the variable-length layouts get past their first field.
                for i in stride(from: 0, to: data.count, by: 3) { data[i] &= 0x07 }
            }
            guard let value = try? ManagementData.decode(id: id, action: action, data: data) else { continue }
            decodedCount += 1
            #expect(try ManagementData.decode(id: id, action: action, data: value.encode()) == value)
        }
        #expect(decodedCount > 0)
    }

    // MARK: linuxptp's layout, octet by octet

    @Test func datumLayouts() throws {
        #expect(ManagementData.priority1(128).encode() == [0x80, 0])
        #expect(ManagementData.logSyncInterval(LogInterval(-2)).encode() == [0xFE, 0])
        // linuxptp keeps SLAVE_ONLY in bit 1 (DDS_SLAVE_ONLY) and pmc reads bit 1.
        #expect(ManagementData.slaveOnly(true).encode() == [0x02, 0])
        #expect(try ManagementData.decode(id: .slaveOnly, action: .set, data: [0x01, 0]) == .slaveOnly(true))
        #expect(try ManagementData.decode(id: .slaveOnly, action: .set, data: [0x02, 0]) == .slaveOnly(true))
        #expect(try ManagementData.decode(id: .slaveOnly, action: .set, data: [0x04, 0]) == .slaveOnly(false))
        #expect(ManagementData.traceabilityProperties(timeTraceable: true, frequencyTraceable: true).encode() == [0x30, 0])
        #expect(ManagementData.timescaleProperties(ptpTimescale: true, timeSource: .gnss).encode() == [0x08, 0x20])
        #expect(ManagementData.synchronizationUncertainNP(.dontCare).encode() == [0xFF, 0])
        #expect(ManagementData.clockAccuracy(.within100ns).encode() == [0x21, 0])
    }

    @Test func variableLengthDataIsPaddedToEven() throws {
        let odd = ManagementData.userDescription("abcd")  // 1 + 4 octets
        #expect(odd.encode() == [4, 0x61, 0x62, 0x63, 0x64, 0])
        let even = ManagementData.userDescription("abc")
        #expect(even.encode() == [3, 0x61, 0x62, 0x63])
        // pmc's GET USER_DESCRIPTION: an empty text and its pad.
        #expect(try ManagementData.decode(id: .userDescription, action: .get, data: [0, 0]) == .userDescription(.empty))
        let properties = ManagementData.portPropertiesNP(
            PortPropertiesNP(
                portIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: 1), portNumber: 1), portState: 6,
                timestamping: .hardware, interface: "eth0"))
        let bytes = properties.encode()
        #expect(bytes.count == 10 + 2 + 1 + 4 + 1)
        #expect(bytes.last == 0)
        #expect(try ManagementData.decode(id: .portPropertiesNP, action: .response, data: bytes) == properties)
        // Without the pad, linuxptp (and we) refuse it.
        #expect(throws: WireError.lengthMismatch(field: "dataField", offset: 0, declared: 17, actual: 18)) {
            try ManagementData.decode(id: .portPropertiesNP, action: .response, data: Array(bytes.dropLast()))
        }
    }

    @Test func portStatsCountersAreWrittenLittleEndian() {
        let stats = PortStatsNP(
            portIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x0102_0304_0506_0708), portNumber: 0x0A0B),
            rxMsgType: [0x0102_0304_0506_0708], txMsgType: [])
        let bytes = ManagementData.portStatsNP(stats).encode()
        #expect(bytes.count == PortStatsNP.length)
        #expect(Array(bytes[0..<10]) == [1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B])  // portIdentity: network order
        #expect(Array(bytes[10..<18]) == [8, 7, 6, 5, 4, 3, 2, 1])  // rxMsgType[0]: host order
        #expect(stats.rxMsgType.count == 16 && stats.txMsgType.count == 16)
        let service = ManagementData.portServiceStatsNP(
            PortServiceStatsNP(portIdentity: .zero, announceTimeout: 0x0102, followUpMismatch: 3))
        let serviceBytes = service.encode()
        #expect(serviceBytes.count == PortServiceStatsNP.length)
        #expect(Array(serviceBytes[10..<12]) == [0x02, 0x01])
        #expect(serviceBytes[82] == 3)
    }

    @Test func unicastMasterTableLayout() throws {
        let entry = UnicastMasterEntryNP(
            portIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: 7), portNumber: 1),
            clockQuality: .default, selected: true, portState: 9, priority1: 128, priority2: 127,
            address: PortAddress(networkProtocol: .udpIPv4, address: [10, 66, 0, 1]))
        let value = ManagementData.unicastMasterTableNP(UnicastMasterTableNP(entries: [entry, entry]))
        let bytes = value.encode()
        // actual_table_size, then two entries of 10 + 4 + 4 + 4 + 4 octets, no padding between them.
        #expect(bytes.count == 2 + 2 * 26)
        #expect(Array(bytes[0..<2]) == [0, 2])
        #expect(Array(bytes[16..<20]) == [1, 9, 128, 127])
        #expect(try ManagementData.decode(id: .unicastMasterTableNP, action: .response, data: bytes) == value)
    }

    @Test func conversionsToAndFromPTPCore() throws {
        let identity = ClockIdentity(rawValue: 0x7699_27FF_FE71_C27A)
        let ds = DefaultDS(clockIdentity: identity, numberPorts: 2, priority1: 100, slaveOnly: true)
        var withSdoId = ds
        withSdoId.sdoId = 0x123
        let defaultData = ManagementData.defaultDataSet(withSdoId).encode()
        #expect(defaultData.count == 20)
        #expect(try ManagementData.decode(id: .defaultDataSet, action: .response, data: defaultData) == .defaultDataSet(ds))
        let port = PortDS(portIdentity: PortIdentity(clockIdentity: identity, portNumber: 1), portState: .master)
        #expect(ManagementPortDS(port).portDS == port)
        #expect(ManagementPortDS(port).versionNumber == 2)
        let current = CurrentDS(
            stepsRemoved: 1, offsetFromMaster: .scaledNanoseconds(-65536), meanPathDelay: .scaledNanoseconds(3))
        #expect(ManagementCurrentDS(current).currentDS == current)
        var zero = ManagementPortDS(port)
        zero.portState = 0
        #expect(zero.portDS == nil)
    }

    @Test func fixedSizeFieldsAreNormalised() {
        var description = ClockDescription(
            clockType: [.ordinaryClock], physicalLayerProtocol: "IEEE 802.3", physicalAddress: [1, 2, 3, 4, 5, 6],
            protocolAddress: PortAddress(networkProtocol: .ieee802_3, address: [1, 2, 3, 4, 5, 6]),
            manufacturerIdentity: [1], productDescription: ";;", revisionData: ";;", userDescription: "",
            profileIdentity: [0x00, 0x1B, 0x19, 0x00, 0x01, 0x00, 0xFF])
        #expect(description.manufacturerIdentity == [1, 0, 0])
        #expect(description.profileIdentity == [0x00, 0x1B, 0x19, 0x00, 0x01, 0x00])
        description.manufacturerIdentity = [9, 9, 9, 9]
        #expect(description.manufacturerIdentity == [9, 9, 9])
        var events = SubscribeEventsNP(duration: 60)
        #expect(events.bitmask.count == 64)
        events.set(1, subscribed: true)
        #expect(events.isSubscribed(1) && !events.isSubscribed(0))
        #expect(ManagementData.subscribeEventsNP(events).encode().prefix(3) == [0, 60, 0x02])
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

@testable import MeridianDaemon

/// The `slave_event_monitor` messages, byte for byte as linuxptp 3.1's monitor.c lays them out: a Signaling
/// message from the clock's port 0 to the wildcard, one TLV of one record.
@Suite struct SlaveEventReporterTests {
    static let clock = ClockIdentity(rawValue: 0x0011_22FF_FE33_4455)
    static let master = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xAABB_CCFF_FEDD_EEFF), portNumber: 1)

    @Test func aSyncRecordIsSlaveRxSyncTimingData() throws {
        let record = SlaveTimingRecord(
            kind: .sync, master: Self.master, sequenceId: 0x1234,
            origin: PTPInstant(seconds: 1_700_000_000, nanoseconds: 5), correction: .nanoseconds(Int64(3)),
            receipt: PTPInstant(seconds: 1_700_000_000, nanoseconds: 1_000))
        let message = try PTPMessage.decode(
            SlaveEventReporter.message(record, clock: Self.clock, domain: 24, sequenceId: 9).encoded())
        #expect(message.messageType == .signaling)
        #expect(message.header.sourcePortIdentity == PortIdentity(clockIdentity: Self.clock, portNumber: 0))
        #expect(message.header.sequenceId == 9)
        #expect(message.header.domainNumber == 24)
        guard case .signaling(let body) = message.body, case .unknown(let type, let value) = message.tlvs.first else {
            Issue.record("\(message)")
            return
        }
        #expect(body.targetPortIdentity == .all)
        #expect(type.rawValue == 0x8004)
        #expect(value.count == 10 + 34)
        // sourcePortIdentity, then sequenceId, syncOriginTimestamp, totalCorrectionField, scaledCumulativeRateOffset,
        // syncEventIngressTimestamp.
        #expect(Array(value[0..<10]) == [0xAA, 0xBB, 0xCC, 0xFF, 0xFE, 0xDD, 0xEE, 0xFF, 0x00, 0x01])
        #expect(Array(value[10..<12]) == [0x12, 0x34])
        #expect(Array(value[18..<22]) == [0, 0, 0, 5])
        #expect(Array(value[22..<30]) == [0, 0, 0, 0, 0, 3, 0, 0])  // 3 ns in 2^-16 ns
        #expect(Array(value[30..<34]) == [0, 0, 0, 0])
        #expect(Array(value[40..<44]) == [0, 0, 0x03, 0xE8])
    }

    @Test func aDelayRecordIsSlaveDelayTimingDataNP() throws {
        let record = SlaveTimingRecord(
            kind: .delay, master: Self.master, sequenceId: 7, origin: PTPInstant(seconds: 10), correction: .zero,
            receipt: PTPInstant(seconds: 11))
        let message = try PTPMessage.decode(
            SlaveEventReporter.message(record, clock: Self.clock, domain: 0, sequenceId: 0).encoded())
        guard case .unknown(let type, let value) = message.tlvs.first else {
            Issue.record("\(message)")
            return
        }
        #expect(type.rawValue == 0x7F00)
        #expect(value.count == 10 + 30)
        #expect(Array(value[12..<18]) == [0, 0, 0, 0, 0, 10])
        #expect(Array(value[30..<36]) == [0, 0, 0, 0, 0, 11])
    }
}

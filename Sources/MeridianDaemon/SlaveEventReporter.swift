import LinuxPlatform
import PTPCore
import PTPEngine
import PTPWire

/// `slave_event_monitor` (linuxptp 3.1 monitor.c): every Sync and Delay_Resp a slave port takes goes, as one
/// Signaling message with one record, to the Unix datagram socket at that path — SLAVE_RX_SYNC_TIMING_DATA
/// (IEEE 1588-2019 16.11.4.1, TLV 0x8004) for a Sync, SLAVE_DELAY_TIMING_DATA_NP (linuxptp's 0x7F00) for a
/// Delay_Resp. As from ptp4l's UDS port: sourcePortIdentity the clock's port 0, the wildcard target, each kind
/// of message numbered on its own. A receiver that is not there costs a counted send failure, nothing more.
struct SlaveEventReporter {
    static let delayTimingData = TLVType(rawValue: 0x7F00)

    let sender: UnixDatagramSender
    private var syncSequence: UInt16 = 0
    private var delaySequence: UInt16 = 0
    private(set) var sent = 0
    private(set) var failed = 0

    init(path: String) throws(UnixSocketError) {
        sender = try UnixDatagramSender(path: path)
    }

    mutating func report(_ record: SlaveTimingRecord, clock: ClockIdentity, domain: UInt8) {
        let sequence: UInt16
        switch record.kind {
        case .sync:
            sequence = syncSequence
            syncSequence &+= 1
        case .delay:
            sequence = delaySequence
            delaySequence &+= 1
        }
        do {
            try sender.send(Self.message(record, clock: clock, domain: domain, sequenceId: sequence).encoded())
            sent += 1
        } catch {
            failed += 1
        }
    }

    /// The Signaling message for one record (linuxptp `monitor_sync` / `monitor_delay`, one record a message).
    static func message(_ record: SlaveTimingRecord, clock: ClockIdentity, domain: UInt8, sequenceId: UInt16)
        -> PTPMessage
    {
        var value = WireWriter(capacity: 44)
        value.write(record.master)
        value.write(record.sequenceId)
        value.write(WireTimestamp(record.origin))
        value.write(ScaledNanoseconds(saturating: record.correction))
        let type: TLVType
        switch record.kind {
        case .sync:
            value.write(UInt32(0))  // scaledCumulativeRateOffset: 0, as ptp4l
            value.write(WireTimestamp(record.receipt))
            type = .slaveRxSyncTimingData
        case .delay:
            value.write(WireTimestamp(record.receipt))
            type = delayTimingData
        }
        let header = PTPHeader(
            messageType: .signaling, sourcePortIdentity: PortIdentity(clockIdentity: clock, portNumber: 0),
            sequenceId: sequenceId, domainNumber: domain)
        return PTPMessage(
            header: header, body: .signaling(SignalingBody(targetPortIdentity: .all)),
            tlvs: [.unknown(type: type, value: value.bytes)])
    }
}

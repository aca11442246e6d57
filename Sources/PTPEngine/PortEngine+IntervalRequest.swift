import PTPCore
import PTPWire

/// IEEE 802.1AS message interval requests (802.1AS-2011 10.5.4.3.x, the Signaling message's
/// organization extension 00-80-C2 subtype 2), as linuxptp 3.1's port_signaling.c: every port honours a
/// request addressed to it or to all ports, and a slave port with `msg_interval_request` asks its master
/// for `operLogSyncInterval` once its servo is stable (port.c `message_interval_request`).
extension PortEngine {
    /// linuxptp's `SIGNAL_NO_CHANGE` and `SIGNAL_SET_INITIAL`.
    static let intervalNoChange: Int8 = -128
    static let intervalSetInitial: Int8 = 126

    /// The interval a request asks for: unchanged, the configured one, or the value itself (kept within
    /// what a timer can run: ±30, as ``LogInterval/duration``).
    static func requested(_ value: Int8, current: LogInterval, initial: LogInterval) -> LogInterval {
        switch value {
        case intervalNoChange: current
        case intervalSetInitial: initial
        default: LogInterval(max(-30, min(30, value)))
        }
    }

    /// A Signaling message: the interval request TLVs it carries for this port change its message rates
    /// (linuxptp `process_interval_request`); anything else in it is not for the engine.
    mutating func receiveSignaling(_ message: PTPMessage, into actions: inout [PortAction]) {
        guard case .signaling(let body) = message.body else { return }
        let wildcard = PortIdentity(clockIdentity: ClockIdentity(rawValue: .max), portNumber: .max)
        guard body.targetPortIdentity == portIdentity || body.targetPortIdentity == wildcard else { return }
        for case .organizationExtension(let tlv) in message.tlvs
        where tlv.organizationId == Self.ieee8021OUI && tlv.organizationSubType == 2 && tlv.dataField.count >= 3 {
            let linkDelay = Int8(bitPattern: tlv.dataField[0])
            let timeSync = Int8(bitPattern: tlv.dataField[1])
            let announce = Int8(bitPattern: tlv.dataField[2])
            configuration.logAnnounceInterval = Self.requested(
                announce, current: configuration.logAnnounceInterval, initial: initialIntervals.announce)
            configuration.logSyncInterval = Self.requested(
                timeSync, current: configuration.logSyncInterval, initial: initialIntervals.sync)
            configuration.logMinPdelayReqInterval = Self.requested(
                linkDelay, current: configuration.logMinPdelayReqInterval, initial: initialIntervals.pdelay)
            portDS.logAnnounceInterval = configuration.logAnnounceInterval
            portDS.logSyncInterval = configuration.logSyncInterval
            portDS.logMinPdelayReqInterval = configuration.logMinPdelayReqInterval
        }
    }

    /// The Signaling message that asks the master for new intervals (linuxptp `port_tx_interval_request`),
    /// to all ports; nothing when an 802.1AS port is not asCapable.
    mutating func sendIntervalRequest(announce: Int8, timeSync: Int8, linkDelay: Int8, into actions: inout [PortAction]) {
        guard asCapable else { return }
        let wildcard = PortIdentity(clockIdentity: ClockIdentity(rawValue: .max), portNumber: .max)
        let h = header(.signaling, sequenceId: signalingSequence, logInterval: .unspecified)
        signalingSequence &+= 1
        let data: [UInt8] = [
            UInt8(bitPattern: linkDelay), UInt8(bitPattern: timeSync), UInt8(bitPattern: announce), 0, 0, 0,
        ]
        let tlv = TLV.organizationExtension(
            OrganizationExtensionTLV(organizationId: Self.ieee8021OUI, organizationSubType: 2, dataField: data))
        send(PTPMessage(header: h, body: .signaling(SignalingBody(targetPortIdentity: wildcard)), tlvs: [tlv]), into: &actions)
    }

    /// The clock's servo is stable on this port's measurements (linuxptp SERVO_LOCKED_STABLE): the first time
    /// after LOCKED, a port with `msg_interval_request` takes its operational intervals and asks the master
    /// for operLogSyncInterval; later, a master that sends Sync at another interval is a synchronization
    /// fault (linuxptp `message_interval_request`).
    mutating func servoStable(first: Bool, syncInterval: LogInterval, now: PTPInstant, into actions: inout [PortAction]) {
        guard configuration.messageIntervalRequest, isSlaveState else { return }
        if first {
            configuration.logMinPdelayReqInterval = configuration.operLogPdelayReqInterval
            configuration.logSyncInterval = configuration.operLogSyncInterval
            portDS.logMinPdelayReqInterval = configuration.logMinPdelayReqInterval
            portDS.logSyncInterval = configuration.logSyncInterval
            sendIntervalRequest(
                announce: Self.intervalNoChange, timeSync: configuration.operLogSyncInterval.rawValue,
                linkDelay: Self.intervalNoChange, into: &actions)
        } else if syncInterval != configuration.operLogSyncInterval {
            changeState(on: .synchronizationFault, now: now, into: &actions)
        }
    }

    /// The servo unlocked: with a stability threshold set, a port whose master runs at another Sync interval
    /// than the configured one takes its initial intervals back and asks the master for its initial Sync
    /// interval (linuxptp `port_synchronize`, SERVO_UNLOCKED).
    mutating func servoUnlocked(syncInterval: LogInterval, thresholdSet: Bool, into actions: inout [PortAction]) {
        guard thresholdSet, isSlaveState, syncInterval != initialIntervals.sync else { return }
        configuration.logMinPdelayReqInterval = initialIntervals.pdelay
        configuration.logSyncInterval = initialIntervals.sync
        portDS.logMinPdelayReqInterval = configuration.logMinPdelayReqInterval
        portDS.logSyncInterval = configuration.logSyncInterval
        sendIntervalRequest(
            announce: Self.intervalNoChange, timeSync: Self.intervalSetInitial, linkDelay: Self.intervalNoChange,
            into: &actions)
    }
}

/// When a locked servo counts as stable (linuxptp servo.c, SERVO_LOCKED_STABLE): after
/// `servo_num_offset_values` locked samples below `servo_offset_threshold`, not necessarily in a row; the
/// count starts again when the servo unlocks or steps. Off with a threshold of 0.
public struct ServoStability: Sendable, Hashable {
    /// ns; 0 = off.
    public var offsetThreshold: Int64
    public var offsetValues: Int

    public init(offsetThreshold: Int64 = 0, offsetValues: Int = 10) {
        self.offsetThreshold = offsetThreshold
        self.offsetValues = offsetValues
    }

    /// linuxptp `check_offset_threshold` for one locked sample.
    public func isStable(after offset: PTPDuration, countdown: inout Int) -> Bool {
        guard offsetThreshold > 0 else { return false }
        let magnitude = abs(offset.nanosecondsDouble)
        if magnitude < Double(offsetThreshold) && countdown > 0 { countdown -= 1 }
        return countdown == 0
    }
}

import PTPCore

/// TIME_STATUS_NP (linuxptp `tlv.h` `struct time_status_np`): how the clock follows its grandmaster.
/// 50 octets, all big-endian.
public struct TimeStatusNP: Sendable, Hashable {
    /// master_offset: offset from the master, nanoseconds.
    public var masterOffset: Int64
    /// ingress_time: when the last Sync arrived, nanoseconds.
    public var ingressTime: Int64
    /// cumulativeScaledRateOffset: (rateRatio − 1) × 2⁴¹, as in IEEE 802.1AS follow-up information.
    public var cumulativeScaledRateOffset: Int32
    public var scaledLastGmPhaseChange: Int32
    public var gmTimeBaseIndicator: UInt16
    /// lastGmPhaseChange: a 96-bit ScaledNs (msb 16 bits, lsb 64 bits, 16 fractional bits).
    ///
    /// Note: the linuxptp sources we read convert `nanoseconds_lsb` from `nanoseconds_msb` in
    /// `scaled_ns_h2n`/`scaled_ns_n2h`, so the lsb ptp4l sends is only meaningful when it is zero.
    /// We carry the three fields as they are on the wire.
    public var lastGmPhaseChange: ScaledNs96
    /// gmPresent: an Integer32 on the wire, pmc prints it as true/false.
    public var gmPresent: Bool
    public var gmIdentity: ClockIdentity

    public static let length = 50

    public init(
        masterOffset: Int64, ingressTime: Int64, cumulativeScaledRateOffset: Int32, scaledLastGmPhaseChange: Int32,
        gmTimeBaseIndicator: UInt16, lastGmPhaseChange: ScaledNs96, gmPresent: Bool, gmIdentity: ClockIdentity
    ) {
        self.masterOffset = masterOffset
        self.ingressTime = ingressTime
        self.cumulativeScaledRateOffset = cumulativeScaledRateOffset
        self.scaledLastGmPhaseChange = scaledLastGmPhaseChange
        self.gmTimeBaseIndicator = gmTimeBaseIndicator
        self.lastGmPhaseChange = lastGmPhaseChange
        self.gmPresent = gmPresent
        self.gmIdentity = gmIdentity
    }
}

/// The 96-bit ScaledNs of IEEE 802.1AS (linuxptp `tlv.h` `ScaledNs`): nanoseconds in 80 bits
/// (msb, lsb) and 16 bits of fraction.
public struct ScaledNs96: Sendable, Hashable {
    public var nanosecondsMSB: UInt16
    public var nanosecondsLSB: UInt64
    public var fractionalNanoseconds: UInt16

    public init(nanosecondsMSB: UInt16 = 0, nanosecondsLSB: UInt64 = 0, fractionalNanoseconds: UInt16 = 0) {
        self.nanosecondsMSB = nanosecondsMSB
        self.nanosecondsLSB = nanosecondsLSB
        self.fractionalNanoseconds = fractionalNanoseconds
    }

    public static let zero = ScaledNs96()
}

/// GRANDMASTER_SETTINGS_NP (linuxptp `struct grandmaster_settings_np`): the clock quality and time
/// properties ptp4l announces when it is grandmaster. 8 octets: clockQuality, then the same four
/// octets as TIME_PROPERTIES_DATA_SET (utc_offset, time_flags, time_source).
public struct GrandmasterSettingsNP: Sendable, Hashable {
    public var clockQuality: ClockQuality
    public var timeProperties: TimePropertiesDS

    public static let length = 8

    public init(clockQuality: ClockQuality, timeProperties: TimePropertiesDS) {
        self.clockQuality = clockQuality
        self.timeProperties = timeProperties
    }
}

/// PORT_DATA_SET_NP (linuxptp `struct port_ds_np`): 8 octets.
public struct PortDataSetNP: Sendable, Hashable {
    /// neighborPropDelayThresh, nanoseconds.
    public var neighborPropDelayThresh: UInt32
    /// asCapable: an Integer32 on the wire.
    public var asCapable: Bool

    public static let length = 8

    public init(neighborPropDelayThresh: UInt32, asCapable: Bool) {
        self.neighborPropDelayThresh = neighborPropDelayThresh
        self.asCapable = asCapable
    }
}

/// SUBSCRIBE_EVENTS_NP (linuxptp `struct subscribe_events_np`): how long the subscription lasts and a
/// 64-octet bitmask of events (bit n of octet n/8; linuxptp's NOTIFY_PORT_STATE is 0,
/// NOTIFY_TIME_SYNC 1). 66 octets.
public struct SubscribeEventsNP: Sendable, Hashable {
    public static let bitmaskLength = 64
    public static let length = 2 + bitmaskLength
    /// Event bits: linuxptp's (`notification.h`: port state and time sync in 3.1, parent data set in 4.x)
    /// and Meridian's own, far above them so linuxptp's future bits do not collide.
    public static let notifyPortState = 0
    public static let notifyTimeSync = 1
    public static let notifyParentDataSet = 2
    /// Meridian: the grandmaster's reference changed state (locked, holdover…); carries MERIDIAN_STATUS_NP.
    public static let notifyMeridianStatus = 32

    /// duration, seconds.
    public var duration: UInt16
    /// Always 64 octets (shorter is zero-padded, longer cut).
    public var bitmask: [UInt8] {
        didSet { bitmask = ClockDescription.fixed(bitmask, Self.bitmaskLength) }
    }

    public init(duration: UInt16, bitmask: [UInt8] = []) {
        self.duration = duration
        self.bitmask = ClockDescription.fixed(bitmask, Self.bitmaskLength)
    }

    /// Whether event `bit` (0…511) is subscribed.
    public func isSubscribed(_ bit: Int) -> Bool {
        guard (0..<(Self.bitmaskLength * 8)).contains(bit) else { return false }
        return bitmask[bit / 8] & (1 << UInt8(bit % 8)) != 0
    }

    /// Subscribes to or unsubscribes from event `bit` (0…511); others are ignored.
    public mutating func set(_ bit: Int, subscribed: Bool) {
        guard (0..<(Self.bitmaskLength * 8)).contains(bit) else { return }
        let mask: UInt8 = 1 << UInt8(bit % 8)
        if subscribed { bitmask[bit / 8] |= mask } else { bitmask[bit / 8] &= ~mask }
    }
}

/// The time stamping mode of PORT_PROPERTIES_NP (linuxptp `enum timestamp_type`): an open registry.
public struct TimestampingNP: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let software = TimestampingNP(rawValue: 0)
    public static let hardware = TimestampingNP(rawValue: 1)
    public static let legacyHardware = TimestampingNP(rawValue: 2)
    public static let oneStep = TimestampingNP(rawValue: 3)
    public static let p2pOneStep = TimestampingNP(rawValue: 4)
}

/// PORT_PROPERTIES_NP (linuxptp `struct port_properties_np`): portIdentity, port_state, timestamping,
/// then the interface name as a PTPText; padded to even.
public struct PortPropertiesNP: Sendable, Hashable {
    public var portIdentity: PortIdentity
    /// port_state, the raw octet (8.2.15.3.1); see ``state``.
    public var portState: UInt8
    public var timestamping: TimestampingNP
    /// interface: the network interface name (`eth0`).
    public var interface: PTPText

    public init(portIdentity: PortIdentity, portState: UInt8, timestamping: TimestampingNP, interface: PTPText) {
        self.portIdentity = portIdentity
        self.portState = portState
        self.timestamping = timestamping
        self.interface = interface
    }

    public var state: PortState? { PortState(rawValue: portState) }
}

/// PORT_STATS_NP (linuxptp `struct port_stats_np`): portIdentity, then 16 received and 16 sent
/// message counters indexed by messageType. 266 octets.
///
/// Byte order: linuxptp 3.1 converts only the port number; the counters are `uint64_t` copied in
/// the sender's host order, little-endian on every platform ptp4l runs on in practice. The 3.1.1
/// captures show it (rx_Delay_Req = 5 is `05 00 00 00 00 00 00 00`), so we read and write them
/// little-endian to be byte-compatible with pmc and ptp4l.
public struct PortStatsNP: Sendable, Hashable {
    public static let counterCount = 16
    public static let length = 10 + 2 * counterCount * 8

    public var portIdentity: PortIdentity
    /// rxMsgType[16]: messages received, by messageType (always 16 entries).
    public var rxMsgType: [UInt64] {
        didSet { rxMsgType = Self.fixed(rxMsgType) }
    }
    /// txMsgType[16]: messages sent, by messageType (always 16 entries).
    public var txMsgType: [UInt64] {
        didSet { txMsgType = Self.fixed(txMsgType) }
    }

    public init(portIdentity: PortIdentity, rxMsgType: [UInt64] = [], txMsgType: [UInt64] = []) {
        self.portIdentity = portIdentity
        self.rxMsgType = Self.fixed(rxMsgType)
        self.txMsgType = Self.fixed(txMsgType)
    }

    /// Messages of `type` received.
    public func received(_ type: MessageType) -> UInt64 {
        rxMsgType[Int(type.rawValue & 0x0F)]
    }

    /// Messages of `type` sent.
    public func sent(_ type: MessageType) -> UInt64 {
        txMsgType[Int(type.rawValue & 0x0F)]
    }

    static func fixed(_ counters: [UInt64]) -> [UInt64] {
        counters.count == counterCount
            ? counters : Array((counters + [UInt64](repeating: 0, count: counterCount)).prefix(counterCount))
    }
}

/// SYNCHRONIZATION_UNCERTAIN_NP's value (linuxptp `SYNC_UNCERTAIN_*`): an open registry.
public struct SynchronizationUncertainNP: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let `false` = SynchronizationUncertainNP(rawValue: 0)
    public static let `true` = SynchronizationUncertainNP(rawValue: 1)
    public static let dontCare = SynchronizationUncertainNP(rawValue: 0xFF)
}

/// PORT_SERVICE_STATS_NP (linuxptp `struct port_service_stats_np`, `ddt.h` `struct PortServiceStats`):
/// portIdentity and ten counters, in host (little-endian) order like ``PortStatsNP``. 90 octets.
///
/// This ID is newer than linuxptp 3.1 (pmc 3.1 cannot GET it) and is in none of our captures: the
/// layout is from linuxptp's later `ddt.h`/`tlv.h`, and the byte order (port number big-endian,
/// counters little-endian) follows PORT_STATS_NP; confirm it against a capture of a newer ptp4l.
public struct PortServiceStatsNP: Sendable, Hashable {
    public static let length = 10 + 10 * 8

    public var portIdentity: PortIdentity
    public var announceTimeout: UInt64
    public var syncTimeout: UInt64
    public var delayTimeout: UInt64
    public var unicastServiceTimeout: UInt64
    public var unicastRequestTimeout: UInt64
    public var masterAnnounceTimeout: UInt64
    public var masterSyncTimeout: UInt64
    public var qualificationTimeout: UInt64
    public var syncMismatch: UInt64
    public var followUpMismatch: UInt64

    public init(
        portIdentity: PortIdentity, announceTimeout: UInt64 = 0, syncTimeout: UInt64 = 0, delayTimeout: UInt64 = 0,
        unicastServiceTimeout: UInt64 = 0, unicastRequestTimeout: UInt64 = 0, masterAnnounceTimeout: UInt64 = 0,
        masterSyncTimeout: UInt64 = 0, qualificationTimeout: UInt64 = 0, syncMismatch: UInt64 = 0,
        followUpMismatch: UInt64 = 0
    ) {
        self.portIdentity = portIdentity
        self.announceTimeout = announceTimeout
        self.syncTimeout = syncTimeout
        self.delayTimeout = delayTimeout
        self.unicastServiceTimeout = unicastServiceTimeout
        self.unicastRequestTimeout = unicastRequestTimeout
        self.masterAnnounceTimeout = masterAnnounceTimeout
        self.masterSyncTimeout = masterSyncTimeout
        self.qualificationTimeout = qualificationTimeout
        self.syncMismatch = syncMismatch
        self.followUpMismatch = followUpMismatch
    }

    /// The counters in wire order.
    var counters: [UInt64] {
        [
            announceTimeout, syncTimeout, delayTimeout, unicastServiceTimeout, unicastRequestTimeout,
            masterAnnounceTimeout, masterSyncTimeout, qualificationTimeout, syncMismatch, followUpMismatch,
        ]
    }
}

/// One entry of UNICAST_MASTER_TABLE_NP (linuxptp `ddt.h` `struct unicast_master_entry`):
/// portIdentity, clockQuality, selected, port_state, priority1, priority2, then a PortAddress.
/// Entries follow each other with no padding.
public struct UnicastMasterEntryNP: Sendable, Hashable {
    public var portIdentity: PortIdentity
    public var clockQuality: ClockQuality
    /// selected: whether BMCA chose this master (an octet on the wire).
    public var selected: Bool
    /// port_state: the raw octet; linuxptp keeps its own unicast state machine's value here.
    public var portState: UInt8
    public var priority1: UInt8
    public var priority2: UInt8
    public var address: PortAddress

    public init(
        portIdentity: PortIdentity, clockQuality: ClockQuality, selected: Bool, portState: UInt8, priority1: UInt8,
        priority2: UInt8, address: PortAddress
    ) {
        self.portIdentity = portIdentity
        self.clockQuality = clockQuality
        self.selected = selected
        self.portState = portState
        self.priority1 = priority1
        self.priority2 = priority2
        self.address = address
    }
}

/// UNICAST_MASTER_TABLE_NP (linuxptp `struct unicast_master_table_np`): actual_table_size, then that
/// many entries; padded to even. Newer than linuxptp 3.1 and in none of our captures: the layout is
/// from linuxptp's later `ddt.h`/`tlv.h` and pmc's printer, all fields big-endian.
public struct UnicastMasterTableNP: Sendable, Hashable {
    public var entries: [UnicastMasterEntryNP]

    public init(entries: [UnicastMasterEntryNP]) {
        self.entries = entries
    }
}

import PTPCore

/// How to open a transport on one interface (ptp4l's per-port keys).
public struct TransportConfiguration: Sendable, Hashable {
    /// The interface the sockets are bound to (`SO_BINDTODEVICE`).
    public var interfaceName: String
    /// `time_stamping`: software or hardware.
    public var timestamping: TimestampingMode
    /// `tx_timestamp_timeout`: how long to wait for a transmit stamp (default 10 ms, as ptp4l).
    public var transmitTimestampTimeout: PTPDuration
    /// How many transmit stamps in a row may be missed before the port faults. One miss never faults.
    public var maxConsecutiveMissedTimestamps: Int
    /// `udp_ttl`: the multicast TTL / hop limit.
    public var multicastTTL: Int
    /// `dscp_event` and `dscp_general`: the DSCP of event and general messages (0...63).
    public var dscpEvent: UInt8
    public var dscpGeneral: UInt8
    /// `udp6_scope`: the scope nibble of the IPv6 primary group ff0X::181 (default 0xE, global).
    public var ipv6Scope: UInt8
    /// The UDP ports (319 and 320 in a real network; tests may use others).
    public var eventPort: UInt16
    public var generalPort: UInt16
    /// The receive buffer asked of the kernel, in bytes (`SO_RCVBUFFORCE` when permitted).
    public var receiveBufferSize: Int
    /// IEEE 802.3 only: `ptp_dst_mac`, the destination of every message but the peer delay ones
    /// (01-1B-19-00-00-00 by default; G.8275.1 uses the non-forwardable 01-80-C2-00-00-0E), and
    /// `p2p_dst_mac`, that of Pdelay_Req/Resp/Resp_Follow_Up. Both groups are joined (linuxptp raw.c).
    public var primaryMAC: [UInt8]
    public var peerDelayMAC: [UInt8]
    /// `socket_priority`: SO_PRIORITY of every socket (0…15; 0 leaves the kernel's default, as linuxptp).
    public var socketPriority: Int = 0
    /// `check_fup_sync` with software stamps: general messages carry their kernel receive stamp too (ptp4l 3.1's
    /// SO_TIMESTAMPNS on the general socket), so a Follow_Up can be checked against its Sync's stamp. With
    /// hardware stamps nothing changes (ptp4l's Sync then has no software stamp and its check always passes).
    public var stampGeneralMessages = false
    /// `time_stamping onestep`/`p2p1step` (or `hardware` with `twoStepFlag 0`): the `tx_type` asked of the NIC.
    /// Hardware stamping only; software stamps cannot be one-step (the configuration refuses it).
    public var transmitStamps: TransmitStampMode = .twoStep

    /// A one-step Sync over UDP leaves two bytes longer than its messageLength, as linuxptp's udp.c and udp6.c
    /// send it: room for the NIC to keep the UDP checksum right after writing the originTimestamp ("the way
    /// that the phyter works"). Receivers ignore bytes past messageLength (IEEE 1588-2019 13.1).
    public static func paddedForOneStep(_ bytes: [UInt8], channel: TransportChannel, mode: TransmitStampMode) -> [UInt8] {
        guard mode.oneStepSync, channel == .event, isOneStepSync(bytes) else { return bytes }
        return bytes + [0, 0]
    }

    /// Whether `bytes` is a Sync (messageType 0) with its twoStepFlag clear (flagField[0] bit 1).
    public static func isOneStepSync(_ bytes: [UInt8]) -> Bool {
        bytes.count > 6 && bytes[0] & 0x0F == 0 && bytes[6] & 0x02 == 0
    }

    public init(
        interfaceName: String,
        timestamping: TimestampingMode = .software,
        transmitTimestampTimeout: PTPDuration = .milliseconds(10),
        maxConsecutiveMissedTimestamps: Int = 3,
        multicastTTL: Int = 1,
        dscpEvent: UInt8 = 0,
        dscpGeneral: UInt8 = 0,
        ipv6Scope: UInt8 = 0xE,
        eventPort: UInt16 = 319,
        generalPort: UInt16 = 320,
        receiveBufferSize: Int = 1 << 20,
        primaryMAC: [UInt8] = [0x01, 0x1B, 0x19, 0x00, 0x00, 0x00],
        peerDelayMAC: [UInt8] = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E]
    ) {
        self.interfaceName = interfaceName
        self.timestamping = timestamping
        self.transmitTimestampTimeout = transmitTimestampTimeout
        self.maxConsecutiveMissedTimestamps = maxConsecutiveMissedTimestamps
        self.multicastTTL = multicastTTL
        self.dscpEvent = dscpEvent
        self.dscpGeneral = dscpGeneral
        self.ipv6Scope = ipv6Scope
        self.eventPort = eventPort
        self.generalPort = generalPort
        self.receiveBufferSize = receiveBufferSize
        self.primaryMAC = primaryMAC
        self.peerDelayMAC = peerDelayMAC
    }
}

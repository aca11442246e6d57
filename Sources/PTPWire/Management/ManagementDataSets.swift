import PTPCore

/// clockType (IEEE 1588-2019 15.5.3.1.2.1, table 83 of the 2008 edition): which kinds of PTP instance
/// this is, as bits of a 16-bit mask. Undefined bits are kept.
public struct ClockType: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ordinaryClock = ClockType(rawValue: 0x8000)
    public static let boundaryClock = ClockType(rawValue: 0x4000)
    public static let p2pTransparentClock = ClockType(rawValue: 0x2000)
    public static let e2eTransparentClock = ClockType(rawValue: 0x1000)
    public static let managementNode = ClockType(rawValue: 0x0800)
}

/// What management's CLOCK_DESCRIPTION and USER_DESCRIPTION report about the instance
/// (IEEE 1588-2019 15.5.3.1.2, 15.5.3.1.3): the CLOCK_DESCRIPTION dataField, in wire order. The engine
/// owns one next to the data sets; the daemon fills the hardware fields from the interface it runs on.
///
/// linuxptp 3.1 (`tlv.c`) refuses a physicalAddress or protocolAddress longer than 16 octets
/// (`TRANSPORT_ADDR_LEN`); so does ``ManagementData/decode(id:action:data:)``.
public struct ClockDescription: Sendable, Hashable {
    /// The longest physicalAddress and protocolAddress address linuxptp accepts.
    public static let maxAddressLength = 16
    /// The default delay request-response profile (IEEE 1588-2019 I.3): 00-1B-19-00-01-00.
    public static let defaultE2EProfile: [UInt8] = [0x00, 0x1B, 0x19, 0x00, 0x01, 0x00]
    /// The default peer-to-peer profile (I.4): 00-1B-19-00-02-00.
    public static let defaultP2PProfile: [UInt8] = [0x00, 0x1B, 0x19, 0x00, 0x02, 0x00]

    public var clockType: ClockType
    /// physicalLayerProtocol, e.g. "IEEE 802.3".
    public var physicalLayerProtocol: PTPText
    /// physicalAddress: a UInt16 length, then the octets (a MAC address for linuxptp).
    public var physicalAddress: [UInt8]
    public var protocolAddress: PortAddress
    /// manufacturerIdentity: an OUI, always 3 octets (shorter is zero-padded, longer cut), then a
    /// reserved octet on the wire.
    public var manufacturerIdentity: [UInt8] {
        didSet { manufacturerIdentity = Self.fixed(manufacturerIdentity, 3) }
    }
    /// productDescription: "manufacturer;model;serial number".
    public var productDescription: PTPText
    /// revisionData: "hardware;firmware;software".
    public var revisionData: PTPText
    /// userDescription (USER_DESCRIPTION, settable): "name;location".
    public var userDescription: PTPText
    /// profileIdentity: always 6 octets (zero-padded or cut), naming the PTP profile, e.g.
    /// ``defaultE2EProfile``.
    public var profileIdentity: [UInt8] {
        didSet { profileIdentity = Self.fixed(profileIdentity, 6) }
    }

    public init(
        clockType: ClockType = .ordinaryClock, physicalLayerProtocol: PTPText = "IEEE 802.3",
        physicalAddress: [UInt8] = [], protocolAddress: PortAddress = PortAddress(networkProtocol: .unknown, address: []),
        manufacturerIdentity: [UInt8] = [0, 0, 0], productDescription: PTPText = ";;",
        revisionData: PTPText = ";;", userDescription: PTPText = "", profileIdentity: [UInt8] = defaultE2EProfile
    ) {
        self.clockType = clockType
        self.physicalLayerProtocol = physicalLayerProtocol
        self.physicalAddress = physicalAddress
        self.protocolAddress = protocolAddress
        self.manufacturerIdentity = Self.fixed(manufacturerIdentity, 3)
        self.productDescription = productDescription
        self.revisionData = revisionData
        self.userDescription = userDescription
        self.profileIdentity = Self.fixed(profileIdentity, 6)
    }

    static func fixed(_ bytes: [UInt8], _ count: Int) -> [UInt8] {
        bytes.count == count ? bytes : Array((bytes + [UInt8](repeating: 0, count: count)).prefix(count))
    }
}

/// The CURRENT_DATA_SET dataField (IEEE 1588-2019 15.5.3): stepsRemoved, then
/// offsetFromMaster and meanPathDelay as TimeInterval (2⁻¹⁶ ns). 18 octets.
public struct ManagementCurrentDS: Sendable, Hashable {
    public var stepsRemoved: UInt16
    public var offsetFromMaster: ScaledNanoseconds
    public var meanPathDelay: ScaledNanoseconds

    public static let length = 18

    public init(stepsRemoved: UInt16, offsetFromMaster: ScaledNanoseconds, meanPathDelay: ScaledNanoseconds) {
        self.stepsRemoved = stepsRemoved
        self.offsetFromMaster = offsetFromMaster
        self.meanPathDelay = meanPathDelay
    }

    /// The wire form of `ds`, saturating durations that do not fit a TimeInterval.
    public init(_ ds: CurrentDS) {
        self.init(
            stepsRemoved: ds.stepsRemoved, offsetFromMaster: ScaledNanoseconds(saturating: ds.offsetFromMaster),
            meanPathDelay: ScaledNanoseconds(saturating: ds.meanPathDelay))
    }

    public var currentDS: CurrentDS {
        CurrentDS(
            stepsRemoved: stepsRemoved, offsetFromMaster: offsetFromMaster.duration,
            meanPathDelay: meanPathDelay.duration)
    }
}

/// The PORT_DATA_SET dataField (IEEE 1588-2019 15.5.3; linuxptp `struct portDS`). 26 octets.
///
/// `portState` is the raw octet: linuxptp does not check it, and pmc's GET carries zeros (state 0),
/// so a closed enum could not hold every value that arrives. ``state`` gives the enum.
public struct ManagementPortDS: Sendable, Hashable {
    public var portIdentity: PortIdentity
    /// portState (8.2.15.3.1), as on the wire.
    public var portState: UInt8
    public var logMinDelayReqInterval: LogInterval
    public var peerMeanPathDelay: ScaledNanoseconds
    public var logAnnounceInterval: LogInterval
    public var announceReceiptTimeout: UInt8
    public var logSyncInterval: LogInterval
    public var delayMechanism: DelayMechanism
    public var logMinPdelayReqInterval: LogInterval
    /// The versionNumber octet as on the wire. linuxptp 3.1 sends 2 (the major version, low nibble);
    /// later linuxptp also puts minorVersionNumber in the high nibble and pmc masks it off.
    public var versionNumber: UInt8

    public static let length = 26

    public init(
        portIdentity: PortIdentity, portState: UInt8, logMinDelayReqInterval: LogInterval,
        peerMeanPathDelay: ScaledNanoseconds, logAnnounceInterval: LogInterval, announceReceiptTimeout: UInt8,
        logSyncInterval: LogInterval, delayMechanism: DelayMechanism, logMinPdelayReqInterval: LogInterval,
        versionNumber: UInt8
    ) {
        self.portIdentity = portIdentity
        self.portState = portState
        self.logMinDelayReqInterval = logMinDelayReqInterval
        self.peerMeanPathDelay = peerMeanPathDelay
        self.logAnnounceInterval = logAnnounceInterval
        self.announceReceiptTimeout = announceReceiptTimeout
        self.logSyncInterval = logSyncInterval
        self.delayMechanism = delayMechanism
        self.logMinPdelayReqInterval = logMinPdelayReqInterval
        self.versionNumber = versionNumber
    }

    /// The wire form of `ds`, as ptp4l fills it (the major version only).
    public init(_ ds: PortDS) {
        self.init(
            portIdentity: ds.portIdentity, portState: ds.portState.rawValue,
            logMinDelayReqInterval: ds.logMinDelayReqInterval,
            peerMeanPathDelay: ScaledNanoseconds(saturating: ds.peerMeanPathDelay),
            logAnnounceInterval: ds.logAnnounceInterval, announceReceiptTimeout: ds.announceReceiptTimeout,
            logSyncInterval: ds.logSyncInterval, delayMechanism: ds.delayMechanism,
            logMinPdelayReqInterval: ds.logMinPdelayReqInterval, versionNumber: ds.versionNumber & 0x0F)
    }

    /// The port state, or nil when the octet is not a ``PortState``.
    public var state: PortState? {
        PortState(rawValue: portState)
    }

    /// The data set, or nil when the port state is not valid. Fields the wire does not carry
    /// (delayAsymmetry, portEnable, masterOnly, minorVersionNumber) take PortDS's defaults.
    public var portDS: PortDS? {
        guard let state else { return nil }
        return PortDS(
            portIdentity: portIdentity, portState: state, logMinDelayReqInterval: logMinDelayReqInterval,
            peerMeanPathDelay: peerMeanPathDelay.duration, logAnnounceInterval: logAnnounceInterval,
            announceReceiptTimeout: announceReceiptTimeout, logSyncInterval: logSyncInterval,
            delayMechanism: delayMechanism, logMinPdelayReqInterval: logMinPdelayReqInterval,
            versionNumber: versionNumber & 0x0F)
    }
}

extension TimePropertiesDS {
    /// The flags octet of TIME_PROPERTIES_DATA_SET and GRANDMASTER_SETTINGS_NP (15.5.3; linuxptp
    /// `LEAP_61` bit 0, `LEAP_59` 1, `UTC_OFF_VALID` 2, `PTP_TIMESCALE` 3, `TIME_TRACEABLE` 4,
    /// `FREQ_TRACEABLE` 5).
    var managementFlags: UInt8 {
        (leap61 ? 0x01 : 0) | (leap59 ? 0x02 : 0) | (currentUtcOffsetValid ? 0x04 : 0) | (ptpTimescale ? 0x08 : 0)
            | (timeTraceable ? 0x10 : 0) | (frequencyTraceable ? 0x20 : 0)
    }

    init(currentUtcOffset: Int16, managementFlags flags: UInt8, timeSource: TimeSource) {
        self.init(
            currentUtcOffset: currentUtcOffset, currentUtcOffsetValid: flags & 0x04 != 0, leap59: flags & 0x02 != 0,
            leap61: flags & 0x01 != 0, timeTraceable: flags & 0x10 != 0, frequencyTraceable: flags & 0x20 != 0,
            ptpTimescale: flags & 0x08 != 0, timeSource: timeSource)
    }
}

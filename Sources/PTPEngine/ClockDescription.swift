import PTPCore

/// clockType (IEEE 1588-2019 15.5.3.1.2.1, table 83 of the 2008 edition): which kinds of PTP instance
/// this is, as bits of a 16-bit field.
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
/// (IEEE 1588-2019 15.5.3.1.2, 15.5.3.1.3). The engine owns it next to the data sets; the daemon fills
/// the hardware fields from the interface it runs on.
public struct ClockDescription: Sendable, Hashable {
    public var clockType: ClockType
    /// physicalLayerProtocol, e.g. "IEEE 802.3".
    public var physicalLayerProtocol: PTPText
    public var physicalAddress: [UInt8]
    public var protocolAddress: PortAddress
    /// manufacturerIdentity: an OUI (three bytes).
    public var manufacturerIdentity: [UInt8]
    /// productDescription: "manufacturer;model;serial number".
    public var productDescription: PTPText
    /// revisionData: "hardware;firmware;software".
    public var revisionData: PTPText
    /// userDescription (USER_DESCRIPTION, settable): "name;location".
    public var userDescription: PTPText
    /// profileIdentity: six bytes naming the PTP profile.
    public var profileIdentity: [UInt8]

    /// The default delay request-response profile (IEEE 1588-2019 I.3): 00-1B-19-00-01-00.
    public static let defaultE2EProfile: [UInt8] = [0x00, 0x1B, 0x19, 0x00, 0x01, 0x00]
    /// The default peer-to-peer profile (I.4): 00-1B-19-00-02-00.
    public static let defaultP2PProfile: [UInt8] = [0x00, 0x1B, 0x19, 0x00, 0x02, 0x00]

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
        self.manufacturerIdentity = manufacturerIdentity
        self.productDescription = productDescription
        self.revisionData = revisionData
        self.userDescription = userDescription
        self.profileIdentity = profileIdentity
    }
}

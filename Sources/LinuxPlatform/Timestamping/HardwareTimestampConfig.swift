import CLinuxShims

/// The kernel's `hwtstamp_config`: transmit type and receive filter of an interface's hardware stamping.
public struct HardwareTimestampConfig: Sendable, Hashable {
    /// `HWTSTAMP_TX_*`.
    public var transmitType: Int32
    /// `HWTSTAMP_FILTER_*`.
    public var receiveFilter: Int32
    public var flags: Int32

    public init(transmitType: Int32, receiveFilter: Int32, flags: Int32 = 0) {
        self.transmitType = transmitType
        self.receiveFilter = receiveFilter
        self.flags = flags
    }

    public init(_ config: hwtstamp_config) {
        self.init(transmitType: config.tx_type, receiveFilter: config.rx_filter, flags: config.flags)
    }

    /// The C structure, for the ioctl.
    public var cValue: hwtstamp_config {
        hwtstamp_config(flags: flags, tx_type: transmitType, rx_filter: receiveFilter)
    }

    /// The corresponding C constant is `HWTSTAMP_TX_ON`.
    public static let transmitOn = Int32(HWTSTAMP_TX_ON.rawValue)
    /// The corresponding C constant is `HWTSTAMP_FILTER_ALL`.
    public static let filterAll = Int32(HWTSTAMP_FILTER_ALL.rawValue)
    /// The corresponding C constant is `HWTSTAMP_FILTER_PTP_V2_EVENT`.
    public static let filterPTPv2Event = Int32(HWTSTAMP_FILTER_PTP_V2_EVENT.rawValue)
    /// The corresponding C constant is `HWTSTAMP_FILTER_PTP_V2_L4_EVENT`.
    public static let filterPTPv2L4Event = Int32(HWTSTAMP_FILTER_PTP_V2_L4_EVENT.rawValue)
    /// The corresponding C constant is `HWTSTAMP_FILTER_PTP_V2_L2_EVENT`.
    public static let filterPTPv2L2Event = Int32(HWTSTAMP_FILTER_PTP_V2_L2_EVENT.rawValue)
}

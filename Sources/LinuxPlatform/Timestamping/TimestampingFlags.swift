import CLinuxShims

/// Flags of the `SO_TIMESTAMPING` socket option and of `ethtool_ts_info.so_timestamping`.
public struct TimestampingFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The corresponding C constant is `SOF_TIMESTAMPING_TX_HARDWARE`.
    public static let transmitHardware = Self(rawValue: UInt32(SOF_TIMESTAMPING_TX_HARDWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_TX_SOFTWARE`.
    public static let transmitSoftware = Self(rawValue: UInt32(SOF_TIMESTAMPING_TX_SOFTWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_RX_HARDWARE`.
    public static let receiveHardware = Self(rawValue: UInt32(SOF_TIMESTAMPING_RX_HARDWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_RX_SOFTWARE`.
    public static let receiveSoftware = Self(rawValue: UInt32(SOF_TIMESTAMPING_RX_SOFTWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_SOFTWARE`.
    public static let software = Self(rawValue: UInt32(SOF_TIMESTAMPING_SOFTWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_SYS_HARDWARE`.
    public static let systemHardware = Self(rawValue: UInt32(SOF_TIMESTAMPING_SYS_HARDWARE))
    /// The corresponding C constant is `SOF_TIMESTAMPING_RAW_HARDWARE`.
    public static let rawHardware = Self(rawValue: UInt32(SOF_TIMESTAMPING_RAW_HARDWARE))
    /// Each stamped send gets a counter in `ee_data`. The corresponding C constant is `SOF_TIMESTAMPING_OPT_ID`.
    public static let optionID = Self(rawValue: UInt32(SOF_TIMESTAMPING_OPT_ID))
    /// The corresponding C constant is `SOF_TIMESTAMPING_OPT_TSONLY`.
    public static let optionTimestampOnly = Self(rawValue: UInt32(SOF_TIMESTAMPING_OPT_TSONLY))
    /// The corresponding C constant is `SOF_TIMESTAMPING_OPT_CMSG`.
    public static let optionControlMessage = Self(rawValue: UInt32(SOF_TIMESTAMPING_OPT_CMSG))

    /// What software timestamping needs (ptp4l's `time_stamping software`).
    public static let softwareMode: Self = [.transmitSoftware, .receiveSoftware, .software]
    /// What hardware timestamping needs (ptp4l's `time_stamping hardware`).
    public static let hardwareMode: Self = [.transmitHardware, .receiveHardware, .rawHardware]

    /// The names `ethtool -T` prints, in bit order.
    public var names: [String] {
        let table: [(Self, String)] = [
            (.transmitHardware, "hardware-transmit"), (.transmitSoftware, "software-transmit"),
            (.receiveHardware, "hardware-receive"), (.receiveSoftware, "software-receive"),
            (.software, "software-system-clock"), (.systemHardware, "hardware-legacy-clock"),
            (.rawHardware, "hardware-raw-clock"),
        ]
        return table.filter { contains($0.0) }.map(\.1)
    }
}

/// Where a port's timestamps come from (ptp4l's `time_stamping`).
public enum TimestampingMode: Sendable, Hashable, CustomStringConvertible {
    /// Kernel software stamps on `CLOCK_REALTIME` (`SOF_TIMESTAMPING_SOFTWARE`).
    case software
    /// Raw hardware stamps from the NIC's PHC (`SOF_TIMESTAMPING_RAW_HARDWARE`).
    case hardware

    /// The flags given to `SO_TIMESTAMPING` on event sockets; OPT_ID pairs transmit stamps with sends.
    public var socketFlags: TimestampingFlags {
        switch self {
        case .software: TimestampingFlags.softwareMode.union(.optionID)
        case .hardware: TimestampingFlags.hardwareMode.union(.optionID)
        }
    }

    /// What the interface must report in `ethtool_ts_info.so_timestamping` for this mode.
    public var requiredCapabilities: TimestampingFlags {
        switch self {
        case .software: .softwareMode
        case .hardware: .hardwareMode
        }
    }

    public var description: String {
        switch self {
        case .software: "software"
        case .hardware: "hardware"
        }
    }
}

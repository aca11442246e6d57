import LinuxPlatform

/// Which PTP hardware clock each port stamps with, and whether one disciplined clock can serve them all.
///
/// With hardware stamps a port's timestamps are readings of its NIC's PHC (`ETHTOOL_GET_TS_INFO`'s
/// `phc_index`). Meridian disciplines one clock; ports on another PHC would feed the servo and the Sync
/// messages times of a clock nobody steers, so such a configuration stops start-up (exit 2), as ptp4l does
/// without `boundary_clock_jbod` ("port N: PHC device mismatch"). Meridian does not keep several PHCs aligned to
/// the disciplined one yet (issue 13), so the option table refuses `boundary_clock_jbod 1` at its line (exit 2).
enum PHCAssignment {
    struct Port: Sendable, Hashable {
        var interface: String
        /// `/dev/ptp<phcIndex>`; nil when the interface has none or could not be asked.
        var phcIndex: Int32?
    }

    /// The start-up error for `ports` disciplined through `clockDevice` (`auto` or `/dev/ptpN`), or nil when
    /// every port with a PHC is on the same one (and it is the configured device, when one is named).
    static func conflict(_ ports: [Port], clockDevice: String) -> String? {
        let known = ports.filter { $0.phcIndex != nil }
        let indexes = Set(known.compactMap(\.phcIndex))
        let named: Int32? = clockDevice.hasPrefix("/dev/ptp") ? Int32(clockDevice.dropFirst("/dev/ptp".count)) : nil
        let mismatched = named.map { index in indexes.contains { $0 != index } } ?? false
        guard indexes.count > 1 || mismatched else { return nil }
        let list = known.map { "\($0.interface) on /dev/ptp\($0.phcIndex ?? -1)" }.joined(separator: ", ")
        let clock = named.map { "clock_device /dev/ptp\($0)" } ?? "the first port's PHC (clock_device auto)"
        return "ports on different PTP hardware clocks (\(list)) while Meridian disciplines \(clock): their "
            + "timestamps would be readings of clocks nobody steers. Put every port on one PHC (ports of one NIC), "
            + "or run one meridiand per PHC: Meridian does not keep several PHCs aligned (boundary_clock_jbod)"
    }

    /// Asks each port's interface for its PHC (hardware stamps only).
    static func query(_ interfaces: [String]) -> [Port] {
        interfaces.map { interface in
            Port(interface: interface, phcIndex: (try? TimestampingCapabilities.query(interface))?.phcIndex)
        }
    }
}

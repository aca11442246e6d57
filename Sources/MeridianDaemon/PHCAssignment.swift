import LinuxPlatform

/// Which PTP hardware clock each port stamps with, and whether the disciplined clock can serve them all.
///
/// With hardware stamps a port's timestamps are readings of its NIC's PHC (`ETHTOOL_GET_TS_INFO`'s
/// `phc_index`, or the port's `phc_index` option, linuxptp 4's name). Meridian disciplines one clock
/// (`clock_device`, or the first port's PHC with `auto`). A port on another PHC is served through
/// ``PHCAlignment`` when its `boundary_clock_jbod` is 1; without it the port would feed the servo and its Sync
/// messages the times of a clock nobody steers, so start-up stops (exit 2) naming the ports and their PHCs,
/// as ptp4l does ("port N: PHC device mismatch"). With `virtual_clock_mode phc` the same rule holds for the
/// emulated PHCs (`phc_index` 0 or -1: the disciplined one).
enum PHCAssignment {
    struct Port: Sendable, Hashable {
        var interface: String
        /// `/dev/ptp<phcIndex>`; nil when the interface has none or could not be asked.
        var phcIndex: Int32?
        /// `boundary_clock_jbod` of the port: it may be on another PHC, kept aligned to the disciplined one.
        var jbod = false
    }

    /// The index of the disciplined PHC for `clockDevice` (`auto`: the first port's; `/dev/ptpN`: N).
    static func disciplinedIndex(_ ports: [Port], clockDevice: String) -> Int32? {
        if clockDevice.hasPrefix("/dev/ptp") { return Int32(clockDevice.dropFirst("/dev/ptp".count)) }
        return ports.first?.phcIndex
    }

    /// The start-up error for `ports` disciplined through `clockDevice` (`auto` or `/dev/ptpN`; `emulated` for
    /// `virtual_clock_mode phc`, whose disciplined PHC is index 0), or nil when every port with a PHC is on the
    /// disciplined one or has `boundary_clock_jbod 1`.
    static func conflict(_ ports: [Port], clockDevice: String, emulated: Bool = false) -> String? {
        let disciplined = emulated ? 0 : disciplinedIndex(ports, clockDevice: clockDevice)
        let known = ports.filter { $0.phcIndex != nil }
        let mismatched = known.filter { port in !port.jbod && port.phcIndex != disciplined }
        guard !mismatched.isEmpty, let disciplined else { return nil }
        let device = { (index: Int32?) in (emulated ? "emulated /dev/ptp" : "/dev/ptp") + String(index ?? -1) }
        let list = known.map { "\($0.interface) on \(device($0.phcIndex))" }.joined(separator: ", ")
        let clock =
            emulated
            ? "the emulated PHC (virtual_clock_mode phc, \(device(0)))"
            : clockDevice.hasPrefix("/dev/ptp")
                ? "clock_device \(clockDevice)" : "the first port's PHC \(device(disciplined)) (clock_device auto)"
        let names = mismatched.map(\.interface).joined(separator: ", ")
        return "ports on different PTP hardware clocks (\(list)) while Meridian disciplines \(clock): the timestamps of "
            + "\(names) would be readings of a clock nobody steers. Set boundary_clock_jbod 1 (in [global] or those "
            + "ports' sections) to keep their PHCs aligned to the disciplined one, put every port on one PHC, or run "
            + "one meridiand per PHC"
    }

    /// Asks each port's interface for its PHC (hardware stamps only); a configured `phc_index` wins.
    static func query(_ ports: [DaemonSettings.Port]) -> [Port] {
        ports.map { port in
            Port(
                interface: port.interface,
                phcIndex: port.phcIndex ?? (try? TimestampingCapabilities.query(port.interface))?.phcIndex,
                jbod: port.jbod)
        }
    }

    /// The emulated PHC each port stamps with (`virtual_clock_mode phc`): its `phc_index`, 0 when unset.
    static func emulated(_ ports: [DaemonSettings.Port]) -> [Port] {
        ports.map { Port(interface: $0.interface, phcIndex: $0.phcIndex ?? 0, jbod: $0.jbod) }
    }
}

/// The rules between the reference options that no single option's range can say (issue 6): a bad
/// combination stops start-up like every other configuration error.
public enum ReferenceConfigCheck {
    /// Every problem with the reference options of `configuration`, as diagnostics against `file`. The
    /// reader of `leapfile` (the daemon) reports its own parse errors; this checks only what the text says.
    public static func diagnostics(_ configuration: Configuration, file: String) -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        func problem(_ option: String, _ value: String, _ expected: String) {
            let line = lineNumber(configuration.setting(option)?.origin)
            problems.append(
                ConfigDiagnostic(file: file, line: line, problem: .badValue(option: option, value: value, expected: expected)))
        }
        let reference = configuration.string("reference")
        let ppsDevice = configuration.string("pps_device")
        if reference == "pps" && ppsDevice.isEmpty {
            problem("pps_device", ppsDevice, "a PPS device such as /dev/pps0 (reference pps needs one)")
        }
        if !ppsDevice.isEmpty && !ppsDevice.hasPrefix("/") {
            problem("pps_device", ppsDevice, "an absolute device path such as /dev/pps0")
        }
        if reference == "extts" {
            let device = configuration.string("clock_device")
            if !device.hasPrefix("/dev/ptp") {
                problem("clock_device", device, "a PTP hardware clock /dev/ptpN (reference extts timestamps the PPS on its pin)")
            }
        }
        // The emulated PHC is a mode of the virtual clock: on any other clock_device it would be silently ignored.
        if configuration.string("virtual_clock_mode") == "phc" && configuration.string("clock_device") != "virtual" {
            let device = configuration.string("clock_device")
            problem("clock_device", device, "virtual (virtual_clock_mode phc emulates a PHC in place of the virtual clock)")
        }
        if ["gpsd", "pps", "extts"].contains(reference) {
            let address = configuration.string("gpsd_address")
            if !validAddress(address) {
                problem(
                    "gpsd_address", address, "host:port, [v6]:port or host (reference \(reference) takes time of day from gpsd)")
            }
        }
        if reference == "simulated" {
            let after = configuration.real("sim_gnss_outage_after")
            let duration = configuration.real("sim_gnss_outage_duration")
            if after > 0 && duration <= 0 {
                problem("sim_gnss_outage_duration", String(duration), "a duration above 0 when sim_gnss_outage_after is set")
            }
            if duration > 0 && after <= 0 {
                problem("sim_gnss_outage_after", String(after), "a time above 0 when sim_gnss_outage_duration is set")
            }
        }
        let leapfile = configuration.string("leapfile")
        if !leapfile.isEmpty && !leapfile.hasPrefix("/") {
            problem("leapfile", leapfile, "an absolute path such as /usr/share/zoneinfo/leap-seconds.list")
        }
        let locked = configuration.integer("gm_class_locked")
        let holdover = configuration.integer("gm_class_holdover")
        let outOfSpec = configuration.integer("gm_class_holdover_out_of_spec")
        let free = configuration.integer("gm_class_free_running")
        if !(locked <= holdover && holdover <= outOfSpec && outOfSpec <= free) {
            problem(
                "gm_class_holdover", String(holdover),
                "classes that get worse from locked to holdover to out of spec to free-running (now \(locked), \(holdover), \(outOfSpec), \(free))"
            )
        }
        return problems
    }

    /// The line of an origin written `file:line`; 0 for defaults and the command line.
    static func lineNumber(_ origin: String?) -> Int {
        guard let origin, let colon = origin.lastIndex(of: ":") else { return 0 }
        return Int(origin[origin.index(after: colon)...]) ?? 0
    }

    /// `host:port`, `[v6]:port` or `host` with a port in 1…65535.
    static func validAddress(_ text: String) -> Bool {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return close > text.index(after: text.startIndex) }
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0 else { return false }
            return true
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return !text.isEmpty
        case 2: return !parts[0].isEmpty && (UInt16(parts[1]).map { $0 > 0 } ?? false)
        default: return false
        }
    }
}

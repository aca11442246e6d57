import PTPCore

/// The rules between profile options that ptp4l 3.1 enforces when it creates a port, or that Meridian needs
/// because part of a profile is not implemented yet: each a `file:line` error that stops start-up.
public enum ProfileConfigCheck {
    public static func diagnostics(_ configuration: Configuration) -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        func problem(_ option: String, port: String, _ why: String) {
            let origin = configuration.setting(option, port: port)?.origin ?? ""
            let (file, line) = place(origin)
            let value = configuration.string(option, port: port)
            problems.append(
                ConfigDiagnostic(
                    file: file, line: line,
                    problem: .unreadable("option \(option) \(value) on port \(port): \(why)")))
        }
        /// A global problem, reported at `option`'s line when a file sets it, else at `fallback`'s.
        func global(at option: String, else fallback: String, _ message: String) {
            let primary = place(configuration.setting(option)?.origin ?? "")
            let (file, line) = primary.1 > 0 ? primary : place(configuration.setting(fallback)?.origin ?? "")
            problems.append(ConfigDiagnostic(file: file, line: line, problem: .unreadable(message)))
        }
        // linuxptp clock_create: "Cannot mix 1588 slaveOnly with 802.1AS !gmCapable".
        if configuration.flag("slaveOnly") && !configuration.flag("gmCapable") {
            let (file, line) = place(configuration.setting("gmCapable")?.origin ?? "")
            problems.append(
                ConfigDiagnostic(
                    file: file, line: line,
                    problem: .unreadable("cannot mix 1588 slaveOnly with 802.1AS gmCapable 0, as in ptp4l")))
        }
        // linuxptp clock_create: str2cid, "bad clockIdentity" stops ptp4l.
        let identity = configuration.string("clockIdentity")
        if identity != "000000.0000.000000" && ClockIdentity(identity) == nil {
            let (file, line) = place(configuration.setting("clockIdentity")?.origin ?? "")
            problems.append(
                ConfigDiagnostic(
                    file: file, line: line,
                    problem: .badValue(
                        option: "clockIdentity", value: identity, expected: "a clock identity like 001122.fffe.334455")))
        }
        // Hardware stamps are readings of the ports' PHCs (TAI), and the system clock and a virtual clock (or the
        // emulated PHC, which stands in for a NIC's stamps from software ones) take CLOCK_REALTIME stamps: the
        // combination would feed the servo times of another clock.
        let device = configuration.string("clock_device")
        if (device == "system" || device == "virtual") && configuration.string("time_stamping") != "software" {
            global(
                at: "time_stamping", else: "clock_device",
                "clock_device \(device) takes software time stamps (CLOCK_REALTIME), but time_stamping is \(configuration.string("time_stamping")): hardware stamps are readings of the ports' PHCs. Set time_stamping software (-S), or discipline the PHC (clock_device auto or /dev/ptpN) and let the system clock follow it (system_clock_follower realtime)"
            )
        }
        // linuxptp config.c `config_harmonize_onestep`: "one step is only possible with hardware time stamping" (a
        // software stamp is taken after the Sync is built: it cannot carry its own transmit time).
        if !configuration.flag("twoStepFlag") && configuration.string("time_stamping") == "software" {
            let (file, line) = place(configuration.setting("twoStepFlag")?.origin ?? "")
            problems.append(
                ConfigDiagnostic(
                    file: file, line: line,
                    problem: .unreadable(
                        "option twoStepFlag 0: one step is only possible with hardware time stamping (as ptp4l says; time_stamping is software): use twoStepFlag 1, or time_stamping onestep on a NIC with HWTSTAMP_TX_ONESTEP_SYNC"
                    )))
        }
        // A transparent clock forwards every Sync two-step (it needs the forwarded Sync's transmit stamp for the
        // residence time, InstanceEngine+TransparentClock), so it takes two-step stamps only.
        if configuration.oneStepTimestamping != nil && [0x1000, 0x2000].contains(configuration.integer("clock_type")) {
            global(
                at: "time_stamping", else: "twoStepFlag",
                "one-step (time_stamping \(configuration.oneStepTimestamping ?? "")) on a transparent clock: Meridian's transparent clock forwards Sync two-step, with its own Follow_Up carrying the residence time, and takes two-step stamps only; use time_stamping hardware and twoStepFlag 1"
            )
        }
        // ptp4l.c: "TC needs at least two interfaces", "E2E_TC needs E2E delay mechanism", "P2P_TC needs P2P …".
        let clockType = configuration.integer("clock_type")
        if clockType == 0x1000 || clockType == 0x2000 {
            let (file, line) = place(configuration.setting("clock_type")?.origin ?? "")
            let name = clockType == 0x1000 ? "E2E_TC" : "P2P_TC"
            if configuration.ports.count < 2 {
                problems.append(
                    ConfigDiagnostic(
                        file: file, line: line,
                        problem: .unreadable("clock_type \(name): a transparent clock needs at least two interfaces, as in ptp4l")
                    ))
            }
            let wanted: Int64 = clockType == 0x1000 ? 1 : 2
            for port in [nil] + configuration.ports.map(\.interface) as [String?]
            where configuration.integer("delay_mechanism", port: port) != wanted {
                let (file, line) = place(configuration.setting("delay_mechanism", port: port)?.origin ?? "")
                problems.append(
                    ConfigDiagnostic(
                        file: file, line: line,
                        problem: .unreadable(
                            "clock_type \(name) needs delay_mechanism \(wanted == 1 ? "E2E" : "P2P")\(port.map { " on port \($0)" } ?? ""), as in ptp4l"
                        )))
                break
            }
        }
        for section in configuration.ports {
            let port = section.interface
            let alwaysCapable = configuration.string("asCapable", port: port) == "true"
            // linuxptp port.c: "inhibit_delay_req can only be set when asCapable == 'true'."
            if configuration.flag("inhibit_delay_req", port: port) && !alwaysCapable {
                problem("inhibit_delay_req", port: port, "it needs asCapable true, as in ptp4l")
            }
            // A port's own emulated PHC (issue 13's jbod lab): its oscillator keys in a port section mean something
            // only for a port that stamps with an emulated PHC of its own; anywhere else they would do nothing.
            let emulated =
                configuration.string("clock_device") == "virtual" && configuration.string("virtual_clock_mode") == "phc"
            let ownPHC =
                emulated && configuration.integer("phc_index", port: port) >= 1
                && configuration.flag("boundary_clock_jbod", port: port)
            for option in ["virtual_clock_offset", "virtual_clock_freq_ppm"] where section.settings[option] != nil && !ownPHC {
                problem(
                    option, port: port,
                    "in a port section it sets that port's own emulated PHC, which needs clock_device virtual, "
                        + "virtual_clock_mode phc, boundary_clock_jbod 1 and phc_index 1 or more")
            }
            // phc_index names where hardware stamps come from (linuxptp 4); software stamps on a real clock have none.
            if configuration.integer("phc_index", port: port) >= 0 && !emulated
                && configuration.string("time_stamping") == "software"
            {
                problem(
                    "phc_index", port: port,
                    "it names the PHC of hardware time stamps; with time_stamping software (and no virtual_clock_mode phc) it would do nothing"
                )
            }
            // linuxptp port.c: "Please enable at least one of masterOnly or slaveOnly when BMCA == noop."
            if configuration.string("BMCA", port: port) == "noop" && !configuration.flag("masterOnly", port: port)
                && !configuration.flag("slaveOnly")
            {
                problem("BMCA", port: port, "BMCA noop needs masterOnly 1 or slaveOnly 1, as in ptp4l")
            }
        }
        return problems
    }

    /// `file:line` of an origin; 0 for the command line or a default.
    static func place(_ origin: String) -> (String, Int) {
        guard let colon = origin.lastIndex(of: ":"), let line = Int(origin[origin.index(after: colon)...]) else {
            return (origin.isEmpty ? "configuration" : origin, 0)
        }
        return (String(origin[..<colon]), line)
    }
}

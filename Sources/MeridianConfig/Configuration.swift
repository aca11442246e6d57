/// A configuration text and where it came from.
public struct ConfigSource: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The main file: `[global]` and port sections.
        case main
        /// One file of `ports.d/`: a port of its own, named `defaultInterface` unless a `[name]` header says otherwise.
        case portFile(defaultInterface: String)
    }

    /// The path, as messages should show it.
    public var name: String
    public var text: String
    public var kind: Kind

    public init(name: String, text: String, kind: Kind = .main) {
        self.name = name
        self.text = text
        self.kind = kind
    }
}

/// A value and where it was set (`file:line`, `command line` or `default`).
public struct ConfigSetting: Sendable, Hashable {
    public var value: ConfigValue
    public var origin: String

    public init(value: ConfigValue, origin: String) {
        self.value = value
        self.origin = origin
    }
}

/// One port: its interface name, where it was declared, and the options set in its own section.
public struct PortSection: Sendable, Hashable {
    public var interface: String
    public var origin: String
    public var settings: [String: ConfigSetting]

    public init(interface: String, origin: String, settings: [String: ConfigSetting] = [:]) {
        self.interface = interface
        self.origin = origin
        self.settings = settings
    }
}

/// A parsed, validated configuration. Port options resolve port section → `[global]` → command line
/// overrides → table default, as in ptp4l.
public struct Configuration: Sendable, Hashable {
    public var global: [String: ConfigSetting]
    public var ports: [PortSection]
    /// Options given on the command line (`-2`, `-E`, `-S`, …): they win over the files.
    public var overrides: [String: ConfigSetting]
    /// Problems that do not stop start-up (ptp4l options Meridian ignores).
    public var warnings: [ConfigDiagnostic]
    /// The `[unicast_master_table]` sections, in file order.
    public var unicastMasterTables: [UnicastMasterTableSection] = []

    public init(
        global: [String: ConfigSetting] = [:], ports: [PortSection] = [], overrides: [String: ConfigSetting] = [:],
        warnings: [ConfigDiagnostic] = []
    ) {
        self.global = global
        self.ports = ports
        self.overrides = overrides
        self.warnings = warnings
    }

    /// The effective setting of `option` for `port` (nil: the clock-wide value).
    public func setting(_ option: String, port: String? = nil) -> ConfigSetting? {
        if let override = overrides[option] { return override }
        if let port, let section = ports.first(where: { $0.interface == port }), let value = section.settings[option] {
            return value
        }
        if let value = global[option] { return value }
        return ConfigKeys.key(option).map { ConfigSetting(value: $0.defaultValue, origin: "default") }
    }

    public func integer(_ option: String, port: String? = nil) -> Int64 {
        switch setting(option, port: port)?.value {
        case .integer(let v), .enumeration(_, let v): v
        case .real(let v): Int64(v)
        default: 0
        }
    }

    public func real(_ option: String, port: String? = nil) -> Double {
        switch setting(option, port: port)?.value {
        case .real(let v): v
        case .integer(let v), .enumeration(_, let v): Double(v)
        default: 0
        }
    }

    public func flag(_ option: String, port: String? = nil) -> Bool {
        integer(option, port: port) != 0
    }

    public func string(_ option: String, port: String? = nil) -> String {
        setting(option, port: port)?.value.description ?? ""
    }

    /// What the ports do about unicast negotiation (16.1), for the G.8275.2 profile line: grant to clients
    /// (`unicast_listen`), request from a master table (`unicast_master_table`), both, or multicast only.
    func unicastRoles() -> String {
        let serves = ports.contains { flag("unicast_listen", port: $0.interface) }
        let asks = ports.contains { integer("unicast_master_table", port: $0.interface) != 0 }
        switch (serves, asks) {
        case (true, true): return "unicast master and unicast slave"
        case (true, false): return "unicast master (unicast_listen)"
        case (false, true): return "unicast slave (unicast_master_table)"
        case (false, false): return "multicast only"
        }
    }

    /// The profile these settings amount to, in a few comment lines: the BMCA, the clock type, and what each
    /// port runs. `meridiand --check-config` prints it above the settings.
    public func effectiveProfileText() -> [String] {
        let telecom = integer("dataset_comparison") == 1
        let transports = Set(ports.map { string("network_transport", port: $0.interface) })
        let mechanisms = Set(ports.map { string("delay_mechanism", port: $0.interface) })
        let profile: String
        if telecom {
            profile =
                transports == ["L2"]
                ? "ITU-T G.8275.1 (full timing support, IEEE 802.3)"
                : transports.contains("L2")
                    ? "ITU-T G.8275.x (mixed transports)" : "ITU-T G.8275.2 (partial timing support, UDP; \(unicastRoles()))"
        } else if !ports.isEmpty
            && ports.allSatisfy({
                integer("transportSpecific", port: $0.interface) == 1 && flag("follow_up_info", port: $0.interface)
            })
        {
            profile =
                ports.contains { string("BMCA", port: $0.interface) == "noop" }
                ? "IEEE 802.1AS (gPTP), automotive: fixed port states" : "IEEE 802.1AS (gPTP)"
        } else if mechanisms == ["P2P"] {
            profile = "IEEE 1588-2019 default peer-to-peer profile (annex I.4)"
        } else {
            profile = "IEEE 1588-2019 default delay request-response profile (annex I.3)"
        }
        var lines = ["# profile: \(profile)"]
        if telecom {
            lines.append(
                "# BMCA: G.8275 alternate BMCA (ITU-T G.8275.1 6.3): clockClass, clockAccuracy, offsetScaledLogVariance, "
                    + "priority2, localPriority (clock \(integer("G.8275.defaultDS.localPriority"))), then topology (class 127 or better) or identity; priority1 not compared"
            )
        } else {
            lines.append(
                "# BMCA: IEEE 1588-2019 9.3.4 (priority1, clockClass, clockAccuracy, offsetScaledLogVariance, priority2, identity)"
            )
        }
        var type = ports.count > 1 ? "boundary clock" : "ordinary clock"
        switch integer("clock_type") {
        case 0x1000, 0x2000:
            type =
                (integer("clock_type") == 0x1000
                    ? "end-to-end transparent clock (residence time in the Follow_Up/Delay_Resp correctionField"
                    : "peer-to-peer transparent clock (residence time and the ingress link's peer delay in the Follow_Up correctionField")
                + (flag("tc_spanning_tree") ? ", spanning tree" : ", every port to every port")
                + (flag("free_running") ? ", rate ratio estimated over 2^\(integer("freq_est_interval")) s)" : ")")
        default:
            break
        }
        lines.append(
            "# clock: \(type), domain \(integer("domainNumber")), priority1 \(integer("priority1")), priority2 \(integer("priority2")), "
                + "clockClass \(integer("clockClass"))" + (flag("slaveOnly") ? ", slave only" : ""))
        lines.append("# disciplined clock: " + disciplinedClockText())
        if let oneStep = oneStepText() { lines.append("# transmit: " + oneStep) }
        for port in ports {
            let name = port.interface
            var text = "# port \(name): \(string("network_transport", port: name)) \(string("delay_mechanism", port: name))"
            text +=
                ", Announce 2^\(integer("logAnnounceInterval", port: name)) s, Sync 2^\(integer("logSyncInterval", port: name)) s"
            if string("network_transport", port: name) == "L2" {
                text += ", to \(string("ptp_dst_mac", port: name)) (peer delay \(string("p2p_dst_mac", port: name)))"
            }
            if telecom { text += ", localPriority \(integer("G.8275.portDS.localPriority", port: name))" }
            if flag("masterOnly", port: name) { text += ", master only" }
            if string("BMCA", port: name) == "noop" {
                text += flag("masterOnly", port: name) ? ", BMCA noop (designated master)" : ", BMCA noop (designated slave)"
            }
            if integer("transportSpecific", port: name) != 0 {
                text += ", transportSpecific \(integer("transportSpecific", port: name))"
            }
            if flag("follow_up_info", port: name) { text += ", Follow_Up information TLV" }
            if flag("path_trace_enabled", port: name) { text += ", PATH_TRACE" }
            if flag("inhibit_announce", port: name) { text += ", no Announce" }
            if flag("inhibit_delay_req", port: name) { text += ", no delay requests" }
            let phcIndex = integer("phc_index", port: name)
            if phcIndex >= 0 {
                text +=
                    ", PHC \(phcIndex)"
                    + (flag("boundary_clock_jbod", port: name) ? " (jbod: aligned to the disciplined clock)" : "")
            }
            lines.append(text)
        }
        return lines
    }

    /// The one-step mode in force, as linuxptp config.c `config_harmonize_onestep` settles it: `time_stamping
    /// hardware` with `twoStepFlag 0` is upgraded to `onestep`, and `onestep`/`p2p1step` imply twoStepFlag 0.
    /// `nil`: two-step (and always with software stamps, which the configuration check refuses with twoStepFlag 0).
    public var oneStepTimestamping: String? {
        switch string("time_stamping") {
        case "onestep": "onestep"
        case "p2p1step": "p2p1step"
        case "hardware" where !flag("twoStepFlag"): "onestep"
        default: nil
        }
    }

    /// What `--check-config` says one-step amounts to; nil for two-step.
    func oneStepText() -> String? {
        switch oneStepTimestamping {
        case "onestep":
            "one-step Sync (time_stamping onestep: SIOCSHWTSTAMP tx_type HWTSTAMP_TX_ONESTEP_SYNC; Sync leaves with twoStepFlag 0 and no Follow_Up, the NIC writes its originTimestamp; Delay_Req, Pdelay_Req and Pdelay_Resp get transmit stamps as in two-step)"
        case "p2p1step":
            "one-step Sync and Pdelay_Resp (time_stamping p2p1step: SIOCSHWTSTAMP tx_type HWTSTAMP_TX_ONESTEP_P2P; Sync leaves with twoStepFlag 0 and no Follow_Up, Pdelay_Resp with no Pdelay_Resp_Follow_Up, the NIC writing the originTimestamp and adding the turnaround to the correctionField)"
        default: nil
        }
    }

    /// Which clock the servo disciplines and whether the system clock is steered, in words: what `clock_device`,
    /// `time_stamping` (`-S`/`-H`), `free_running` and `system_clock_follower` amount to. As ptp4l, software time
    /// stamps with `clock_device auto` (`-S`) make CLOCK_REALTIME the PTP clock, steered unless `free_running`.
    func disciplinedClockText() -> String {
        let free = flag("free_running")
        let software = string("time_stamping") == "software"
        let text: String
        switch string("clock_device") {
        case "virtual":
            text =
                string("virtual_clock_mode") == "phc"
                ? "an emulated PHC (virtual_clock_mode phc; the system clock is never touched)"
                : "a virtual clock over CLOCK_REALTIME (the system clock is never touched)"
        case "system":
            text = free ? "CLOCK_REALTIME, read only (free_running 1)" : "CLOCK_REALTIME, steered (clock_device system)"
        case "auto":
            if software {
                text =
                    free
                    ? "CLOCK_REALTIME, read only (software time stamps with clock_device auto, as ptp4l -S; free_running 1)"
                    : "CLOCK_REALTIME, steered (software time stamps with clock_device auto, as ptp4l -S)"
            } else {
                text =
                    "the first port's PHC (its phc_index, or the interface's own)" + (free ? ", read only (free_running 1)" : "")
            }
        case let device:
            text = "the PHC \(device)" + (free ? ", read only (free_running 1)" : "")
        }
        switch string("system_clock_follower") {
        case "realtime": return text + "; CLOCK_REALTIME follows it (system_clock_follower realtime)"
        case "virtual": return text + "; a virtual stand-in for CLOCK_REALTIME follows it (system_clock_follower virtual)"
        default: return text
        }
    }

    /// The effective settings, one `name value   # origin` line each, `[global]` then every port: what
    /// `meridiand --check-config` prints, below the profile.
    public func effectiveSettingsText() -> String {
        var lines = effectiveProfileText() + ["", "[global]"]
        let width = ConfigKeys.all.map(\.name.count).max() ?? 24
        func line(_ key: ConfigKey, port: String?) -> String? {
            guard let setting = setting(key.name, port: port) else { return nil }
            let name = key.name + String(repeating: " ", count: max(1, width + 1 - key.name.count))
            return name + setting.value.description + "    # " + setting.origin
        }
        for key in ConfigKeys.all where key.scope == .global {
            if let text = line(key, port: nil) { lines.append(text) }
        }
        for table in unicastMasterTables {
            lines.append("")
            lines.append("[unicast_master_table]    # \(table.origin)")
            lines.append("table_id \(table.tableID)")
            lines.append("logQueryInterval \(table.logQueryInterval)")
            for master in table.masters { lines.append("\(master.transport) \(master.address)    # \(master.origin)") }
            if let peer = table.peer { lines.append("peer_address \(peer.address)    # \(peer.origin)") }
        }
        for port in ports {
            lines.append("")
            lines.append("[\(port.interface)]    # \(port.origin)")
            for key in ConfigKeys.all where key.scope == .port {
                if let text = line(key, port: port.interface) { lines.append(text) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

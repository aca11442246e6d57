import Foundation
import Testing

@testable import MeridianConfig

struct ConfigParserTests {
    func parse(_ text: String, ports: [ConfigSource] = [], interfaces: [String] = [], overrides: [String: String] = [:])
        -> Result<Configuration, ConfigErrors>
    {
        ConfigParser.parse(
            main: ConfigSource(name: "gm.conf", text: text), portFiles: ports, interfaces: interfaces, overrides: overrides)
    }

    func errors(_ text: String, ports: [ConfigSource] = []) -> [String] {
        guard case .failure(let errors) = parse(text, ports: ports) else { return [] }
        return errors.diagnostics.map(\.description)
    }

    @Test func aPtp4lStyleFileParsesWithPtp4lDefaults() throws {
        let text = """
            # a grandmaster
            [global]
            priority1               100
            clockAccuracy           0x21
            logSyncInterval         -4
            step_threshold          0.5
            time_stamping           software
            [eth0]
            masterOnly 1
            network_transport L2
            """
        let config = try parse(text).get()
        #expect(config.integer("priority1") == 100)
        #expect(config.integer("clockAccuracy") == 0x21)
        #expect(config.integer("priority2") == 128)
        #expect(config.integer("domainNumber") == 0)
        #expect(config.real("first_step_threshold") == 0.00002)
        #expect(config.real("step_threshold") == 0.5)
        #expect(config.string("time_stamping") == "software")
        #expect(config.string("uds_address") == "/var/run/ptp4l")
        #expect(config.string("uds_ro_address") == "/var/run/ptp4lro")
        // Port options: the port section, then [global], then the default.
        #expect(config.ports.map(\.interface) == ["eth0"])
        #expect(config.flag("masterOnly", port: "eth0"))
        #expect(config.integer("logSyncInterval", port: "eth0") == -4)
        #expect(config.string("network_transport", port: "eth0") == "L2")
        #expect(config.integer("network_transport", port: "eth0") == 3)
        #expect(config.integer("announceReceiptTimeout", port: "eth0") == 3)
        #expect(config.setting("priority1")?.origin == "gm.conf:3")
    }

    @Test func aTypoStopsStartUpWithFileLineAndTheNearestName() {
        #expect(errors("[global]\npriorty1 100\n") == ["gm.conf:2: unknown option priorty1 (did you mean priority1?)"])
        #expect(
            errors("[global]\nlogSyncIntreval -3\n") == [
                "gm.conf:2: unknown option logSyncIntreval (did you mean logSyncInterval?)"
            ])
        #expect(errors("[global]\ncompletely_unrelated 1\n") == ["gm.conf:2: unknown option completely_unrelated"])
    }

    @Test func badAndOutOfRangeValuesAreReportedWithTheirLine() {
        #expect(errors("[global]\ndomainNumber 128\n") == ["gm.conf:2: 128 is out of range for option domainNumber: 0 to 127"])
        #expect(
            errors("[global]\npriority1 high\n") == ["gm.conf:2: high is a bad value for option priority1: expected an integer"])
        #expect(
            errors("[eth0]\nannounceReceiptTimeout 1\n") == [
                "gm.conf:2: 1 is out of range for option announceReceiptTimeout: 2 to 255"
            ])
        #expect(
            errors("[global]\ndelay_mechanism E3E\n") == [
                "gm.conf:2: E3E is a bad value for option delay_mechanism: expected one of Auto, E2E, P2P, NONE"
            ])
        #expect(
            errors("[global]\nstep_threshold -1\n") == [
                "gm.conf:2: -1 is out of range for option step_threshold: 0.0 to 1.7976931348623157e+308"
            ])
        #expect(errors("[global]\npriority1\n") == ["gm.conf:2: option priority1 has no value"])
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let found = errors("[global]\npriority1 999\nfoo 1\n[eth0]\npriority2 3\n")
        #expect(
            found == [
                "gm.conf:2: 999 is out of range for option priority1: 0 to 255",
                "gm.conf:3: unknown option foo",
                "gm.conf:5: option priority2 belongs in [global], not in [eth0]",
            ])
    }

    @Test func linesOutsideASectionAndBadHeadersAreErrors() {
        #expect(errors("priority1 1\n") == ["gm.conf:1: line is not in a section; start with [global] or [interface]"])
        #expect(errors("[global\n") == ["gm.conf:1: bad section header [global"])
    }

    /// Every option of linuxptp v3.1.1's config.c table (`config_tab`), copied from the source.
    static let ptp4l31Options = """
        announceReceiptTimeout asCapable assume_two_step boundary_clock_jbod BMCA check_fup_sync clockAccuracy \
        clockClass clockIdentity clock_servo clock_type dataset_comparison delayAsymmetry delay_filter \
        delay_filter_length delay_mechanism dscp_event dscp_general domainNumber egressLatency \
        fault_badpeernet_interval fault_reset_interval first_step_threshold follow_up_info free_running \
        freq_est_interval G.8275.defaultDS.localPriority G.8275.portDS.localPriority gmCapable hwts_filter hybrid_e2e \
        ignore_source_id ignore_transport_specific ingressLatency inhibit_announce inhibit_delay_req \
        inhibit_multicast_service initial_delay kernel_leap leapfile logAnnounceInterval logMinDelayReqInterval \
        logMinPdelayReqInterval logSyncInterval logging_level masterOnly maxStepsRemoved message_tag \
        manufacturerIdentity max_frequency min_neighbor_prop_delay msg_interval_request neighborPropDelayThresh \
        net_sync_monitor network_transport ntpshm_segment offsetScaledLogVariance operLogPdelayReqInterval \
        operLogSyncInterval path_trace_enabled pi_integral_const pi_integral_exponent pi_integral_norm_max \
        pi_integral_scale pi_proportional_const pi_proportional_exponent pi_proportional_norm_max \
        pi_proportional_scale priority1 priority2 productDescription ptp_dst_mac p2p_dst_mac revisionData \
        sanity_freq_limit servo_num_offset_values servo_offset_threshold slave_event_monitor slaveOnly \
        socket_priority step_threshold summary_interval syncReceiptTimeout tc_spanning_tree timeSource time_stamping \
        transportSpecific ts2phc.channel ts2phc.extts_correction ts2phc.extts_polarity ts2phc.master \
        ts2phc.nmea_remote_host ts2phc.nmea_remote_port ts2phc.nmea_serialport ts2phc.pin_index ts2phc.pulsewidth \
        tsproc_mode twoStepFlag tx_timestamp_timeout udp_ttl udp6_scope uds_address unicast_listen \
        unicast_master_table unicast_req_duration use_syslog userDescription utc_offset verbose write_phase_mode
        """.split(separator: " ").map(String.init)

    @Test func everyPtp4l31OptionIsInTheTableWithPtp4lsScope() {
        #expect(Self.ptp4l31Options.count == 110)
        for name in Self.ptp4l31Options {
            let key = ConfigKeys.key(name)
            #expect(key != nil, "\(name) is missing")
            #expect(key?.support != .meridian, "\(name) is ptp4l's")
        }
        // PORT_ITEM in config.c: may appear in a port section.
        for name in ["fault_reset_interval", "ptp_dst_mac", "G.8275.portDS.localPriority", "udp_ttl", "BMCA"] {
            #expect(ConfigKeys.key(name)?.scope == .port, "\(name)")
        }
        for name in ["dataset_comparison", "G.8275.defaultDS.localPriority", "clock_type", "socket_priority"] {
            #expect(ConfigKeys.key(name)?.scope == .global, "\(name)")
        }
    }

    @Test func choicesAndSectionNamesMatchCaseInsensitivelyAsStrcasecmp() throws {
        let config = try parse(
            "[GLOBAL]\ndataset_comparison g.8275.X\ntime_stamping SOFTWARE\nclock_servo LinReg\n[eth0]\nnetwork_transport l2\ndelay_mechanism p2p\n"
        ).get()
        // The value keeps the table's spelling, so the daemon compares one way.
        #expect(config.string("dataset_comparison") == "G.8275.x")
        #expect(config.integer("dataset_comparison") == 1)
        #expect(config.string("time_stamping") == "software")
        #expect(config.string("clock_servo") == "linreg")
        #expect(config.string("network_transport", port: "eth0") == "L2")
        #expect(config.string("delay_mechanism", port: "eth0") == "P2P")
    }

    @Test func aValueMeridianDoesNotImplementIsRefusedWithItsReason() {
        #expect(
            errors("[global]\nclock_servo nullf\n") == [
                "gm.conf:2: option clock_servo nullf is not implemented by Meridian: the ntpshm and nullf servos are not implemented (accepted: pi, linreg)"
            ])
        #expect(
            errors("[global]\nts2phc.pin_index 1\n[eth0]\n") == [
                "gm.conf:2: option ts2phc.pin_index is refused: a ts2phc option; Meridian's reference takes pin_index"
            ])
        #expect(errors("[global]\nserverOnly 1\n[eth0]\n").first?.contains("from a later linuxptp than 3.1") == true)
    }

    @Test func ptp4lsDefaultsOfUnimplementedOptionsAndInertOptionsLoad() throws {
        let config = try parse(
            "[global]\nclock_type BC\ngmCapable 1\nsanity_freq_limit 0\nntpshm_segment 7\ntc_spanning_tree 1\n[eth0]\n"
        ).get()
        #expect(config.warnings.isEmpty)
        #expect(config.integer("ntpshm_segment") == 7)
    }

    @Test func faultIntervalsTakeASAPAndDeprecatedNamesAreRead() throws {
        let config = try parse("[global]\nfault_reset_interval asap\npi_offset_const 0.5\n[eth0]\nfault_reset_interval 2\n").get()
        #expect(config.integer("fault_reset_interval") == -128)
        #expect(config.integer("fault_reset_interval", port: "eth0") == 2)
        #expect(config.real("step_threshold") == 0.5)
        #expect(
            config.warnings.map(\.description) == [
                "gm.conf:3: warning: option pi_offset_const is deprecated, please use step_threshold instead"
            ])
    }

    @Test func destinationMACsAreCheckedAndG8275SettingsParse() throws {
        #expect(
            errors("[global]\nptp_dst_mac 01:1B:19:00:00\n[eth0]\n") == [
                "gm.conf:2: 01:1B:19:00:00 is a bad value for option ptp_dst_mac: expected a MAC address like 01:1B:19:00:00:00"
            ])
        let config = try parse(
            "[global]\ndataset_comparison G.8275.x\nG.8275.defaultDS.localPriority 90\nptp_dst_mac 01:80:C2:00:00:0E\n[eth0]\nG.8275.portDS.localPriority 7\nnetwork_transport L2\n"
        ).get()
        #expect(config.integer("G.8275.defaultDS.localPriority") == 90)
        #expect(config.integer("G.8275.portDS.localPriority", port: "eth0") == 7)
        #expect(ConfigKey.parseMAC(config.string("ptp_dst_mac", port: "eth0")) == [0x01, 0x80, 0xC2, 0, 0, 0x0E])
        let profile = config.effectiveProfileText()
        #expect(profile.first == "# profile: ITU-T G.8275.1 (full timing support, IEEE 802.3)")
        #expect(profile.last?.contains("localPriority 7") == true)
        #expect(errors("[global]\nG.8275.defaultDS.localPriority 0\n[eth0]\n").count == 1)
    }

    @Test func portsDFilesAreOnePortEachNamedByTheirFile() throws {
        let ports = [
            ConfigSource(
                name: "ports.d/eth1.conf", text: "masterOnly 1\nlogSyncInterval -4\n", kind: .portFile(defaultInterface: "eth1")),
            ConfigSource(
                name: "ports.d/uplink.conf", text: "# named inside\n[eth2]\nlogAnnounceInterval 0\n",
                kind: .portFile(defaultInterface: "uplink")),
        ]
        let config = try parse("[global]\nlogSyncInterval -2\n[eth0]\n", ports: ports).get()
        #expect(config.ports.map(\.interface) == ["eth0", "eth1", "eth2"])
        #expect(config.integer("logSyncInterval", port: "eth0") == -2)
        #expect(config.integer("logSyncInterval", port: "eth1") == -4)
        #expect(config.flag("masterOnly", port: "eth1"))
        #expect(config.integer("logAnnounceInterval", port: "eth2") == 0)
        #expect(config.setting("logSyncInterval", port: "eth1")?.origin == "ports.d/eth1.conf:2")
    }

    @Test func aDuplicatePortIsAnErrorWhereverItIs() {
        #expect(errors("[eth0]\n[eth0]\n") == ["gm.conf:2: port eth0 is configured twice (first at gm.conf:1)"])
        let ports = [ConfigSource(name: "ports.d/eth0.conf", text: "masterOnly 1\n", kind: .portFile(defaultInterface: "eth0"))]
        #expect(
            errors("[global]\n[eth0]\n", ports: ports) == [
                "ports.d/eth0.conf: port eth0 is configured twice (first at gm.conf:2)"
            ])
        let two = [
            ConfigSource(name: "ports.d/a.conf", text: "[eth5]\n", kind: .portFile(defaultInterface: "a")),
            ConfigSource(name: "ports.d/b.conf", text: "[eth5]\n", kind: .portFile(defaultInterface: "b")),
        ]
        #expect(
            errors("[global]\n", ports: two) == ["ports.d/b.conf:1: port eth5 is configured twice (first at ports.d/a.conf:1)"])
        let global = [ConfigSource(name: "ports.d/x.conf", text: "[global]\n", kind: .portFile(defaultInterface: "x"))]
        #expect(
            errors("[eth0]\n", ports: global) == [
                "ports.d/x.conf:1: bad section header [global] (a ports.d file holds exactly one port)"
            ])
    }

    @Test func commandLineInterfacesAndOverridesApply() throws {
        let config = try parse(
            "[global]\nnetwork_transport UDPv6\n[eth0]\nnetwork_transport UDPv4\n", interfaces: ["eth0", "eth9"],
            overrides: ["network_transport": "L2", "slaveOnly": "1"]
        ).get()
        #expect(config.ports.map(\.interface) == ["eth0", "eth9"])
        #expect(config.string("network_transport", port: "eth0") == "L2")
        #expect(config.string("network_transport", port: "eth9") == "L2")
        #expect(config.flag("slaveOnly"))
        #expect(config.setting("slaveOnly")?.origin == "command line")
    }

    @Test func noPortAtAllIsAnError() {
        #expect(
            errors("[global]\npriority1 1\n") == [
                "gm.conf: no port configured: name one with -i, a [interface] section, or a file in ports.d"
            ])
    }

    @Test func commentsBlankLinesCRLFAndHexAreHandled() throws {
        let config = try parse(
            "# c\r\n\r\n[global]\r\n   offsetScaledLogVariance   0x4E5D   \r\n\t# indented comment\r\n[eth0]\r\n"
        ).get()
        #expect(config.integer("offsetScaledLogVariance") == 0x4E5D)
    }

    @Test func effectiveSettingsNameEveryOptionAndItsOrigin() throws {
        let config = try parse("[global]\npriority1 100\n[eth0]\nlogSyncInterval -4\n").get()
        let text = config.effectiveSettingsText()
        #expect(text.contains("priority1"))
        #expect(text.contains("100    # gm.conf:2"))
        #expect(text.contains("[eth0]    # gm.conf:3"))
        #expect(text.contains("-4    # gm.conf:4"))
        #expect(text.contains("uds_address"))
        #expect(text.split(separator: "\n").count > ConfigKeys.all.count)
    }

    @Test func theTableHasNoDuplicatesAndEveryDefaultIsValid() {
        #expect(Set(ConfigKeys.all.map(\.name)).count == ConfigKeys.all.count)
        for key in ConfigKeys.all {
            if case .success(let value) = key.parse(key.defaultValue.description) {
                #expect(value == key.defaultValue, "\(key.name)")
            } else {
                Issue.record("default of \(key.name) does not parse: \(key.defaultValue)")
            }
            // ptp4l's default is always accepted: a file that sets every option to its default loads.
            #expect(key.refusal(of: key.defaultValue) == nil || key.support.status == "refused", "\(key.name)")
        }
    }
}

/// docs/options.md is the table's own text (`meridiand --list-options`), so the list users read is the
/// list the parser enforces.
struct OptionsDocumentTests {
    @Test func docsOptionsMdIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/options.md"), encoding: .utf8)
        #expect(text == ConfigKeys.optionsDocument(), "regenerate: meridiand --list-options > docs/options.md")
        for key in ConfigKeys.all { #expect(text.contains("| `\(key.name)` |")) }
    }
}

/// An option the table calls implemented is read somewhere outside the table: a cheap guard against the
/// failure this issue started from, options parsed and then silently ignored (productDescription, udp_ttl
/// and maxStepsRemoved were, before issue 14).
struct ImplementedOptionsAreReadTests {
    @Test func everyImplementedOptionIsReadByTheDaemonOrTheConfigurationChecks() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var text = ""
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "swift", !url.lastPathComponent.hasPrefix("ConfigKeys") else { continue }
            text += try String(contentsOf: url, encoding: .utf8)
        }
        #expect(text.count > 100_000, "the sources were not found at \(root.path)")
        for key in ConfigKeys.all where key.support == .implemented || key.support == .meridian {
            #expect(text.contains("\"\(key.name)\""), "\(key.name) is implemented by the table but read nowhere")
        }
    }
}

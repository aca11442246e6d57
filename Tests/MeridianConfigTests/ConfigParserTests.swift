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
                "gm.conf:2: E3E is a bad value for option delay_mechanism: expected one of E2E, P2P, Auto, NONE"
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

    @Test func ptp4lOptionsWeDoNotImplementAreWarningsNotErrors() throws {
        let config = try parse("[global]\ngmCapable 1\n[eth0]\nmin_neighbor_prop_delay 800\n").get()
        #expect(
            config.warnings.map(\.description) == [
                "gm.conf:2: warning: ptp4l option gmCapable is not supported by Meridian and is ignored",
                "gm.conf:4: warning: ptp4l option min_neighbor_prop_delay is not supported by Meridian and is ignored",
            ])
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
            #expect(!ConfigKeys.ptp4lOnly.contains(key.name), "\(key.name) is both implemented and ignored")
        }
    }
}

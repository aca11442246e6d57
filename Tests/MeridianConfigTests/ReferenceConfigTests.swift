import MeridianConfig
import Testing

@Suite struct ReferenceConfigTests {
    func configuration(_ settings: [String: String]) throws -> Configuration {
        var global: [String: ConfigSetting] = [:]
        var line = 1
        for (name, text) in settings.sorted(by: { $0.key < $1.key }) {
            let key = try #require(ConfigKeys.key(name), "no option \(name)")
            global[name] = ConfigSetting(value: try key.parse(text).get(), origin: "m.conf:\(line)")
            line += 1
        }
        return Configuration(global: global)
    }

    @Test func defaults() throws {
        let c = try configuration([:])
        #expect(c.string("reference") == "none")
        #expect(c.string("gpsd_address") == "127.0.0.1:2947")
        #expect(c.real("holdover_max_error") == 1.5e-6)
        #expect(c.integer("gm_class_locked") == 6 && c.integer("gm_class_holdover") == 7)
        #expect(c.integer("gm_class_holdover_out_of_spec") == 140 && c.integer("gm_class_free_running") == 248)
        #expect(c.integer("gnss_min_fix") == 3 && c.integer("gnss_min_satellites") == 4)
        #expect(ReferenceConfigCheck.diagnostics(c, file: "m.conf").isEmpty)
    }

    @Test func badValuesAreRefusedByTheTable() throws {
        #expect(throws: ConfigProblem.self) { try ConfigKeys.key("reference")?.parse("gps").get() }
        #expect(throws: ConfigProblem.self) { try ConfigKeys.key("extts_polarity")?.parse("up").get() }
        #expect(throws: ConfigProblem.self) { try ConfigKeys.key("gnss_min_fix")?.parse("4").get() }
        #expect(throws: ConfigProblem.self) { try ConfigKeys.key("gm_quality_profile")?.parse("G.8275.2").get() }
        #expect(throws: ConfigProblem.self) { try ConfigKeys.key("holdover_max_error")?.parse("-1").get() }
    }

    @Test func crossOptionRules() throws {
        let pps = ReferenceConfigCheck.diagnostics(try configuration(["reference": "pps"]), file: "m.conf")
        #expect(
            pps.count == 1 && pps[0].description.contains("pps_device") && pps[0].description.contains("reference pps needs one"))
        let extts = ReferenceConfigCheck.diagnostics(
            try configuration(["reference": "extts", "clock_device": "virtual"]), file: "m.conf")
        #expect(extts.count == 1 && extts[0].description.contains("clock_device") && extts[0].line > 0)
        let gpsd = ReferenceConfigCheck.diagnostics(
            try configuration(["reference": "gpsd", "gpsd_address": "host:0"]), file: "m.conf")
        #expect(gpsd.count == 1 && gpsd[0].description.contains("gpsd_address"))
        let sim = ReferenceConfigCheck.diagnostics(
            try configuration(["reference": "simulated", "sim_gnss_outage_after": "60"]), file: "m.conf")
        #expect(sim.count == 1 && sim[0].description.contains("sim_gnss_outage_duration"))
        let classes = ReferenceConfigCheck.diagnostics(try configuration(["gm_class_holdover": "200"]), file: "m.conf")
        #expect(classes.count == 1)
        let leap = ReferenceConfigCheck.diagnostics(try configuration(["leapfile": "leap.list"]), file: "m.conf")
        #expect(leap.count == 1)
        let good = ReferenceConfigCheck.diagnostics(
            try configuration([
                "reference": "pps", "pps_device": "/dev/pps0", "gpsd_address": "[::1]:2947",
                "leapfile": "/usr/share/zoneinfo/leap-seconds.list",
            ]),
            file: "m.conf")
        #expect(good.isEmpty)
    }

    /// Issue 13: the emulated PHC replaces the virtual clock; on another clock_device it would be ignored.
    @Test func emulatedPHCNeedsTheVirtualClock() throws {
        let wrong = ReferenceConfigCheck.diagnostics(
            try configuration(["virtual_clock_mode": "phc", "clock_device": "system"]), file: "m.conf")
        #expect(wrong.count == 1 && wrong[0].description.contains("virtual_clock_mode phc") && wrong[0].line > 0)
        let right = ReferenceConfigCheck.diagnostics(
            try configuration(["virtual_clock_mode": "phc", "clock_device": "virtual"]), file: "m.conf")
        #expect(right.isEmpty)
    }
}

@Suite struct ReferenceSettingsTests {
    @Test func typedSettings() throws {
        var global: [String: ConfigSetting] = [:]
        for (name, text) in [
            ("reference", "extts"), ("gpsd_address", "[::1]:29470"), ("extts_polarity", "both"),
            ("extts_correction", "-35"), ("pin_index", "2"), ("holdover_max_time", "600"),
            ("gnss_lock_threshold", "300000"), ("gm_quality_profile", "G.8275.1"), ("sim_gnss_outage_after", "0"),
        ] {
            let key = try #require(ConfigKeys.key(name))
            global[name] = ConfigSetting(value: try key.parse(text).get(), origin: "m.conf:1")
        }
        let s = ReferenceSettings(Configuration(global: global))
        #expect(s.kind == .extts && s.gpsdHost == "::1" && s.gpsdPort == "29470")
        #expect(s.exttsPolarity == "both" && s.exttsCorrectionNanoseconds == -35 && s.pinIndex == 2)
        #expect(s.holdoverMaxTimeSeconds == 600 && s.holdoverMaxErrorSeconds == 1.5e-6)
        #expect(s.lockThresholdNanoseconds == 300_000 && s.qualityProfile == "G.8275.1")
        #expect(s.simulatedOutageAfterSeconds == nil && s.leapfile == nil && s.utcOffset == 37 && s.holdoverFrequencyWander == 0)
        let d = ReferenceSettings(Configuration())
        #expect(d.kind == .none && d.gpsdHost == "127.0.0.1" && d.gpsdPort == "2947" && d.lockThresholdNanoseconds == nil)
        #expect(d.classLocked == 6 && d.classHoldover == 7 && d.classHoldoverOutOfSpec == 140 && d.classFreeRunning == 248)
    }
}

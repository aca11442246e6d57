import MeridianConfig
import MeridianDaemon
import Testing

struct ServerConfigurationTests {
    @Test
    func defaultsArePTP4LsAndTheFileOverridesThem() throws {
        let defaults = ManagementServer.Configuration(MeridianConfig.Configuration())
        #expect(defaults.readWritePath == "/var/run/ptp4l" && defaults.readOnlyPath == "/var/run/ptp4lro")
        #expect(defaults.readWriteMode == 0o660 && defaults.readOnlyMode == 0o666 && !defaults.networkWritesAllowed)
        let file = MeridianConfig.Configuration(global: [
            "uds_address": ConfigSetting(value: .string("/run/meridian/rw"), origin: "test:1"),
            "uds_ro_address": ConfigSetting(value: .string(""), origin: "test:2"),
            "management_network_writes": ConfigSetting(value: .integer(1), origin: "test:3"),
        ])
        let configured = ManagementServer.Configuration(file)
        #expect(configured.readWritePath == "/run/meridian/rw" && configured.readOnlyPath == nil)
        #expect(configured.networkWritesAllowed)
    }
}

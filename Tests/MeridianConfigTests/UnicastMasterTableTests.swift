import Testing

@testable import MeridianConfig

/// `[unicast_master_table]` as ptp4l reads it (linuxptp config.c `parse_unicast_mtab_line`), with `file:line`
/// for each problem.
struct UnicastMasterTableTests {
    func parse(_ text: String) -> Result<Configuration, ConfigErrors> {
        ConfigParser.parse(main: ConfigSource(name: "s.conf", text: text))
    }

    @Test func linuxptpsStockTablesParse() throws {
        let text = """
            [global]
            unicast_req_duration\t60
            [unicast_master_table]
            table_id\t\t1
            logQueryInterval\t2
            UDPv4\t\t\t192.168.1.11
            udpv6\t\t\tfd00::1
            [unicast_master_table]
            table_id\t\t3
            peer_address\t\t192.168.4.44
            L2\t\t\t00:11:22:33:44:55
            [eth0]
            unicast_master_table\t1
            """
        let config = try parse(text).get()
        #expect(config.unicastMasterTables.map(\.tableID) == [1, 3])
        let first = config.unicastMasterTables[0]
        #expect(first.logQueryInterval == 2)
        #expect(first.masters.map(\.transport) == ["UDPv4", "UDPv6"])
        #expect(first.masters.map(\.address) == ["192.168.1.11", "fd00::1"])
        #expect(first.masters.map(\.origin) == ["s.conf:6", "s.conf:7"])
        let third = config.unicastMasterTables[1]
        #expect(third.logQueryInterval == 0, "ptp4l's default")
        #expect(third.peer?.address == "192.168.4.44")
        #expect(third.masters.map(\.transport) == ["L2"])
        #expect(config.integer("unicast_master_table", port: "eth0") == 1)
        #expect(config.integer("unicast_req_duration", port: "eth0") == 60)
    }

    @Test func badTableLinesAreRefusedAtTheirLine() {
        let text = """
            [unicast_master_table]
            UDPv4 10.0.0.1
            table_id 0
            table_id 2
            table_id 2
            logQueryInterval 300
            UDS /tmp/x
            UDPv4
            [eth0]
            """
        guard case .failure(let errors) = parse(text) else {
            Issue.record("the table was taken")
            return
        }
        let lines = errors.diagnostics.map(\.line)
        #expect(lines == [2, 3, 5, 6, 7, 8], "\(errors.diagnostics.map(\.description))")
        #expect(errors.diagnostics[0].description.contains("missing table_id"))
        #expect(errors.diagnostics[2].description.contains("table_id 2 already taken (at s.conf:4)"))
        #expect(errors.diagnostics[4].description.contains("UDPv4, UDPv6, L2"))
    }
}

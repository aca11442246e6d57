import Foundation
import MeridianConfig
import Testing

@testable import MeridianDaemon

/// A unicast master table's addresses and a port's `unicast_master_table` checked by the real `meridiand
/// --check-config`: a bad address or a missing table is `FILE:LINE` and exit 2; a master on another transport than
/// the port's is a warning (ptp4l's "unicast master transport mismatch") and the file loads.
struct UnicastMasterTableConfigTests {
    @Test func badAddressesAndMissingTablesStopStartUpAtTheirLine() throws {
        let text = """
            [unicast_master_table]
            table_id 1
            UDPv4 10.0.0.300
            UDPv6 fd00::1::2
            L2 00:11:22:33:44
            peer_address nowhere
            [eth0]
            unicast_master_table 7
            """
        try CommandLineTests().withFiles(["s.conf": text]) { directory in
            let file = directory.appendingPathComponent("s.conf").path
            let run = try CommandLineTests().meridiand(["-f", file, "--check-config"])
            #expect(run.status == 2)
            for (line, what) in [
                (3, "10.0.0.300"), (4, "fd00::1::2"), (5, "00:11:22:33:44"), (6, "nowhere"),
                (8, "no [unicast_master_table] with table_id 7"),
            ] {
                #expect(run.stderr.contains("\(file):\(line):") && run.stderr.contains(what), "\(what): \(run.stderr)")
            }
        }
    }

    /// linuxptp's "bad peer address": a `peer_address` of another transport than the port's stops start-up.
    @Test func aPeerAddressOfAnotherTransportStopsStartUpAtItsLine() throws {
        let text = """
            [unicast_master_table]
            table_id 1
            UDPv4 10.0.0.1
            peer_address fd00::7
            [eth0]
            unicast_master_table 1
            delay_mechanism P2P
            """
        try CommandLineTests().withFiles(["s.conf": text]) { directory in
            let file = directory.appendingPathComponent("s.conf").path
            let run = try CommandLineTests().meridiand(["-f", file, "--check-config"])
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr.contains("\(file):4:") && run.stderr.contains("bad peer address fd00::7"), "\(run.stderr)")
        }
        let good = text.replacingOccurrences(of: "fd00::7", with: "10.0.0.7")
        try CommandLineTests().withFiles(["s.conf": good]) { directory in
            let run = try CommandLineTests().meridiand(["-f", directory.appendingPathComponent("s.conf").path, "--check-config"])
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    @Test func aMasterOnAnotherTransportIsAWarningAndTheFileLoads() throws {
        let text = """
            [unicast_master_table]
            table_id 1
            UDPv4 10.0.0.1
            L2 00:11:22:33:44:55
            [eth0]
            unicast_master_table 1
            """
        try CommandLineTests().withFiles(["s.conf": text]) { directory in
            let file = directory.appendingPathComponent("s.conf").path
            let run = try CommandLineTests().meridiand(["-f", file, "--check-config"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("\(file):4:") && run.stderr.contains("transport mismatch"), "\(run.stderr)")
        }
    }

    /// SIGHUP: a changed table is named and not applied (the port's requests run on the table it started with);
    /// the same table on other lines is no change.
    @Test func aReloadNamesAChangedTableAndIgnoresMovedLines() throws {
        func parse(_ text: String) throws -> Configuration {
            try ConfigParser.parse(main: ConfigSource(name: "s.conf", text: text)).get()
        }
        let old = try parse("[unicast_master_table]\ntable_id 1\nUDPv4 10.0.0.1\n[eth0]\nunicast_master_table 1\n")
        let moved = try parse("\n\n[unicast_master_table]\ntable_id 1\n\nUDPv4 10.0.0.1\n[eth0]\nunicast_master_table 1\n")
        let changed = try parse("[unicast_master_table]\ntable_id 1\nUDPv4 10.0.0.2\n[eth0]\nunicast_master_table 1\n")
        #expect(ConfigurationReload.plan(from: old, to: moved).lines == ["SIGHUP: configuration unchanged"])
        let lines = ConfigurationReload.plan(from: old, to: changed).lines
        #expect(
            lines.count == 1 && lines[0].contains("[unicast_master_table] changed") && lines[0].contains("10.0.0.2"), "\(lines)")
    }
}

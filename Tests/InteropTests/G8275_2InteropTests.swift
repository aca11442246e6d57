import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// ITU-T G.8275.2 (partial timing support: unicast over IP) with linuxptp 3.1's stock `G.8275.2.cfg` on both
/// sides, over UDPv4 and UDPv6, software stamps, each case in its own namespaces: the alternate BMCA
/// (`dataset_comparison G.8275.x`, `localPriority`), `unicast_listen`, `hybrid_e2e` and
/// `inhibit_multicast_service` as the file sets them, and a `[unicast_master_table]` on the slave, as a G.8275.2
/// operator adds to the stock file. No multicast flows, so a lock proves the negotiation and the profile's BMCA
/// on both sides: a ptp4l slave follows a Meridian master, and a Meridian slave a ptp4l master (ptp4l with
/// `free_running 1`, meridiand on a virtual clock).
@Suite
struct G8275_2InteropTests {
    static let transports: [(option: String, flag: String)] = [("UDPv4", "-4"), ("UDPv6", "-6")]

    /// linuxptp 3.1's G.8275.2.cfg as the repository keeps it (identical to the Debian package's), then `extra`
    /// lines, which land in its `[global]` (the file has no other section).
    static func stock(_ extra: String) throws -> String {
        let url = InteropLab.repositoryRoot.appendingPathComponent(
            "Tests/MeridianDaemonTests/Fixtures/linuxptp-3.1-configs/G.8275.2.cfg")
        return try String(contentsOf: url, encoding: .utf8) + "\n" + extra + "\n"
    }

    /// The address of the lab's end `a` or `b` on `transport`.
    static func address(_ end: VethLab.Side, v6: Bool) -> String {
        v6 ? NetworkInterface.ipv6Text(end.ipv6) : end.ipv4.map(String.init).joined(separator: ".")
    }

    /// A unicast master table with one master, and the port that uses it.
    static func table(_ transport: String, _ master: String, port: String) -> String {
        "[unicast_master_table]\ntable_id 1\nlogQueryInterval 0\n\(transport) \(master)\n[\(port)]\nunicast_master_table 1\n"
    }

    @Test(arguments: 0..<transports.count)
    func ptp4lG8275_2SlaveFollowsAMeridianG8275_2Master(_ which: Int) throws {
        let transport = Self.transports[which]
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
        defer { events.stop() }
        let v6 = transport.option == "UDPv6"
        let master = Self.address(lab.lab.b, v6: v6)
        let slave = try lab.write(
            "slave.cfg",
            try Self.stock(
                """
                free_running 1
                slaveOnly 1
                logSyncInterval -4
                logMinDelayReqInterval -4
                uds_address \(lab.file("sl.sock").path)
                slave_event_monitor \(events.path)
                """) + Self.table(transport.option, master, port: lab.lab.a.interface))
        let gm = try lab.write(
            "gm.conf",
            try Self.stock(
                """
                clock_device virtual
                free_running 1
                time_stamping software
                logSyncInterval -4
                logMinDelayReqInterval -4
                verbose 1
                use_syslog 0
                network_transport \(transport.option)
                uds_address \(lab.file("m.sock").path)
                uds_ro_address \(lab.file("m-ro.sock").path)
                [\(lab.lab.b.interface)]
                """))
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-f", slave, "-m", transport.flag], log: "slave.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
        guard let window = PTP4lInteropTests.collect(lab, events, what: "the G.8275.2 meridiand", dump: dump) else { return }
        let stats = OffsetStatistics(window)
        print("ptp4l G.8275.2 slave of meridiand over \(transport.option): \(stats), \(window.count) offsets")
        #expect(window.count == PTP4lInteropTests.measuredSeconds * 16, "\(window.count) offsets:\n\(dump())")
        #expect(stats.p95 <= PTP4lInteropTests.oneHopP95Bound, "\(stats)")
        // The slave's parent is the Meridian master, and the master runs the profile's comparison.
        let parent = lab.run(
            in: lab.lab.a.namespace, [pmc, "-u", "-b", "0", "-s", lab.file("sl.sock").path, "GET PARENT_DATA_SET"])
        let own = lab.run(
            in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", lab.file("m.sock").path, "GET DEFAULT_DATA_SET"])
        let gmIdentity = InteropLab.field(own, "clockIdentity")
        #expect(
            gmIdentity != nil && InteropLab.field(parent, "grandmasterIdentity") == gmIdentity, "\(parent)\n\(own)")
        // What meridiand says it runs (--check-config's profile line).
        let check = lab.run(in: lab.lab.b.namespace, [meridiand, "-f", gm, "--check-config"])
        #expect(check.contains("# profile: ITU-T G.8275.2 (partial timing support, UDP; unicast master"), "\(check.prefix(600))")
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("gm.log").suffix(1500))")
    }

    @Test(arguments: 0..<transports.count)
    func meridianG8275_2SlaveLocksToAPtp4lG8275_2Master(_ which: Int) throws {
        let transport = Self.transports[which]
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let v6 = transport.option == "UDPv6"
        let master = Self.address(lab.lab.a, v6: v6)
        let gm = try lab.write(
            "gm.cfg",
            try Self.stock(
                """
                free_running 1
                logSyncInterval -4
                logMinDelayReqInterval -4
                uds_address \(lab.file("gm.sock").path)
                """))
        let slaveText =
            try Self.stock(
                """
                clock_device virtual
                virtual_clock_offset 0.2
                virtual_clock_freq_ppm -40
                time_stamping software
                slaveOnly 1
                logSyncInterval -4
                logMinDelayReqInterval -4
                summary_interval -4
                verbose 1
                use_syslog 0
                pi_proportional_scale 0.7
                pi_integral_scale 0.3
                step_threshold 0.001
                network_transport \(transport.option)
                uds_address \(lab.file("m.sock").path)
                uds_ro_address \(lab.file("m-ro.sock").path)
                """) + Self.table(transport.option, master, port: lab.lab.b.interface)
        let slave = try lab.write("slave.conf", slaveText)
        try lab.start(
            in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m", transport.flag], log: "gm.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "meridiand.log")
        guard let (window, dump) = lab.trueErrorsOnceLocked(log: "meridiand.log", masterLog: "gm.log", count: 64) else {
            Issue.record(
                "meridiand did not lock over \(transport.option):\n\(lab.log("meridiand.log").suffix(3000))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1500))\n--- config:\n\(slaveText)"
            )
            return
        }
        let stats = OffsetStatistics(window)
        print("meridiand G.8275.2 slave of ptp4l over \(transport.option): true error \(stats), \(window.count) values")
        #expect(window.count == 64, "\(window.count) of 64 true errors:\n\(dump)")
        #expect(window.allSatisfy { abs($0) < 20_000 }, "true error left ±20 µs: \(stats)\n\(dump)")
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("meridiand.log").suffix(1500))")
    }
}

import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// Unicast negotiation (IEEE 1588-2019 16.1) against linuxptp 3.1 over a veth pair, UDPv4 and UDPv6 (the two
/// cases run side by side, each in its own namespaces), software stamps:
/// a free-running ptp4l with linuxptp's UNICAST-SLAVE.cfg (its table holding the Meridian master's address)
/// negotiates Announce, Sync and Delay_Resp from a meridiand with UNICAST-MASTER.cfg's three options and follows
/// it. The master sends no multicast at all (`inhibit_multicast_service`), so a followed master proves the
/// grants and the unicast Announce/Sync/Follow_Up/Delay_Resp.
@Suite
struct UnicastInteropTests {
    /// UDPv4 and UDPv6: the transport option, ptp4l's flag, and tshark's address field.
    static let transports: [(option: String, flag: String, ip: String)] = [
        ("UDPv4", "-4", "ip"), ("UDPv6", "-6", "ipv6"), ("L2", "-2", "eth"),
    ]

    @Test(arguments: 0..<transports.count)
    func ptp4lUnicastSlaveFollowsAMeridianUnicastMaster(_ which: Int) throws {
        let transport = Self.transports[which]
        let ptp4l = try InteropLab.tool("ptp4l")
        let tshark = try InteropLab.tool("tshark")
        let curl = try InteropLab.tool("curl")
        let meridiand = try InteropLab.meridiand()
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
        defer { events.stop() }
        let v6 = transport.option == "UDPv6"
        let l2 = transport.option == "L2"
        let masterAddress =
            l2
            ? UnicastSlaveInteropTests.mac(lab.lab.b.interface, in: lab.lab.b.namespace)
            : v6 ? NetworkInterface.ipv6Text(lab.lab.b.ipv6) : lab.lab.b.ipv4.map(String.init).joined(separator: ".")
        let slaveAddress =
            l2
            ? UnicastSlaveInteropTests.mac(lab.lab.a.interface, in: lab.lab.a.namespace)
            : v6 ? NetworkInterface.ipv6Text(lab.lab.a.ipv6) : lab.lab.a.ipv4.map(String.init).joined(separator: ".")
        // UNICAST-SLAVE.cfg as shipped (unicast_req_duration 60, table 1 with logQueryInterval 2), its table pointed
        // at the Meridian master; free_running 1 and faster intervals (ptp4l asks for its own intervals) added.
        let slave = try lab.write(
            "slave.cfg",
            """
            [global]
            unicast_req_duration 60
            free_running 1
            slaveOnly 1
            logAnnounceInterval -2
            logSyncInterval -4
            logMinDelayReqInterval -4
            uds_address \(lab.file("sl.sock").path)
            slave_event_monitor \(events.path)
            [unicast_master_table]
            table_id 1
            logQueryInterval 2
            \(transport.option) \(masterAddress)
            [\(lab.lab.a.interface)]
            unicast_master_table 1

            """)
        let gm = try lab.freeRunningGrandmasterConfig(
            """
            hybrid_e2e 1
            inhibit_multicast_service 1
            unicast_listen 1
            logMinDelayReqInterval -4
            http_address 127.0.0.1:9319
            network_transport \(transport.option)
            """)
        // Everything on the PTP ports for 12 s from before either daemon starts, so the negotiation is in it.
        let pcap = lab.file("unicast.pcap").path
        let capture = try lab.start(
            in: lab.lab.b.namespace, tshark,
            [
                "-i", lab.lab.b.interface, "-a", "duration:12", "-f", l2 ? "ether proto 0x88f7" : "udp port 319 or udp port 320",
                "-w", pcap,
            ],
            log: "tshark.log")
        _ = lab.wait(seconds: 3) { FileManager.default.fileExists(atPath: pcap) }
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-f", slave, "-m", transport.flag], log: "slave.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
        guard let window = PTP4lInteropTests.collect(lab, events, what: "the unicast meridiand", dump: dump) else { return }
        let stats = OffsetStatistics(window)
        print("ptp4l unicast slave of meridiand over \(transport.option): \(stats), \(window.count) offsets")
        #expect(window.count == PTP4lInteropTests.measuredSeconds * 16, "\(window.count) offsets:\n\(dump())")
        #expect(stats.p95 <= PTP4lInteropTests.oneHopP95Bound, "\(stats)")
        // The grant table's counts in /metrics, from live state: one client, holding Announce, Sync and Delay_Resp
        // grants (ptp4l asks again every logQueryInterval until its grants come, so at least 3), nothing refused.
        let metrics = lab.run(in: lab.lab.b.namespace, [curl, "-s", "-m", "5", "http://127.0.0.1:9319/metrics"])
        func value(_ prefix: String, _ label: String = "") -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(prefix + "{") && (label.isEmpty || $0.contains(label)) }
                .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }
        print(
            "meridiand /metrics: unicast clients \(String(describing: value("meridian_port_unicast_clients"))), granted \(String(describing: value("meridian_port_unicast_requests_total", "granted")))"
        )
        #expect(
            value("meridian_port_unicast_clients") == 1,
            "\(metrics.split(separator: "\n").filter { $0.contains("unicast") }.joined(separator: "\n"))")
        #expect((value("meridian_port_unicast_requests_total", "\"granted\"") ?? 0) >= 3)
        // The master's side in pmc's format (meridianctl; pmc 3.1 has neither ID): its Sync timer's expiries in
        // PORT_SERVICE_STATS_NP, and no master table of its own in UNICAST_MASTER_TABLE_NP.
        let management = lab.run(
            in: lab.lab.b.namespace,
            [
                meridianctl, "-u", "-b", "0", "-s", lab.file("m.sock").path, "GET PORT_SERVICE_STATS_NP",
                "GET UNICAST_MASTER_TABLE_NP",
            ])
        let syncTicks = InteropLab.field(management, "master_sync_timeout").flatMap { Int($0) } ?? 0
        #expect(syncTicks > 16 && management.contains("actual_table_size 0"), "\(management)")
        #expect(value("meridian_port_unicast_requests_total", "\"refused\"") == 0)
        // tshark decodes what meridiand sent: its GRANT Signaling and every other message, no malformed field,
        // and nothing from it went to a multicast address (inhibit_multicast_service).
        _ = lab.wait(seconds: 14) { !capture.isRunning }
        let fields = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y", "ptp && \(transport.ip).src == \(masterAddress)", "-T", "fields", "-e",
                "\(transport.ip).dst", "-e",
                "ptp.v2.messagetype", "-e", "_ws.malformed",
            ])
        // (tshark's own notes, such as running as root, are not rows: a row is three tab-separated fields.)
        let rows = fields.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        .filter { $0.count == 3 }
        let malformed = lab.malformedFrames(tshark, pcap: pcap)
        print(
            "tshark: \(rows.count) PTP messages from meridiand, \(rows.filter { $0.count > 1 && $0[1] == "0x0c" }.count) Signaling"
        )
        #expect(rows.contains { $0.count > 1 && $0[1] == "0x0c" }, "no Signaling from meridiand:\n\(fields.prefix(1500))")
        // (Addresses compared by tshark, which prints IPv6 in its own form.)
        let elsewhere = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y",
                "ptp && \(transport.ip).src == \(masterAddress) && \(transport.ip).dst != \(slaveAddress)", "-T", "fields",
                "-e", "frame.number",
            ]
        ).split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }
        #expect(rows.count > 32 && elsewhere.isEmpty, "frames \(elsewhere.prefix(10)) not to the slave:\n\(fields.prefix(1500))")
        #expect(malformed.isEmpty, "tshark found malformed or error-level fields in frames \(malformed.prefix(20))")
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("gm.log").suffix(1500))")
    }
}

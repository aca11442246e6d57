import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// Unicast negotiation as a slave (IEEE 1588-2019 16.1) against linuxptp 3.1 over a veth pair, UDPv4 and UDPv6
/// (side by side, each in its own namespaces), software stamps: a meridiand with linuxptp's stock
/// UNICAST-SLAVE.cfg (its table 1 pointed at the master) asks a free-running ptp4l with UNICAST-MASTER.cfg's
/// options for Announce, then Sync and Delay_Resp, and locks to it. The master sends no multicast Announce or
/// Sync (`inhibit_multicast_service`), so a lock proves the requests, the grants and the renewal-free start; on
/// SIGTERM meridiand cancels its grants. tshark decodes every Signaling message meridiand sent.
@Suite
struct UnicastSlaveInteropTests {
    static let transports: [(option: String, flag: String, ip: String)] = [
        ("UDPv4", "-4", "ip"), ("UDPv6", "-6", "ipv6"), ("L2", "-2", "eth"),
    ]

    /// The MAC address of `interface` in `namespace`.
    static func mac(_ interface: String, in namespace: String) -> String {
        let text = (try? LabCommand.run("ip", ["-n", namespace, "-br", "link", "show", "dev", interface])) ?? ""
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            .first { $0.count == 17 && $0.filter { $0 == ":" }.count == 5 } ?? "?"
    }

    /// linuxptp 3.1's UNICAST-SLAVE.cfg as the repository keeps it (identical to the Debian package's).
    static let stockSlave = InteropLab.repositoryRoot.appendingPathComponent(
        "Tests/MeridianDaemonTests/Fixtures/linuxptp-3.1-configs/UNICAST-SLAVE.cfg")

    /// The stock file with its table 1 holding only `master` (on `transport`), its `[eth0]` named `interface`
    /// and its `[eth1]` (an L2 port on table 2) left out; `extra` global lines added after `[global]`.
    static func unicastSlave(transport: String, master: String, interface: String, extra: String) throws -> String {
        let stock = try String(contentsOf: stockSlave, encoding: .utf8)
        var out: [String] = []
        var skipping = false
        for line in stock.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("[") { skipping = line == "[eth1]" }
            if skipping { continue }
            if line.hasPrefix("UDPv4") && line.contains("192.168.1.11") {
                out.append("\(transport)\t\t\t\(master)")
            } else if line.hasPrefix("UDPv4") && (line.contains("192.168.2.22") || line.contains("192.168.3.33")) {
                continue  // masters that do not exist here: nothing is sent to addresses outside the lab
            } else if line == "[eth0]" {
                out.append("[\(interface)]")
                if transport != "UDPv4" { out.append("network_transport \(transport)") }
            } else {
                out.append(line)
                if line == "[global]" { out.append(extra) }
            }
        }
        return out.joined(separator: "\n")
    }

    /// Whether two IPv4 or IPv6 texts name one address (pmc and the lab spell IPv6 differently).
    static func sameAddress(_ x: String, _ y: String) -> Bool {
        func bytes(_ text: String) -> [UInt8]? {
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
            return nil
        }
        return bytes(x) != nil ? bytes(x) == bytes(y) : x.lowercased() == y.lowercased()
    }

    /// SIGINT to the processes of `namespace` (this test's own) whose command is one of `names`.
    static func interrupt(_ names: [String], in namespace: String) {
        let pids =
            (try? LabCommand.run("ip", ["netns", "pids", namespace]))?.split(separator: "\n").compactMap { Int32($0) } ?? []
        for pid in pids {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
            if let comm, names.contains(comm) { kill(pid, SIGINT) }
        }
    }

    @Test(arguments: 0..<transports.count)
    func meridianUnicastSlaveLocksToAPtp4lUnicastMaster(_ which: Int) throws {
        let transport = Self.transports[which]
        let ptp4l = try InteropLab.tool("ptp4l")
        let tshark = try InteropLab.tool("tshark")
        let meridiand = try InteropLab.meridiand()
        let pmc = try InteropLab.tool("pmc")
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let v6 = transport.option == "UDPv6"
        let l2 = transport.option == "L2"
        let masterAddress =
            l2
            ? Self.mac(lab.lab.a.interface, in: lab.lab.a.namespace)
            : v6 ? NetworkInterface.ipv6Text(lab.lab.a.ipv6) : lab.lab.a.ipv4.map(String.init).joined(separator: ".")
        let slaveAddress =
            l2
            ? Self.mac(lab.lab.b.interface, in: lab.lab.b.namespace)
            : v6 ? NetworkInterface.ipv6Text(lab.lab.b.ipv6) : lab.lab.b.ipv4.map(String.init).joined(separator: ".")
        let captureFilter = l2 ? "ether proto 0x88f7" : "udp port 319 or udp port 320"
        // UNICAST-MASTER.cfg's three options, free-running, at the slave's intervals.
        let gm = try lab.write(
            "gm.cfg",
            """
            [global]
            hybrid_e2e 1
            inhibit_multicast_service 1
            unicast_listen 1
            free_running 1
            logSyncInterval -4
            logAnnounceInterval -2
            logMinDelayReqInterval -4
            uds_address \(lab.file("gm.sock").path)

            """)
        let slaveText = try Self.unicastSlave(
            transport: transport.option, master: masterAddress, interface: lab.lab.b.interface,
            extra: """
                clock_device virtual
                virtual_clock_offset 0.2
                virtual_clock_freq_ppm -40
                time_stamping software
                slaveOnly 1
                logAnnounceInterval -2
                logSyncInterval -4
                logMinDelayReqInterval -4
                summary_interval -4
                verbose 1
                use_syslog 0
                pi_proportional_scale 0.7
                pi_integral_scale 0.3
                step_threshold 0.001
                uds_address \(lab.file("m.sock").path)
                uds_ro_address \(lab.file("m-ro.sock").path)
                """)
        let slave = try lab.write("slave.conf", slaveText)
        // Everything on the PTP ports from before either daemon starts until after meridiand stopped.
        let pcap = lab.file("unicast-slave.pcap").path
        // (The test process's threads block SIGINT and a child inherits that: python3 unblocks it before it runs
        // tshark, so the capture can be ended cleanly when meridiand has stopped.)
        let capture = try lab.start(
            in: lab.lab.b.namespace, try InteropLab.tool("python3"),
            [
                "-c",
                "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                tshark, "-i", lab.lab.b.interface, "-a", "duration:60", "-f", captureFilter, "-w", pcap,
            ],
            log: "tshark.log")
        _ = lab.wait(seconds: 3) { FileManager.default.fileExists(atPath: pcap) }
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
        print("meridiand unicast slave of ptp4l over \(transport.option): true error \(stats), \(window.count) values")
        // The table from live state, in pmc's format (meridianctl; linuxptp 3.1's pmc has no
        // UNICAST_MASTER_TABLE_NP): the one master, selected, HAVE_SYDY, at its address, and it is the parent
        // linuxptp's own pmc reads from PARENT_DATA_SET.
        let table = lab.run(
            in: lab.lab.b.namespace,
            [
                meridianctl, "-u", "-b", "0", "-s", lab.file("m.sock").path, "GET UNICAST_MASTER_TABLE_NP",
                "GET PORT_SERVICE_STATS_NP",
            ])
        print(table)
        let row = table.split(separator: "\n").first { $0.contains("HAVE_SYDY") }.map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        #expect(table.contains("actual_table_size 1"), "\(table)")
        #expect(row?.first == "yes" && row.map { $0.count > 2 && Self.sameAddress($0[2], masterAddress) } == true, "\(table)")
        let parent = lab.run(
            in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", lab.file("m.sock").path, "GET PARENT_DATA_SET"])
        let parentIdentity = InteropLab.field(parent, "parentPortIdentity")
        #expect(parentIdentity != nil && row?.count ?? 0 > 1 && row?[1] == parentIdentity, "\(parent)\n\(table)")
        let requests = InteropLab.field(table, "unicast_request_timeout").flatMap { Int($0) }
        #expect(requests != nil, "\(table)")
        #expect(window.count == 64, "\(window.count) of 64 true errors:\n\(dump)")
        #expect(window.allSatisfy { abs($0) < 20_000 }, "true error left ±20 µs: \(stats)\n\(dump)")
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("meridiand.log").suffix(1500))")
        // tshark ends its capture cleanly on SIGINT (its file complete); it would otherwise run its 60 s.
        usleep(300_000)
        let started = Date()
        Self.interrupt(["tshark", "dumpcap"], in: lab.lab.b.namespace)
        _ = lab.wait(seconds: 10) { !capture.isRunning }
        print("tshark stopped in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        // What meridiand sent: its Signaling (REQUEST at start, CANCEL at shutdown) and its Delay_Req, all to the
        // master's address, none malformed.
        let fields = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y", "ptp && \(transport.ip).src == \(slaveAddress)", "-T", "fields", "-e",
                "\(transport.ip).dst", "-e", "ptp.v2.messagetype", "-e", "ptp.v2.sig.tlv.tlvType",
            ])
        let rows = fields.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        .filter { $0.count == 3 }
        let signaling = rows.filter { $0[1] == "0x0c" }
        let tlvTypes = Set(signaling.flatMap { $0[2].split(separator: ",").map(String.init) })
        print(
            "tshark: \(rows.count) PTP messages from meridiand, \(signaling.count) Signaling, TLV types \(tlvTypes.sorted()), \(rows.filter { $0[1] == "0x01" }.count) Delay_Req"
        )
        // REQUEST_UNICAST_TRANSMISSION (4) and, at shutdown, CANCEL_UNICAST_TRANSMISSION (6); tshark prints the
        // type in decimal.
        #expect(tlvTypes.contains("4") && tlvTypes.contains("6"), "Signaling TLVs \(tlvTypes):\n\(fields.prefix(1500))")
        #expect(rows.contains { $0[1] == "0x01" }, "no Delay_Req from meridiand")
        let elsewhere = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y",
                "ptp && \(transport.ip).src == \(slaveAddress) && \(transport.ip).dst != \(masterAddress)", "-T", "fields",
                "-e", "frame.number",
            ]
        ).split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }
        #expect(elsewhere.isEmpty, "frames \(elsewhere.prefix(10)) from meridiand not to the master:\n\(fields.prefix(1500))")
        let malformed = lab.malformedFrames(tshark, pcap: pcap)
        #expect(malformed.isEmpty, "tshark found malformed or error-level fields in frames \(malformed.prefix(20))")
    }
}

/// A master of the table that stops answering (IEEE 1588-2019 16.1 with the BMCA over the table): two
/// free-running ptp4l masters with UNICAST-MASTER.cfg's options on one segment, A better (priority1 100) than B
/// (110), and a meridiand whose table holds both. A is stopped (SIGSTOP: no Announce, no grant, no answer): the
/// slave selects B and asks it for Sync and Delay_Resp; A continues (SIGCONT): the slave takes A back. Before
/// that, 12 s with 10 s grants prove the renewal against ptp4l.
@Suite(.serialized)
struct UnicastSlaveFailoverInteropTests {
    @Test func aSilentMasterIsLeftForTheNextInTheTableAndTakenBackWhenItReturns() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let rig = try SegmentRig(subnet: UInt8(getpid() % 200 + 23))
        defer { rig.tearDown() }
        let files = rig.files
        let (hostA, hostB, slaveHost) = (rig.hosts[0], rig.hosts[1], rig.hosts[2])
        let subnet = UInt8(getpid() % 200 + 23)
        func master(_ name: String, priority1: Int) throws -> String {
            try files.write(
                "\(name).cfg",
                """
                [global]
                hybrid_e2e 1
                inhibit_multicast_service 1
                unicast_listen 1
                free_running 1
                priority1 \(priority1)
                logSyncInterval -4
                logAnnounceInterval -2
                logMinDelayReqInterval -4
                uds_address \(files.file("\(name).sock").path)

                """)
        }
        let slave = try files.meridianConfig(
            "slave", interface: slaveHost.interface,
            """
            unicast_req_duration 10
            slaveOnly 1
            logAnnounceInterval -2
            logMinDelayReqInterval -4
            [unicast_master_table]
            table_id 1
            logQueryInterval 0
            UDPv4 10.87.\(subnet).1
            UDPv4 10.87.\(subnet).2
            """, port: "unicast_master_table 1")
        let a = try files.start(
            in: hostA.namespace, ptp4l, ["-S", "-i", hostA.interface, "-f", master("a", priority1: 100), "-m"], log: "a.log")
        try files.start(
            in: hostB.namespace, ptp4l, ["-S", "-i", hostB.interface, "-f", master("b", priority1: 110), "-m"], log: "b.log")
        let daemon = try files.start(in: slaveHost.namespace, meridiand, ["-f", slave], log: "slave.log")
        let dump = {
            "\(files.log("slave.log").suffix(2500))\n--- A:\n\(files.log("a.log").suffix(800))\n--- B:\n\(files.log("b.log").suffix(800))"
        }
        func table() -> String {
            files.run(
                in: slaveHost.namespace,
                [meridianctl, "-u", "-b", "0", "-s", files.file("slave.sock").path, "GET UNICAST_MASTER_TABLE_NP"])
        }
        /// The master the slave follows: the one its meridiand last selected, with Sync granted (HAVE_SYDY).
        func following(_ address: String) -> Bool {
            table().split(separator: "\n").contains {
                $0.contains("yes ") && $0.contains(address + " ") && $0.contains("HAVE_SYDY")
            }
        }
        let addressA = "10.87.\(subnet).1"
        let addressB = "10.87.\(subnet).2"
        let first = files.wait(seconds: 30) { following(addressA) && files.log("slave.log").contains("UNCALIBRATED to SLAVE") }
        #expect(first, "the slave did not follow A:\n\(table())\n\(dump())")
        guard first else { return }
        // What the slave did before it first followed A is the start-up's BMCA (B's ptp4l may become master first
        // and be followed for a moment, then left for A: SLAVE to UNCALIBRATED on RS_SLAVE); the renewal is
        // judged on what it logs from here on.
        let linesAtLock = files.log("slave.log").split(separator: "\n").count
        // Renewal: ptp4l grants the 10 s asked for (unicast_req_duration 10, ptp4l's minimum); the slave renews on
        // its 7th 1 s query tick. 12 s on, it still follows A, with Sync still arriving and no state change since.
        usleep(12_000_000)
        let offsetsBefore = InteropLab.trueErrors(files.log("slave.log")).count
        usleep(1_000_000)
        let offsetsAfter = InteropLab.trueErrors(files.log("slave.log")).count
        #expect(
            following(addressA) && offsetsAfter - offsetsBefore >= 8, "\(offsetsAfter - offsetsBefore) offsets in 1 s:\n\(dump())"
        )
        // A renewal that failed would take the grants away: Sync stops, the port leaves SLAVE for LISTENING (or
        // another master). A servo that unlocks on a noisy sample (SLAVE to UNCALIBRATED on SYNCHRONIZATION_FAULT,
        // seen once on a loaded machine) is not the renewal's doing and is allowed.
        let leftSlave = files.log("slave.log").split(separator: "\n").dropFirst(linesAtLock).filter {
            $0.contains("SLAVE to") && !$0.contains("SLAVE to UNCALIBRATED on SYNCHRONIZATION_FAULT")
        }
        #expect(leftSlave.isEmpty, "the slave lost A while renewing: \(leftSlave)\n\(dump())")

        // A stops answering: within 15 s the slave follows B (an announce receipt timeout is about 1 s here).
        kill(a.processIdentifier, SIGSTOP)
        let stopped = Date()
        let toB = files.wait(seconds: 15) { following(addressB) }
        let failover = Date().timeIntervalSince(stopped)
        print("unicast slave: A stopped, following B after \(String(format: "%.1f", failover)) s")
        #expect(toB, "the slave did not move to B:\n\(table())\n\(dump())")

        // A answers again: within 15 s the slave follows A again (asked for Announce on every 1 s query tick).
        kill(a.processIdentifier, SIGCONT)
        let resumed = Date()
        let backToA = files.wait(seconds: 15) { following(addressA) }
        print("unicast slave: A resumed, following A again after \(String(format: "%.1f", Date().timeIntervalSince(resumed))) s")
        #expect(backToA, "the slave did not come back to A:\n\(table())\n\(dump())")
        // B's Sync and Delay_Resp were cancelled when the slave left it: B is back to Announce only.
        let rowB = table().split(separator: "\n").first { $0.contains(addressB + " ") }
        #expect(rowB?.contains("HAVE_ANN") == true, "\(table())")
        #expect(files.stop(daemon) == 0)
    }
}

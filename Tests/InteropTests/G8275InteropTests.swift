import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// ITU-T G.8275.1 with linuxptp's own stock file (`G.8275.1.cfg` from Debian's linuxptp 3.1, the fixture
/// copy) on every clock, over IEEE 802.3 to 01-80-C2-00-00-0E: a ptp4l slave follows a Meridian T-GM, and on
/// one segment of three clocks Meridian and two ptp4l elect the same grandmaster in each case of a table
/// that walks the steps of the G.8275 comparison (pmc asks every clock). Every ptp4l runs `free_running 1`,
/// meridiand its virtual clock.
@Suite(.serialized)
struct G8275InteropTests {
    /// The stock file's text, as shipped.
    static func stockFile() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MeridianDaemonTests/Fixtures/linuxptp-3.1-configs/G.8275.1.cfg")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// A ptp4l slave (stock G.8275.1.cfg, slaveOnly) follows a Meridian T-GM (the same file, clockClass 6)
    /// over a veth pair: it selects Meridian, and its offsets (slave_event_monitor, 16 Sync/s as the profile
    /// sets) stay within the one-hop bound of the default-profile tests; tshark sees Meridian's frames go to
    /// 01-80-C2-00-00-0E with domain and rates from the file.
    @Test func ptp4lSlaveFollowsAMeridianTGM() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let tshark = try InteropLab.tool("tshark")
        let meridiand = try InteropLab.meridiand()
        let stock = try Self.stockFile()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
        defer { events.stop() }
        let slave = try lab.write(
            "slave.cfg",
            stock
                + "\n[global]\nfree_running 1\nslaveOnly 1\nuds_address \(lab.file("sl.sock").path)\nslave_event_monitor \(events.path)\n"
        )
        let gm = try lab.meridianConfig(
            "tgm", interface: lab.lab.b.interface,
            stock + "\n[global]\nclockClass 6\nclockAccuracy 0x21\noffsetScaledLogVariance 0x4E5D\nfree_running 1\n")
        let check = lab.run(in: lab.lab.b.namespace, [meridiand, "-f", gm, "--check-config"])
        #expect(check.hasPrefix("# profile: ITU-T G.8275.1"), "\(check.prefix(600))")
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", slave, "-m"], log: "slave.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
        guard let window = PTP4lInteropTests.collect(lab, events, what: "the Meridian T-GM", dump: dump) else { return }
        let stats = OffsetStatistics(window)
        print("ptp4l G.8275.1 slave of a Meridian T-GM over L2: \(stats)")
        #expect(window.count == PTP4lInteropTests.measuredSeconds * 16, "\(window.count) offsets:\n\(dump())")
        #expect(stats.p95 <= PTP4lInteropTests.oneHopP95Bound, "\(stats), bound p95 \(PTP4lInteropTests.oneHopP95Bound) ns")
        let meridianIdentity = InteropLab.identity(lab.log("gm.log"), "clock identity")
        #expect(
            meridianIdentity != nil
                && InteropLab.identity(lab.log("slave.log"), "selected best master clock") == meridianIdentity,
            "\(dump())")
        // What goes on the wire: tshark in Meridian's namespace, a second of frames.
        let capture = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-i", lab.lab.b.interface, "-a", "duration:2", "-f", "ether proto 0x88f7", "-T", "fields", "-e",
                "eth.src", "-e", "eth.dst", "-e", "ptp.v2.messagetype", "-e", "ptp.v2.logmessageperiod",
            ])
        let meridianMAC = try LabCommand.run("ip", ["-n", lab.lab.b.namespace, "-br", "link", "show", lab.lab.b.interface])
            .split(separator: " ").filter { !$0.isEmpty }.dropFirst(2).first.map(String.init)
        let frames = capture.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            .filter { $0.count == 4 && $0[0] == meridianMAC }
        #expect(frames.count > 16, "tshark saw \(frames.count) frames from meridiand:\n\(capture.suffix(1000))")
        #expect(frames.allSatisfy { $0[1] == "01:80:c2:00:00:0e" }, "\(frames.prefix(5))")
        // Sync (0) every 2^-4 s, Announce (0xb) every 2^-3 s, from the file.
        #expect(
            frames.contains { $0[2] == "0x00" && $0[3] == "-4" } && frames.contains { $0[2] == "0x0b" && $0[3] == "-3" },
            "\(frames.prefix(8))")
        #expect(lab.stop(daemon) == 0)
    }

    /// A Meridian slave (stock G.8275.1.cfg, slaveOnly, a virtual clock 0.1 s and −25 ppm off) locks to a
    /// ptp4l T-GM (the same file, clockClass 6) over L2, its true error within ±20 µs once locked (the
    /// default-profile bound), and pmc shows it: parent the ptp4l T-GM, class 6, its own clockClass 255.
    @Test func meridianSlaveLocksToAPtp4lTGM() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try InteropLab.meridiand()
        let stock = try Self.stockFile()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write(
            "tgm.cfg",
            stock
                + "\n[global]\nfree_running 1\nclockClass 6\nclockAccuracy 0x21\noffsetScaledLogVariance 0x4E5D\nuds_address \(lab.file("gm.sock").path)\n"
        )
        let slave = try lab.meridianConfig(
            "tsc", interface: lab.lab.b.interface,
            stock + "\n[global]\nslaveOnly 1\nvirtual_clock_offset 0.1\nvirtual_clock_freq_ppm -25\n")
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "tsc.log")
        let result = lab.trueErrorsOnceLocked(log: "tsc.log", masterLog: "gm.log", count: 64)
        #expect(
            result != nil,
            "meridiand did not lock:\n\(lab.log("tsc.log").suffix(2500))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1500))")
        guard let window = result?.window else { return }
        let stats = OffsetStatistics(window)
        print("meridiand G.8275.1 slave of a ptp4l T-GM over L2: true error \(stats)")
        #expect(window.count == 64 && window.allSatisfy { abs($0) < 20_000 }, "\(stats)")
        let answer = lab.run(
            in: lab.lab.b.namespace,
            [
                pmc, "-u", "-b", "0", "-s", lab.file("tsc.sock").path, "GET PARENT_DATA_SET", "GET DEFAULT_DATA_SET",
                "GET CLOCK_DESCRIPTION",
            ])
        let gmIdentity = InteropLab.identity(lab.log("gm.log"), "selected local clock")
        #expect(gmIdentity != nil && InteropLab.field(answer, "grandmasterIdentity") == gmIdentity, "\(answer)")
        #expect(InteropLab.field(answer, "gm.ClockClass") == "6", "\(answer)")
        #expect(InteropLab.field(answer, "clockClass") == "255", "\(answer)")
        // G.8275.1's profileIdentifier (annex A), as linuxptp 4 gives it on an L2 port under the G.8275 comparison.
        #expect(InteropLab.field(answer, "profileId") == "00:19:a7:01:02:03", "\(answer)")
    }

    /// One case of the election table: the settings of Meridian (M) and the two ptp4l clocks (A, B), and who
    /// must be grandmaster. Identities are fixed by the interfaces' MACs, M < A < B, so that wherever a case
    /// elects anyone but M the lower identity (what IEEE 1588 would fall back on) was overruled.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var meridian: String
        var a: String
        var b: String
        /// 0 = M, 1 = A, 2 = B.
        var winner: Int
        /// A clock of class 127 or better that is not the best goes PASSIVE (IEEE 1588 9.3.3 P1, as ptp4l's
        /// `bmc_state_decision`) and keeps itself as its parent: pmc shows its own identity and PASSIVE.
        var passive: Int? = nil
        var description: String { name }
    }

    static let cases = [
        // Step 1, clockClass: A's class 6 (T-GM locked) beats M's 135 (T-BC in holdover) and B's 165 (T-BC out
        // of holdover spec); M's lower identity does not count.
        Case(name: "clockClass", meridian: "clockClass 135", a: "clockClass 6", b: "clockClass 165", winner: 1),
        // A T-GM in holdover (class 7) next to a locked one (6) is not followed and does not follow: PASSIVE.
        Case(
            name: "clockClass 7 PASSIVE", meridian: "clockClass 7", a: "clockClass 6", b: "clockClass 248", winner: 1,
            passive: 0),
        // priority1 is not compared: M's priority1 1 would win an IEEE 1588 election; priority2 decides (A 100).
        Case(
            name: "priority1 ignored, priority2", meridian: "priority1 1\npriority2 128", a: "priority2 100", b: "priority2 128",
            winner: 1),
        // Step 4, priority2, with Meridian the winner: the ptp4l clocks follow it.
        Case(name: "priority2", meridian: "priority2 90", a: "priority2 100", b: "priority2 110", winner: 0),
        // Step 5, localPriority: B (the highest identity) holds its own localPriority 10 better than any foreign
        // master's (its port's 128); M and A rank what their ports hear (port localPriority 50) above
        // themselves (128), so both defer, and B is elected.
        Case(
            name: "localPriority",
            meridian: "G.8275.defaultDS.localPriority 128\nG.8275.portDS.localPriority 50",
            a: "G.8275.defaultDS.localPriority 128\nG.8275.portDS.localPriority 50",
            b: "G.8275.defaultDS.localPriority 10\nG.8275.portDS.localPriority 128", winner: 2),
    ]

    @Test func meridianAndPtp4lElectTheSameGrandmasterOnASegment() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try InteropLab.meridiand()
        let stock = try Self.stockFile()
        let subnet = UInt8(getpid() % 200 + 31)
        let segment = try SegmentLab.create(hosts: 3, subnet: subnet, forwardLinkLocal: true)
        defer { segment.remove() }
        let files = try InteropLab()
        defer { files.tearDown() }
        let hosts = segment.hosts
        // M < A < B: the clock identities linuxptp and Meridian derive from these (EUI-48 → EUI-64).
        let identities = (0..<3).map { "020000.fffe.00\(String(format: "%02x", subnet))0\($0 + 1)" }
        for (i, host) in hosts.enumerated() {
            try LabCommand.run(
                "ip",
                [
                    "-n", host.namespace, "link", "set", "dev", host.interface, "address",
                    "02:00:00:00:\(String(format: "%02x", subnet)):0\(i + 1)",
                ])
        }
        for c in Self.cases {
            let tag = c.name.filter { $0.isLetter || $0.isNumber }
            let m = try files.meridianConfig(
                "m\(tag)", interface: hosts[0].interface, stock + "\n[global]\nfree_running 1\n\(c.meridian)\n")
            func ptp4lConfig(_ name: String, _ lines: String) throws -> String {
                try files.write(
                    "\(name)\(tag).cfg",
                    stock + "\n[global]\nfree_running 1\nuds_address \(files.file("\(name)\(tag).sock").path)\n\(lines)\n")
            }
            let a = try ptp4lConfig("a", c.a)
            let b = try ptp4lConfig("b", c.b)
            let processes = [
                try files.start(in: hosts[0].namespace, meridiand, ["-f", m], log: "m\(tag).log"),
                try files.start(
                    in: hosts[1].namespace, ptp4l, ["-S", "-i", hosts[1].interface, "-f", a, "-m"], log: "a\(tag).log"),
                try files.start(
                    in: hosts[2].namespace, ptp4l, ["-S", "-i", hosts[2].interface, "-f", b, "-m"], log: "b\(tag).log"),
            ]
            let sockets = [files.file("m\(tag).sock").path, files.file("a\(tag).sock").path, files.file("b\(tag).sock").path]
            /// What pmc says of each clock: its grandmaster, and PASSIVE where its port is.
            func grandmasters() -> [String] {
                sockets.map { socket in
                    let answer = files.run(
                        in: hosts[0].namespace,
                        [pmc, "-u", "-b", "0", "-s", socket, "GET PARENT_DATA_SET", "GET PORT_DATA_SET"])
                    let gm = InteropLab.field(answer, "grandmasterIdentity") ?? "?"
                    return InteropLab.field(answer, "portState") == "PASSIVE" ? gm + " PASSIVE" : gm
                }
            }
            let expected = (0..<3).map { $0 == c.passive ? identities[$0] + " PASSIVE" : identities[c.winner] }
            // Announce every 2^-3 s, qualification and receipt timeouts of a few hundred ms: the election settles
            // within seconds; then it must hold.
            let elected = files.wait(seconds: 15) { grandmasters() == expected }
            usleep(1_500_000)
            let held = grandmasters()
            print("G.8275.1 election, \(c.name): expected \(expected), pmc shows M \(held[0]), A \(held[1]), B \(held[2])")
            #expect(
                elected && held == expected,
                "\(c.name): expected \(expected) (M \(identities[0]), A \(identities[1]), B \(identities[2])), pmc shows \(held)\n--- meridiand:\n\(files.log("m\(tag).log").suffix(1500))\n--- A:\n\(files.log("a\(tag).log").suffix(800))\n--- B:\n\(files.log("b\(tag).log").suffix(800))"
            )
            for process in processes { files.stop(process) }
        }
    }
}

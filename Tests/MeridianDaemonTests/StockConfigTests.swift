import Foundation
import Testing

/// Every configuration linuxptp 3.1 ships (Debian's /usr/share/doc/linuxptp/configs, copied into
/// Fixtures/linuxptp-3.1-configs; ts2phc's own files left out) through `meridiand -f FILE -i IFACE
/// --check-config`, the real binary. No option is ever "ignored": a file loads (exit 0, the effective
/// profile printed), or it is refused (exit 2) on exactly the lines whose values Meridian does not
/// implement yet, each named with its reason.
struct StockConfigTests {
    /// What each stock file gives today: nil loads; otherwise the options refused, in file order.
    static let expected: [String: [String]?] = [
        "default.cfg": nil,
        "G.8275.1.cfg": nil,
        // Transparent clocks (issue 14): checked with two interfaces, as ptp4l needs for a TC.
        "E2E-TC.cfg": nil,
        "P2P-TC.cfg": nil,
        // Unicast (issue 15): both sides load.
        "G.8265.1.cfg": nil,
        "G.8275.2.cfg": nil,
        "UNICAST-MASTER.cfg": nil,
        "UNICAST-SLAVE.cfg": nil,
        // IEEE 802.1AS: gPTP.cfg, and the automotive profile's designated master and slave.
        "automotive-master.cfg": nil,
        "gPTP.cfg": nil,
        "automotive-slave.cfg": nil,
    ]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/linuxptp-3.1-configs")
    static let installed = URL(fileURLWithPath: "/usr/share/doc/linuxptp/configs")

    @Test(arguments: expected.keys.sorted())
    func aStockConfigLoadsOrNamesWhatIsMissing(_ name: String) throws {
        try check(Self.fixtures.appendingPathComponent(name), name: name)
    }

    /// The installed package's files (make deps installs linuxptp) are the fixtures, and give the same.
    @Test func theInstalledStockConfigsAreTheFixtures() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.installed.path)
            .filter { $0.hasSuffix(".cfg") && !$0.hasPrefix("ts2phc") }.sorted()
        #expect(files == Self.expected.keys.sorted(), "linuxptp's stock files differ from the fixtures")
        for name in files {
            let installed = try String(contentsOf: Self.installed.appendingPathComponent(name), encoding: .utf8)
            let fixture = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
            #expect(installed == fixture, "\(name) differs from its fixture")
            try check(Self.installed.appendingPathComponent(name), name: name)
        }
    }

    func check(_ file: URL, name: String) throws {
        let expected = try #require(Self.expected[name])
        let interfaces = name.hasSuffix("-TC.cfg") ? ["-i", "eth0", "-i", "eth1"] : ["-i", "eth0"]
        let run = try CommandLineTests().meridiand(["-f", file.path] + interfaces + ["--check-config"])
        let output = run.stdout + run.stderr
        #expect(!output.lowercased().contains("ignored"), "\(name): \(output)")
        guard let refused = expected else {
            #expect(run.status == 0, "\(name): \(run.stderr)")
            #expect(run.stdout.hasPrefix("# profile: "))
            if name == "G.8275.1.cfg" {
                #expect(run.stdout.hasPrefix("# profile: ITU-T G.8275.1"))
                #expect(run.stdout.contains("# BMCA: G.8275 alternate BMCA"))
            }
            if name == "automotive-master.cfg" {
                #expect(run.stdout.contains("designated master"))
            }
            if name == "E2E-TC.cfg" || name == "P2P-TC.cfg" {
                let kind = name == "E2E-TC.cfg" ? "end-to-end" : "peer-to-peer"
                #expect(run.stdout.contains("# clock: \(kind) transparent clock"), "\(run.stdout)")
            }
            return
        }
        #expect(run.status == 2, "\(name) should be refused: \(output)")
        let lines = run.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix(file.path + ":") }
        let named = lines.map { line -> String in
            if line.contains("section [unicast_master_table]") { return "[unicast_master_table]" }
            let words = line.split(separator: " ")
            guard let option = words.firstIndex(of: "option"), option + 1 < words.count else { return line }
            return String(words[option + 1])
        }
        #expect(named == refused, "\(name): \(run.stderr)")
        for line in lines where !line.contains("[unicast_master_table]") {
            #expect(line.contains("not implemented"), "\(line)")
        }
    }

    /// ptp4l.c's rules for a TC: two interfaces at least, and the delay mechanism its type names.
    @Test func aTransparentClockNeedsTwoPortsAndItsDelayMechanism() throws {
        let files = [
            "one.conf": "[global]\nclock_type E2E_TC\n[eth0]\n",
            "mixed.conf": "[global]\nclock_type P2P_TC\ndelay_mechanism P2P\n[eth0]\n[eth1]\ndelay_mechanism E2E\n",
        ]
        try CommandLineTests().withFiles(files) { directory in
            let one = directory.appendingPathComponent("one.conf").path
            var run = try CommandLineTests().meridiand(["-f", one, "--check-config"])
            #expect(run.status == 2)
            #expect(
                run.stderr.contains("\(one):2: clock_type E2E_TC: a transparent clock needs at least two interfaces"),
                "\(run.stderr)")
            let mixed = directory.appendingPathComponent("mixed.conf").path
            run = try CommandLineTests().meridiand(["-f", mixed, "--check-config"])
            #expect(run.status == 2)
            #expect(run.stderr.contains("\(mixed):6: clock_type P2P_TC needs delay_mechanism P2P on port eth1"), "\(run.stderr)")
        }
    }

    /// ptp4l's `clockIdentity` must be an identity (linuxptp str2cid); a bad one stops start-up at its line.
    @Test func aBadClockIdentityIsRefusedAtItsLine() throws {
        try CommandLineTests().withFiles(["m.conf": "[global]\nclockIdentity 0011.22\n[eth0]\n"]) { directory in
            let file = directory.appendingPathComponent("m.conf").path
            let run = try CommandLineTests().meridiand(["-f", file, "--check-config"])
            #expect(run.status == 2)
            #expect(run.stderr.contains("\(file):2: 0011.22 is a bad value for option clockIdentity"), "\(run.stderr)")
        }
        try CommandLineTests().withFiles(["m.conf": "[global]\nclockIdentity 001122.fffe.334455\nmessage_tag [gm]\n[eth0]\n"]) {
            directory in
            let run = try CommandLineTests().meridiand(["-f", directory.appendingPathComponent("m.conf").path, "--check-config"])
            #expect(run.status == 0, "\(run.stderr)")
        }
    }
}

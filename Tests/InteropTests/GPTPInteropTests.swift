import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// IEEE 802.1AS with linuxptp's stock `gPTP.cfg` (the fixture copy) on both sides of a veth pair, kernel
/// software stamps: transportSpecific 1, the Follow_Up information TLV, PATH_TRACE, P2P to
/// 01-80-C2-00-00-0E, and asCapable by the 802.1AS rules. One lab line changes the file on both sides:
/// `neighborPropDelayThresh` (800 ns in the file, for hardware stamps), since a software-stamped veth's peer
/// delay is microseconds and would leave every port not asCapable. Every ptp4l runs `free_running 1`.
@Suite(.serialized)
struct GPTPInteropTests {
    static func stockFile() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MeridianDaemonTests/Fixtures/linuxptp-3.1-configs/gPTP.cfg")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static let lab = "\n[global]\nneighborPropDelayThresh 1000000\n"

    /// A ptp4l gPTP slave follows a Meridian gPTP grandmaster: it selects it once both ports are asCapable
    /// (three peer delay exchanges for the neighbour rate ratio), and its own offsetFromMaster (polled, as
    /// the P2P cases do) stays within the one-hop bound; tshark sees transportSpecific 1 on every frame and
    /// the Follow_Up information TLV (00-80-C2, subtype 1) on every Follow_Up.
    @Test func ptp4lGPTPSlaveFollowsAMeridianGrandmaster() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let tshark = try InteropLab.tool("tshark")
        let meridiand = try InteropLab.meridiand()
        let stock = try Self.stockFile()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let poller = try CurrentDataSetPoller(
            server: lab.file("sl.sock").path, path: lab.file("poll.sock").path, transportSpecific: 1)
        defer { poller.stop() }
        let slave = try lab.write(
            "slave.cfg", stock + Self.lab + "free_running 1\nslaveOnly 1\nuds_address \(lab.file("sl.sock").path)\n")
        let gm = try lab.meridianConfig("gm", interface: lab.lab.b.interface, stock + Self.lab + "free_running 1\n")
        let check = lab.run(in: lab.lab.b.namespace, [meridiand, "-f", gm, "--check-config"])
        #expect(check.hasPrefix("# profile: IEEE 802.1AS (gPTP)"), "\(check.prefix(600))")
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", slave, "-m"], log: "slave.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
        // 8 Sync/s: two seconds of offsets once it follows, then four seconds measured.
        let following = lab.wait(seconds: 30) { poller.offsets.count >= 16 }
        #expect(following, "the ptp4l gPTP slave did not follow meridiand:\n\(dump())")
        guard following else { return }
        poller.reset()
        _ = lab.wait(seconds: 10) { poller.offsets.count >= 32 }
        let window = Array(poller.offsets.prefix(32))
        let stats = OffsetStatistics(window)
        print("ptp4l gPTP slave of meridiand over L2/P2P: \(stats)")
        #expect(window.count == 32, "\(window.count) offsets:\n\(dump())")
        #expect(stats.p95 <= PTP4lInteropTests.oneHopP95Bound, "\(stats), bound p95 \(PTP4lInteropTests.oneHopP95Bound) ns")
        let identity = InteropLab.identity(lab.log("gm.log"), "clock identity")
        #expect(identity != nil && InteropLab.identity(lab.log("slave.log"), "selected best master clock") == identity)

        let capture = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-i", lab.lab.b.interface, "-a", "duration:2", "-f", "ether proto 0x88f7", "-T", "fields", "-e",
                "eth.src", "-e", "eth.dst", "-e", "ptp.v2.majorsdoid", "-e", "ptp.v2.messagetype", "-e",
                "ptp.as.fu.organizationId", "-e", "ptp.as.fu.organizationSubType",
            ])
        let mac = try LabCommand.run("ip", ["-n", lab.lab.b.namespace, "-br", "link", "show", lab.lab.b.interface])
            .split(separator: " ").filter { !$0.isEmpty }.dropFirst(2).first.map(String.init)
        let frames = capture.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        .filter { $0.count == 6 && $0[0] == mac }
        let followUps = frames.filter { $0[3] == "0x08" }
        #expect(frames.count > 10 && followUps.count > 8, "tshark saw \(frames.count) frames:\n\(capture.suffix(800))")
        #expect(frames.allSatisfy { $0[1] == "01:80:c2:00:00:0e" && $0[2] == "0x01" }, "\(frames.prefix(6))")
        // 0x0080C2 = 32962.
        #expect(followUps.allSatisfy { $0[4] == "32962" && $0[5] == "1" }, "\(followUps.prefix(4))")
        #expect(lab.stop(daemon) == 0)
    }

    /// A Meridian gPTP slave (virtual clock 0.1 s and 30 ppm off) locks to a ptp4l gPTP grandmaster, and its
    /// true error stays within ±20 µs once locked, the bound of the default-profile case.
    @Test func meridianGPTPSlaveLocksToPtp4lGrandmaster() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let stock = try Self.stockFile()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write("gm.cfg", stock + Self.lab + "free_running 1\nuds_address \(lab.file("gm.sock").path)\n")
        let slave = try lab.meridianConfig(
            "slave", interface: lab.lab.b.interface,
            stock + Self.lab + "slaveOnly 1\nvirtual_clock_offset 0.1\nvirtual_clock_freq_ppm 30\n")
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "slave.log")
        let result = lab.trueErrorsOnceLocked(log: "slave.log", masterLog: "gm.log", count: 32)
        #expect(
            result != nil,
            "meridiand did not lock:\n\(lab.log("slave.log").suffix(2500))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1500))")
        guard let (window, logs) = result else { return }
        let stats = OffsetStatistics(window)
        print("meridiand gPTP slave of ptp4l over L2/P2P: true error \(stats)")
        #expect(window.count == 32, "\(window.count) values:\n\(logs)")
        #expect(window.allSatisfy { abs($0) < 20_000 }, "true error left ±20 µs: \(stats)")
    }

    static func automotive(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MeridianDaemonTests/Fixtures/linuxptp-3.1-configs/\(name).cfg")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The automotive profile with linuxptp's stock files unchanged (asCapable true on both): a ptp4l
    /// designated master (automotive-master.cfg: no Announce, no Pdelay_Req) serves a Meridian designated
    /// slave (automotive-slave.cfg: SLAVE from the start, the Sync of whoever sends it), whose true error is
    /// within ±20 µs once its servo has locked (s2); and a Meridian designated master serves a ptp4l
    /// designated slave, whose offsetFromMaster (polled) stays within the one-hop bound.
    @Test func automotiveMasterAndSlaveBothWays() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let master = try Self.automotive("automotive-master")
        let slave = try Self.automotive("automotive-slave")
        do {
            let lab = try InteropLab()
            defer { lab.tearDown() }
            let gm = try lab.write("gm.cfg", master + "\n[global]\nfree_running 1\nuds_address \(lab.file("gm.sock").path)\n")
            let sl = try lab.meridianConfig(
                "sl", interface: lab.lab.b.interface,
                slave + "\n[global]\nvirtual_clock_offset 0.0005\nvirtual_clock_freq_ppm 20\n")
            try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
            try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", sl], log: "sl.log")
            let dump = { "\(lab.log("sl.log").suffix(2500))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1200))" }
            let locked = lab.wait(seconds: 30) {
                let log = lab.log("sl.log")
                guard let range = log.range(of: " s2 ") else { return false }
                return InteropLab.trueErrors(String(log[range.upperBound...])).count >= 16
            }
            #expect(locked, "the Meridian designated slave did not lock:\n\(dump())")
            if locked {
                // automotive-slave.cfg asks the master (msg_interval_request) for operLogSyncInterval 0, one Sync a
                // second, once its servo has settled: the window may straddle that switch from 8 Sync/s, so it is 16
                // values, which take at most 16 s after it.
                let before = InteropLab.trueErrors(lab.log("sl.log")).count
                _ = lab.wait(seconds: 20) { InteropLab.trueErrors(lab.log("sl.log")).count >= before + 16 }
                let window = Array(InteropLab.trueErrors(lab.log("sl.log")).dropFirst(before).prefix(16))
                let stats = OffsetStatistics(window)
                print("meridiand automotive slave of a ptp4l automotive master: true error \(stats)")
                #expect(window.count == 16 && window.allSatisfy { abs($0) < 20_000 }, "\(stats)\n\(dump())")
                #expect(lab.log("sl.log").contains("port 1: INITIALIZING to SLAVE"), "\(dump())")
            }
        }
        do {
            let lab = try InteropLab()
            defer { lab.tearDown() }
            let poller = try CurrentDataSetPoller(
                server: lab.file("sl.sock").path, path: lab.file("poll.sock").path, transportSpecific: 1)
            defer { poller.stop() }
            let sl = try lab.write("sl.cfg", slave + "\n[global]\nfree_running 1\nuds_address \(lab.file("sl.sock").path)\n")
            let gm = try lab.meridianConfig("gm", interface: lab.lab.b.interface, master + "\n[global]\nfree_running 1\n")
            try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", sl, "-m"], log: "sl.log")
            try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
            let dump = { "\(lab.log("sl.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
            let following = lab.wait(seconds: 30) { poller.offsets.count >= 16 }
            #expect(following, "the ptp4l designated slave did not follow meridiand:\n\(dump())")
            guard following else { return }
            poller.reset()
            _ = lab.wait(seconds: 10) { poller.offsets.count >= 32 }
            let window = Array(poller.offsets.prefix(32))
            let stats = OffsetStatistics(window)
            print("ptp4l automotive slave of a meridiand automotive master: \(stats)")
            #expect(window.count == 32, "\(window.count) offsets:\n\(dump())")
            #expect(stats.p95 <= PTP4lInteropTests.oneHopP95Bound, "\(stats)")
            #expect(lab.log("gm.log").contains("port 1: INITIALIZING to MASTER"), "\(dump())")
        }
    }
}

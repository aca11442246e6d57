import Foundation
import MeridianConfig
import PTPCore
import PTPWire
import Testing

@testable import MeridianDaemon

/// CLOCK_DESCRIPTION's profileIdentity per port, as linuxptp 4 gives it (`port.c`, MID_CLOCK_DESCRIPTION), from
/// linuxptp's own stock files: the configured `profileIdentity` when it is not all zero, else the profile's.
struct ProfileIdentityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/linuxptp-3.1-configs")

    func portProfiles(_ text: String) throws -> [[UInt8]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-profile-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("m.cfg")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(DaemonOptions(configFile: file.path)).get()
        return DaemonSettings(configuration).ports.map(\.profileIdentity)
    }

    func stock(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func eachStockProfileCarriesItsOwnIdentity() throws {
        // default.cfg: E2E (IEEE 1588-2019 I.3); gPTP.cfg: P2P (I.4, linuxptp names no 802.1AS identity);
        // G.8275.1.cfg: L2 under the G.8275 comparison.
        #expect(try portProfiles(stock("default.cfg") + "\n[eth0]\n") == [[0x00, 0x1B, 0x19, 0x00, 0x01, 0x00]])
        #expect(try portProfiles(stock("gPTP.cfg") + "\n[eth0]\n") == [[0x00, 0x1B, 0x19, 0x00, 0x02, 0x00]])
        #expect(try portProfiles(stock("G.8275.1.cfg") + "\n[eth0]\n") == [[0x00, 0x19, 0xA7, 0x01, 0x02, 0x03]])
        // The G.8275 comparison over UDP is G.8275.2's (its stock file needs unicast; the comparison alone here).
        #expect(
            try portProfiles("[global]\ndataset_comparison G.8275.x\nnetwork_transport UDPv6\n[eth0]\n")
                == [[0x00, 0x19, 0xA7, 0x02, 0x01, 0x02]])
    }

    @Test func aConfiguredIdentityWinsPerPortAndZeroMeansTheProfiles() throws {
        let profiles = try portProfiles(
            "[global]\ndelay_mechanism P2P\n[eth0]\nprofileIdentity 00:11:22:33:44:55\n[eth1]\nprofileIdentity 00:00:00:00:00:00\n"
        )
        #expect(profiles == [[0x00, 0x11, 0x22, 0x33, 0x44, 0x55], [0x00, 0x1B, 0x19, 0x00, 0x02, 0x00]])
    }

    @Test func aMalformedIdentityStopsStartUpAtItsLine() throws {
        try CommandLineTests().withFiles(["m.conf": "[global]\n[eth0]\nprofileIdentity 00:19:A7:01:02\n"]) { directory in
            let file = directory.appendingPathComponent("m.conf").path
            let run = try CommandLineTests().meridiand(["-f", file, "--check-config"])
            #expect(run.status == 2)
            #expect(run.stderr.contains("\(file):3:"), "\(run.stderr)")
            #expect(run.stderr.contains("profileIdentity"), "\(run.stderr)")
        }
    }
}

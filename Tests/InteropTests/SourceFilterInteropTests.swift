import Foundation
import Testing

/// Issue #17, against a real ptp4l grandmaster: a meridiand port whose acceptable master table (IEEE 1588-2019
/// 17.6) or source allow-list leaves ptp4l's address out never takes it as master and counts what it dropped
/// (`meridian_port_filtered_total`); with ptp4l's address in the table it follows ptp4l as usual.
struct SourceFilterInteropTests {
    /// `meridian_port_filtered_total{…filter="NAME"…}` from /metrics.
    static func filtered(_ metrics: String, _ name: String) -> Double? {
        metrics.split(separator: "\n").first {
            $0.hasPrefix("meridian_port_filtered_total{") && $0.contains("filter=\"\(name)\"")
        }
        .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func aMasterOutsideTheTableIsNeverSelectedAndInsideItIsFollowed() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let curl = try InteropLab.tool("curl")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write(
            "gm.cfg",
            "[global]\nfree_running 1\npriority1 110\nlogAnnounceInterval -2\nuds_address \(lab.file("gm.sock").path)\n")
        _ = try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        let master = lab.lab.a.ipv4.map(String.init).joined(separator: ".")

        /// Runs meridiand with `port` lines for `seconds` (or until `until` holds); returns its log and /metrics.
        func run(_ name: String, port: String, seconds: Double, until: ((String) -> Bool)? = nil) throws -> (
            log: String, metrics: String
        ) {
            let conf = try lab.meridianConfig(name, interface: lab.lab.b.interface, "logAnnounceInterval -2", port: port)
            let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", conf], log: "\(name).log")
            _ = lab.wait(seconds: seconds) { until?(lab.log("\(name).log")) ?? false }
            let metrics = lab.run(in: lab.lab.b.namespace, [curl, "-s", "--max-time", "2", "http://127.0.0.1:9319/metrics"])
            lab.stop(daemon)
            return (lab.log("\(name).log"), metrics)
        }

        // ptp4l's Announces (4 a second) are dropped: no foreign master, no BMCA choice of ptp4l, all counted.
        let outside = try run("outside", port: "acceptable_master_table 10.99.99.99", seconds: 3)
        #expect(!outside.log.contains("selected best master clock"), "\(outside.log.suffix(1500))")
        let dropped = Self.filtered(outside.metrics, "acceptable_master_table") ?? -1
        #expect(dropped >= 6, "filtered: \(dropped)\n\(outside.metrics.prefix(300))")
        #expect(Self.filtered(outside.metrics, "source_allow_list") == 0)
        // Every message of a source outside the allow-list is dropped, Announce or not.
        let unlisted = try run("unlisted", port: "source_allow_list 10.99.99.99", seconds: 3)
        #expect(!unlisted.log.contains("selected best master clock"), "\(unlisted.log.suffix(1500))")
        #expect((Self.filtered(unlisted.metrics, "source_allow_list") ?? -1) >= 6)
        // With ptp4l's address in both lists, meridiand follows it.
        let inside = try run(
            "inside", port: "acceptable_master_table \(master)\nsource_allow_list \(master)", seconds: 10,
            until: { $0.contains("selected best master clock") && $0.contains("master offset") })
        #expect(inside.log.contains("selected best master clock"), "\(inside.log.suffix(1500))")
        #expect(Self.filtered(inside.metrics, "acceptable_master_table") == 0)
    }
}

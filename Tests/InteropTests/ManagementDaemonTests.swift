import Foundation
import Testing

/// linuxptp's own pmc against a running meridiand that follows a ptp4l grandmaster.
@Suite(.serialized)
struct ManagementDaemonTests {
    static let gets = [
        "USER_DESCRIPTION", "DEFAULT_DATA_SET", "CURRENT_DATA_SET", "PARENT_DATA_SET", "TIME_PROPERTIES_DATA_SET",
        "PRIORITY1", "PRIORITY2", "DOMAIN", "SLAVE_ONLY", "CLOCK_ACCURACY", "TRACEABILITY_PROPERTIES",
        "TIMESCALE_PROPERTIES", "TIME_STATUS_NP", "GRANDMASTER_SETTINGS_NP", "SUBSCRIBE_EVENTS_NP",
        "SYNCHRONIZATION_UNCERTAIN_NP", "NULL_MANAGEMENT", "CLOCK_DESCRIPTION", "PORT_DATA_SET",
        "LOG_ANNOUNCE_INTERVAL", "ANNOUNCE_RECEIPT_TIMEOUT", "LOG_SYNC_INTERVAL", "VERSION_NUMBER",
        "DELAY_MECHANISM", "LOG_MIN_PDELAY_REQ_INTERVAL", "PORT_DATA_SET_NP", "PORT_STATS_NP", "PORT_PROPERTIES_NP",
    ]

    func run(_ lab: InteropLab, in namespace: String, _ arguments: [String]) -> String {
        lab.run(in: namespace, arguments)
    }

    func field(_ text: String, _ name: String) -> String? { InteropLab.field(text, name) }

    @Test func pmcReadsAndSetsARunningMeridian() throws {
        let pmc = try InteropLab.tool("pmc")
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        guard let running = try lab.startMeridianFollowingPTP4l() else { return }
        let socket = running.socket
        let ptp4lIdentity = lab.log("gm.log").split(separator: "\n").first { $0.contains("selected local clock") }
            .flatMap { $0.split(separator: " ").first { $0.contains(".fffe.") } }.map(String.init)

        // Every GET pmc 3.1 lists, through the read-write socket, in one pmc batch (pmc stops listening
        // 100 ms after its last request; the replies wait for pmc to read, as ptp4l's do): one RESPONSE
        // each, no error status.
        let answer = run(lab, in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", socket] + Self.gets.map { "GET \($0)" })
        // pmc 3.1 prints nothing for NULL_MANAGEMENT, even from ptp4l (see the reference transcripts).
        for id in Self.gets where id != "NULL_MANAGEMENT" {
            #expect(answer.contains("RESPONSE MANAGEMENT \(id) "), "no RESPONSE for \(id):\n\(answer.suffix(1500))")
        }
        #expect(!answer.contains("MANAGEMENT_ERROR_STATUS"), "\(answer)")
        // A slave: its parent data set names the ptp4l grandmaster one step away.
        #expect(field(answer, "grandmasterIdentity") == ptp4lIdentity, "grandmasterIdentity vs ptp4l \(ptp4lIdentity ?? "?")")
        #expect(field(answer, "stepsRemoved") == "1")
        #expect(field(answer, "gm.ClockClass") == "248")
        #expect(field(answer, "portState") == "SLAVE" || field(answer, "portState") == "UNCALIBRATED")
        // PORT_STATS_NP counts what the port really received: Sync and Announce from the ptp4l master.
        let stats = run(lab, in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", socket, "GET PORT_STATS_NP"])
        let rxSync = field(stats, "rx_Sync").flatMap(Int.init) ?? 0
        let rxAnnounce = field(stats, "rx_Announce").flatMap(Int.init) ?? 0
        let txDelayReq = field(stats, "tx_Delay_Req").flatMap(Int.init) ?? 0
        #expect(rxSync >= 2 && rxAnnounce >= 2 && txDelayReq >= 1, "PORT_STATS_NP:\n\(stats)")
        // meridianctl reads the same state.
        let json = run(lab, in: lab.lab.b.namespace, [meridianctl, "-u", "-s", socket, "--json", "GET PARENT_DATA_SET"])
        #expect(json.contains(ptp4lIdentity ?? "missing"), "meridianctl --json: \(json)")

        // Over the network from the other namespace, as pmc -4 does: the same answer; a SET is refused.
        let network = run(
            lab, in: lab.lab.a.namespace,
            [pmc, "-4", "-i", lab.lab.a.interface, "-b", "1", "GET PARENT_DATA_SET", "SET PRIORITY1 90"])
        #expect(network.contains("RESPONSE MANAGEMENT PARENT_DATA_SET"), "\(network)")
        #expect(network.contains("MANAGEMENT_ERROR_STATUS"), "a network SET must be refused:\n\(network)")

        // SET PRIORITY1 100 over the socket: Meridian is now better than ptp4l (110) and takes over.
        let set = run(lab, in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", socket, "SET PRIORITY1 100"])
        #expect(set.contains("RESPONSE MANAGEMENT PRIORITY1"), "\(set)")
        #expect(
            lab.wait(seconds: 15) {
                lab.log("m.log").contains("assuming the grand master role")
                    && lab.log("gm.log").split(separator: "\n").last { $0.contains("selected best master clock") } != nil
            },
            "BMCA did not change:\n\(lab.log("m.log").suffix(1500))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1500))")
    }
}

import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// Unicast P2P (`peer_address`, linuxptp port.c `port_pdelay_request`, unicast_client.c
/// `unicast_client_peer_renew`) against linuxptp 3.1 over a veth pair, UDPv4, software stamps, both ways (the two
/// cases run side by side, each in its own namespaces): the side with a unicast master table and a `peer_address`
/// asks the other for Pdelay_Resp service and sends its Pdelay_Req by unicast to that address; the other grants it
/// (`unicast_listen`) and answers by unicast to the sender. A free-running ptp4l, meridiand on a virtual clock.
/// Each case runs about 12 s: a 10 s capture, and the peer delay read once the requester follows the other
/// (SLAVE, or UNCALIBRATED for a free-running ptp4l).
@Suite
struct UnicastPeerDelayInteropTests {
    /// Which side asks: ptp4l asks meridiand, or meridiand asks ptp4l. The requester follows the other (a unicast
    /// slave of it) so its Sync come by grant too.
    enum Requester: String, CustomStringConvertible, CaseIterable, Sendable {
        case ptp4l, meridiand
        var description: String { rawValue }
    }

    /// The peer delay veth links give with software stamps is tens of µs at most (ns, as pmc prints it).
    static let peerDelayBound: Int64 = 100_000

    @Test(arguments: Requester.allCases)
    func peerAddressPdelayIsUnicastBothWays(_ requester: Requester) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let tshark = try InteropLab.tool("tshark")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        // ptp4l in namespace a, meridiand in b.
        let ptp4lAddress = lab.lab.a.ipv4.map(String.init).joined(separator: ".")
        let meridianAddress = lab.lab.b.ipv4.map(String.init).joined(separator: ".")
        let common = """
            free_running 1
            delay_mechanism P2P
            logAnnounceInterval -2
            logSyncInterval -4
            logMinPdelayReqInterval -2
            unicast_req_duration 60
            """
        let ptp4lText: String
        let meridianExtra: String
        var meridianPort = ""
        switch requester {
        case .ptp4l:
            // UNICAST-SLAVE.cfg's table shape with the Meridian master as master and as peer, 1 s query ticks.
            ptp4lText = """
                [global]
                \(common)
                slaveOnly 1
                uds_address \(lab.file("p.sock").path)
                [unicast_master_table]
                table_id 1
                logQueryInterval 0
                UDPv4 \(meridianAddress)
                peer_address \(meridianAddress)
                [\(lab.lab.a.interface)]
                unicast_master_table 1

                """
            meridianExtra = "\(common)\nunicast_listen 1\npriority1 100"
        case .meridiand:
            ptp4lText = """
                [global]
                \(common)
                unicast_listen 1
                priority1 100
                uds_address \(lab.file("p.sock").path)

                """
            meridianExtra = """
                \(common)
                slaveOnly 1
                [unicast_master_table]
                table_id 1
                logQueryInterval 0
                UDPv4 \(ptp4lAddress)
                peer_address \(ptp4lAddress)
                """
            meridianPort = "unicast_master_table 1"
        }
        let ptp4lConfig = try lab.write("ptp4l.cfg", ptp4lText)
        let meridianConfig = try lab.meridianConfig(
            "m", interface: lab.lab.b.interface, meridianExtra, port: meridianPort)
        let pcap = lab.file("peer.pcap").path
        let capture = try lab.start(
            in: lab.lab.b.namespace, tshark,
            ["-i", lab.lab.b.interface, "-a", "duration:10", "-f", "udp port 319 or udp port 320", "-w", pcap],
            log: "tshark.log")
        _ = lab.wait(seconds: 3) { FileManager.default.fileExists(atPath: pcap) }
        try lab.start(
            in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", ptp4lConfig, "-m", "-4"], log: "ptp4l.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", meridianConfig], log: "meridiand.log")
        let dump = { "ptp4l:\n\(lab.log("ptp4l.log").suffix(1500))\n--- meridiand:\n\(lab.log("meridiand.log").suffix(2000))" }

        // The requester is a SLAVE and has a peer delay (pmc reads ptp4l's or meridiand's own socket).
        let (namespace, socket) =
            requester == .ptp4l ? (lab.lab.a.namespace, lab.file("p.sock").path) : (lab.lab.b.namespace, lab.file("m.sock").path)
        var view = ""
        func peerDelay() -> Int64? {
            InteropLab.field(view, "peerMeanPathDelay").flatMap { Int64($0) }
        }
        let measured = lab.wait(seconds: 10) {
            view = lab.run(in: namespace, [pmc, "-u", "-b", "0", "-s", socket, "GET PORT_DATA_SET"])
            // (A free-running ptp4l never leaves UNCALIBRATED: its servo does not lock.)
            let following = ["SLAVE", "UNCALIBRATED"].contains(InteropLab.field(view, "portState") ?? "")
            return following && (peerDelay() ?? 0) > 0
        }
        print(
            "unicast P2P, \(requester) asks: \(InteropLab.field(view, "portState") ?? "?"), peer delay \(peerDelay().map(String.init) ?? "?") ns"
        )
        #expect(measured, "\(requester) did not follow the other with a peer delay:\n\(view)\n\(dump())")
        #expect(peerDelay().map { $0 > 0 && $0 < Self.peerDelayBound } == true, "\(view)")

        _ = lab.wait(seconds: 12) { !capture.isRunning }
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(dump())")
        // What went on the wire, per (source, destination, messageType, unicast flag, TLV type, TLV messageType,
        // duration).
        let fields = lab.run(
            in: lab.lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y", "ptp", "-T", "fields", "-E", "occurrence=l", "-e", "ip.src", "-e", "ip.dst", "-e",
                "ptp.v2.messagetype", "-e", "ptp.v2.flags.unicast", "-e", "ptp.v2.sig.tlv.tlvType", "-e",
                "ptp.v2.sig.tlv.messageType", "-e", "ptp.v2.sig.tlv.durationField",
            ])
        let rows = fields.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        .filter { $0.count == 7 }
        let (asker, answerer) = requester == .ptp4l ? (ptp4lAddress, meridianAddress) : (meridianAddress, ptp4lAddress)
        func from(_ source: String, _ type: String) -> [[String]] { rows.filter { $0[0] == source && $0[2] == type } }
        // The requester's Pdelay_Req: all by unicast to the peer, unicast flag set.
        let requests = from(asker, "0x02")
        print(
            "unicast P2P, \(requester) asks: \(requests.count) Pdelay_Req, \(from(answerer, "0x03").filter { $0[1] == asker }.count) unicast Pdelay_Resp in 10 s"
        )
        #expect(
            requests.count >= 8 && requests.allSatisfy { $0[1] == answerer && $0[3] == "1" },
            "Pdelay_Req from \(asker): \(requests.prefix(8))")
        // The responder's Pdelay_Resp and Follow_Up to those: by unicast to the requester.
        for type in ["0x03", "0x0a"] {
            let answers = from(answerer, type).filter { $0[1] == asker }
            #expect(answers.count >= 8 && answers.allSatisfy { $0[3] == "1" }, "\(type) from \(answerer): \(answers.prefix(8))")
        }
        // None of the requester's Pdelay_Req went multicast, so no multicast answer is owed to it: a multicast
        // Pdelay_Resp to the requester's identity would mean a unicast request was answered multicast.
        #expect(rows.allSatisfy { !($0[0] == asker && $0[2] == "0x02" && $0[1].hasPrefix("224.")) })
        // The negotiation: a REQUEST (tlvType 4) of Pdelay_Resp (messageType 3) for 60 s from the requester, and
        // a GRANT (tlvType 5) of it for 60 s from the responder.
        let asked = from(asker, "0x0c").filter { $0[4] == "4" && $0[5] == "0x03" && $0[6] == "60" }
        let granted = from(answerer, "0x0c").filter { $0[4] == "5" && $0[5] == "0x03" && $0[6] == "60" }
        #expect(!asked.isEmpty && !granted.isEmpty, "Signaling:\n\(rows.filter { $0[2] == "0x0c" }.prefix(20))\n\(dump())")
        let malformed = lab.malformedFrames(tshark, pcap: pcap)
        #expect(malformed.isEmpty, "tshark found malformed or error-level fields in frames \(malformed.prefix(20))")
    }
}

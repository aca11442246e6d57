import Glibc
import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

/// Our sockets against linuxptp's: ptp4l (software timestamps, never adjusting the clock: free_running)
/// runs as master on one side of the veth; our transport on the other side receives its Announce and Sync,
/// sends a Delay_Req, and gets ptp4l's Delay_Resp, whose receiveTimestamp is ptp4l's own kernel stamp of our
/// message on the same system clock.
@Suite("Interoperation with linuxptp's ptp4l")
struct LinuxPTPInteropTests {
    static let clockIdentity: [UInt8] = [0x02, 0x4D, 0x45, 0x52, 0x49, 0x44, 0x00, 0x01]

    /// A Delay_Req (IEEE 1588-2019 13.6): header with our port identity and `sequenceId`, zero origin timestamp.
    func delayRequest(sequenceId: UInt16) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 44)
        bytes[0] = 0x01
        bytes[1] = 0x02
        bytes[3] = 44
        bytes.replaceSubrange(20..<28, with: Self.clockIdentity)
        bytes[29] = 1
        bytes[30] = UInt8(sequenceId >> 8)
        bytes[31] = UInt8(sequenceId & 0xFF)
        bytes[32] = 0x01
        bytes[33] = 0x7F
        return bytes
    }

    @Test(
        "ptp4l's messages arrive stamped; its Delay_Resp answers our Delay_Req and its stamp follows ours",
        arguments: TransportKind.allCases)
    func againstPTP4L(kind: TransportKind) throws {
        // Fails (never skips) with "install the Debian package linuxptp" when ptp4l is missing.
        try LabCommand.run("ptp4l", ["-v"])
        // ptp4l's sockets may open after ours: the first Sync must not depend on which did first.
        let stamping = ReceiveStampingGuard()
        defer { stamping.close() }
        let lab = try VethLab.create()
        defer { lab.remove() }
        let flag = kind == .udpIPv4 ? "-4" : kind == .udpIPv6 ? "-6" : "-2"
        let ptp4l = try LabProcess.spawn(
            "ip",
            [
                "netns", "exec", lab.a.namespace, "ptp4l", "-i", lab.a.interface, "-S", flag, "-m", "-q",
                "--free_running=1", "--logAnnounceInterval=-3", "--logSyncInterval=-3", "--announceReceiptTimeout=2",
            ])
        defer { ptp4l.terminate() }
        let name = lab.b.interface
        let transport = try NetworkNamespace.withNamespace(lab.b.namespace) {
            try kind.open(TransportConfiguration(interfaceName: name))
        }
        defer { transport.close() }

        let sync = try #require(
            try receive(transport, within: .milliseconds(5000)) { $0.bytes.first.map { $0 & 0x0F } == 0x0 },
            "\(kind): no Sync from ptp4l (is it running? \(ptp4l.isRunning))")
        #expect(sync.channel == .event && sync.timestamp != nil)
        let announce = try #require(
            try receive(transport, within: .milliseconds(2000)) { $0.bytes.first.map { $0 & 0x0F } == 0xB })
        #expect(announce.channel == .general && announce.timestamp == nil)

        let request = delayRequest(sequenceId: 4321)
        let token = try #require(try transport.send(request, channel: .event, to: .primaryMulticast))
        guard case .stamped(let transmitted) = transport.transmitTimestamp(for: token) else {
            Issue.record("\(kind): our Delay_Req got no TX stamp")
            return
        }
        let response = try #require(
            try receive(transport, within: .milliseconds(2000)) { message in
                message.bytes.count >= 54 && message.bytes[0] & 0x0F == 0x9 && Array(message.bytes[44..<52]) == Self.clockIdentity
            }, "\(kind): ptp4l did not answer our Delay_Req")
        #expect(response.bytes[30] == 0x10 && response.bytes[31] == 0xE1, "sequenceId 4321 echoed")
        let bytes = response.bytes
        let seconds = (34..<40).reduce(Int64(0)) { $0 << 8 | Int64(bytes[$1]) }
        let nanoseconds = (40..<44).reduce(Int64(0)) { $0 << 8 | Int64(bytes[$1]) }
        let theirReceive = PTPInstant(seconds: seconds, nanoseconds: nanoseconds)
        let delay = theirReceive - transmitted
        print("\(kind): ptp4l's RX stamp of our Delay_Req − our TX stamp = \(delay)")
        #expect(delay > .zero && delay < .milliseconds(5), "\(kind): \(delay)")
    }
}

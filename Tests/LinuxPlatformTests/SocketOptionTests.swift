import CLinuxShims
import Glibc
import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

/// What the socket options put on the wire, seen by a raw capture socket on the peer.
@Suite("Socket options on the wire")
struct SocketOptionTests {
    /// Frames captured on the peer's interface (all ethertypes), for at most `within`.
    func capture(fd: CInt, within: Duration, until done: ([UInt8]) -> Bool) -> [UInt8]? {
        let deadline = ContinuousClock.now + within
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<10_000 where ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: CShort(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let frame = Array(buffer[0..<n])
            if done(frame) { return frame }
        }
        return nil
    }

    @Test("DSCP per channel and multicast TTL / hop limit reach the IP header", arguments: [TransportKind.udpIPv4, .udpIPv6])
    func dscpAndTTL(kind: TransportKind) throws {
        try withTransportPair(
            kind,
            configure: {
                $0.dscpEvent = 46
                $0.dscpGeneral = 10
                $0.multicastTTL = 3
            }
        ) { lab, a, _ in
            let interface = lab.b.interface
            let fd = try NetworkNamespace.withNamespace(lab.b.namespace) { () -> CInt in
                let fd = socket(
                    AF_PACKET, CInt(SOCK_RAW.rawValue) | CInt(SOCK_CLOEXEC.rawValue), CInt(UInt16(ETH_P_ALL).bigEndian))
                guard fd >= 0, CLinuxShims_packet_bind(fd, CInt(if_nametoindex(interface)), UInt16(ETH_P_ALL)) == 0 else {
                    throw LabCommand.Failure("capture socket: errno \(errno)")
                }
                return fd
            }
            defer { close(fd) }
            for (channel, dscp, port) in [(TransportChannel.event, UInt8(46), UInt16(319)), (.general, 10, 320)] {
                let message = ptpMessage(type: channel == .event ? 0 : 0xB, index: 77, length: 64)
                _ = try a.send(message, channel: channel, to: .primaryMulticast)
                let frame = try #require(
                    capture(fd: fd, within: .seconds(2)) { frame in
                        frame.count > 62 && Array(frame.suffix(64)) == message
                    }, "\(kind) \(channel): message not captured")
                if kind == .udpIPv4 {
                    #expect(frame[12] == 0x08 && frame[13] == 0x00)
                    #expect(frame[15] >> 2 == dscp, "TOS \(frame[15])")
                    #expect(frame[22] == 3, "TTL \(frame[22])")
                    #expect(UInt16(frame[36]) << 8 | UInt16(frame[37]) == port)
                } else {
                    #expect(frame[12] == 0x86 && frame[13] == 0xDD)
                    let trafficClass = (frame[14] & 0x0F) << 4 | frame[15] >> 4
                    #expect(trafficClass >> 2 == dscp, "traffic class \(trafficClass)")
                    #expect(frame[21] == 3, "hop limit \(frame[21])")
                    #expect(Array(frame[38..<54]) == UDPv6Transport.primaryGroup(scope: 0xE))
                    #expect(UInt16(frame[56]) << 8 | UInt16(frame[57]) == port)
                }
            }
        }
    }

    @Test(
        "a transport does not hear what another transport on its own interface sends (loop off)",
        arguments: TransportKind.allCases)
    func noLoopback(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, b in
            let interface = lab.a.interface
            let neighbour = try NetworkNamespace.withNamespace(lab.a.namespace) {
                try kind.open(TransportConfiguration(interfaceName: interface))
            }
            defer { neighbour.close() }
            let message = ptpMessage(type: 0, index: 31)
            _ = try a.send(message, channel: .event, to: .primaryMulticast)
            // The peer hears it; the neighbour on the sending side does not.
            #expect(try receive(b) { $0.bytes == message } != nil)
            #expect(try receive(neighbour, within: .milliseconds(300)) { $0.bytes == message } == nil)
            // The neighbour does hear the peer, so its silence above is the loop being off, not a dead socket.
            let reply = ptpMessage(type: 0, index: 32)
            _ = try b.send(reply, channel: .event, to: .primaryMulticast)
            #expect(try receive(neighbour) { $0.bytes == reply } != nil)
        }
    }

    /// `ptp_dst_mac` and `p2p_dst_mac` (G.8275.1 sends everything to 01-80-C2-00-00-0E): the destination
    /// of what an IEEE 802.3 transport sends, and both groups are joined so the peer hears it; `socket_priority`
    /// is accepted by the kernel on every socket (the transport opens with it).
    @Test("IEEE 802.3 destinations from ptp_dst_mac and p2p_dst_mac; SO_PRIORITY set")
    func destinationMACs() throws {
        let primary: [UInt8] = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E]
        let peer: [UInt8] = [0x01, 0x1B, 0x19, 0x00, 0x00, 0x00]
        try withTransportPair(
            .ethernet,
            configure: {
                $0.primaryMAC = primary
                $0.peerDelayMAC = peer
                $0.socketPriority = 7
            }
        ) { lab, a, b in
            let interface = lab.b.interface
            let fd = try NetworkNamespace.withNamespace(lab.b.namespace) { () -> CInt in
                let fd = socket(
                    AF_PACKET, CInt(SOCK_RAW.rawValue) | CInt(SOCK_CLOEXEC.rawValue), CInt(UInt16(ETH_P_ALL).bigEndian))
                guard fd >= 0, CLinuxShims_packet_bind(fd, CInt(if_nametoindex(interface)), UInt16(ETH_P_ALL)) == 0 else {
                    throw LabCommand.Failure("capture socket: errno \(errno)")
                }
                return fd
            }
            defer { close(fd) }
            for (destination, mac, index) in [
                (TransportDestination.primaryMulticast, primary, UInt32(41)), (.peerDelayMulticast, peer, 42),
            ] {
                let message = ptpMessage(type: 0, index: index, length: 64)
                _ = try a.send(message, channel: .event, to: destination)
                let frame = try #require(
                    capture(fd: fd, within: .seconds(2)) { Array($0.suffix(64)) == message }, "\(destination) not captured")
                #expect(Array(frame[0..<6]) == mac, "\(destination): sent to \(frame[0..<6])")
                #expect(try receive(b) { $0.bytes == message } != nil)
            }
        }
    }
}

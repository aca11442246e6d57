import CLinuxShims
import Glibc
import PTPCore
import Testing

@testable import LinuxPlatform

/// The structures the shims walk: control messages, netlink link messages, the BPF program.
@Suite("Control messages and other shim structures")
struct ControlMessageTests {
    /// A `sock_extended_err` as the kernel lays it out: errno, origin, type, code, pad, info, data.
    func extendedError(errno: UInt32, origin: UInt8, data: UInt32) -> [UInt8] {
        withUnsafeBytes(of: errno.littleEndian) { Array($0) } + [origin, 0, 0, 0]
            + withUnsafeBytes(of: UInt32(0)) { Array($0) } + withUnsafeBytes(of: data.littleEndian) { Array($0) }
    }

    func parse(_ messages: [(level: CInt, type: CInt, data: [UInt8])], flags: CInt = 0) -> CLinuxShims_ControlInfo {
        var control = [UInt8](repeating: 0, count: 1024)
        var used = 0
        control.withUnsafeMutableBytes { raw in
            for message in messages {
                let appended = message.data.withUnsafeBytes {
                    CLinuxShims_cmsg_append(
                        raw.baseAddress, raw.count, &used, message.level, message.type, $0.baseAddress, $0.count)
                }
                #expect(appended == 0)
            }
        }
        var info = CLinuxShims_ControlInfo()
        control.withUnsafeMutableBytes { raw in
            var header = msghdr()
            header.msg_control = raw.baseAddress
            header.msg_controllen = used
            header.msg_flags = flags
            CLinuxShims_parse_control(&header, &info)
        }
        return info
    }

    func timestamping(_ stamps: [(Int, Int)]) -> [UInt8] {
        stamps.flatMap { stamp in
            withUnsafeBytes(of: timespec(tv_sec: stamp.0, tv_nsec: stamp.1)) { Array($0) }
        }
    }

    @Test("SCM_TIMESTAMPING: software in ts[0], raw hardware in ts[2]; the socket picks by mode")
    func timestampingMessage() throws {
        let info = parse([(SOL_SOCKET, CLinuxShims_SO_TIMESTAMPING, timestamping([(100, 5), (0, 0), (200, 7)]))])
        #expect(info.has_timestamping == 1)
        #expect(info.timestamping.0.tv_sec == 100 && info.timestamping.0.tv_nsec == 5)
        #expect(info.timestamping.2.tv_sec == 200 && info.timestamping.2.tv_nsec == 7)
        #expect(info.has_extended_error == 0)
        let software = try TimestampingSocket(
            domain: AF_INET, type: CInt(SOCK_DGRAM.rawValue), protocol: 0,
            interfaceName: "lo", timestamping: .software, maxConsecutiveMisses: 3)
        defer { software.close() }
        let hardware = try TimestampingSocket(
            domain: AF_INET, type: CInt(SOCK_DGRAM.rawValue), protocol: 0,
            interfaceName: "lo", timestamping: .hardware, maxConsecutiveMisses: 3)
        defer { hardware.close() }
        #expect(software.stamp(from: info) == PTPInstant(seconds: 100, nanoseconds: 5))
        #expect(hardware.stamp(from: info) == PTPInstant(seconds: 200, nanoseconds: 7))
        // A hardware socket given only a software stamp has none (zero means absent), and vice versa.
        let onlySoftware = parse([(SOL_SOCKET, CLinuxShims_SO_TIMESTAMPING, timestamping([(100, 5), (0, 0), (0, 0)]))])
        #expect(hardware.stamp(from: onlySoftware) == nil)
    }

    @Test(
        "sock_extended_err is read from IPv4, IPv6 and packet sockets' error queues",
        arguments: [(CInt(0), CInt(11)), (CInt(41), CInt(25)), (CInt(263), CInt(16))])
    func extendedErrorMessage(level: CInt, type: CInt) {
        let info = parse([
            (SOL_SOCKET, CLinuxShims_SO_TIMESTAMPING, timestamping([(1, 2), (0, 0), (0, 0)])),
            (
                level, type,
                extendedError(errno: UInt32(CLinuxShims_ENOMSG), origin: UInt8(CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING), data: 4242)
            ),
        ])
        #expect(info.has_timestamping == 1)
        #expect(info.has_extended_error == 1)
        #expect(Int32(info.ee_errno) == CLinuxShims_ENOMSG)
        #expect(Int32(info.ee_origin) == CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING)
        #expect(info.ee_data == 4242)
    }

    @Test("short, unknown and truncated control messages are ignored or flagged, never misread")
    func malformed() {
        let short = parse([(SOL_SOCKET, CLinuxShims_SO_TIMESTAMPING, [1, 2, 3, 4])])
        #expect(short.has_timestamping == 0)
        let unknown = parse([(SOL_SOCKET, 99, [UInt8](repeating: 1, count: 48))])
        #expect(unknown.has_timestamping == 0 && unknown.has_extended_error == 0)
        let truncated = parse([], flags: CInt(MSG_CTRUNC))
        #expect(truncated.control_truncated == 1)
        var buffer = [UInt8](repeating: 0, count: 8)
        var used = 0
        let data: [UInt8] = [1, 2, 3]
        let result = buffer.withUnsafeMutableBytes { raw in
            data.withUnsafeBytes { CLinuxShims_cmsg_append(raw.baseAddress, raw.count, &used, 0, 0, $0.baseAddress, $0.count) }
        }
        #expect(result == -1)
    }

    @Test("rtnetlink link messages: index, flags, name, deletion")
    func linkMessages() {
        var buffer = [UInt8](repeating: 0, count: 512)
        let upFlags = CLinuxShims_IFF_UP | CLinuxShims_IFF_RUNNING
        let first = buffer.withUnsafeMutableBytes {
            CLinuxShims_build_link_message($0.baseAddress, $0.count, 0, 7, upFlags, "veth7")
        }
        #expect(first > 0)
        let second = buffer.withUnsafeMutableBytes {
            CLinuxShims_build_link_message($0.baseAddress.map { $0 + Int(first) }, $0.count - Int(first), 1, 8, 0, "eth8")
        }
        #expect(second > 0)
        var events = [CLinuxShims_LinkEvent](repeating: CLinuxShims_LinkEvent(), count: 4)
        let count = buffer.withUnsafeBytes { raw in
            events.withUnsafeMutableBufferPointer {
                CLinuxShims_parse_link_messages(raw.baseAddress, Int(first + second), $0.baseAddress, 4)
            }
        }
        #expect(count == 2)
        #expect(events[0].ifindex == 7 && events[0].flags == upFlags && events[0].deleted == 0)
        #expect(withUnsafeBytes(of: events[0].ifname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == "veth7")
        #expect(events[1].ifindex == 8 && events[1].deleted == 1)
        // A capacity of one stops after one.
        let limited = buffer.withUnsafeBytes { raw in
            events.withUnsafeMutableBufferPointer {
                CLinuxShims_parse_link_messages(raw.baseAddress, Int(first + second), $0.baseAddress, 1)
            }
        }
        #expect(limited == 1)
    }

    /// Runs the classic BPF program over `frame` (the instructions it uses: ldh abs, jeq k, ret k).
    func runFilter(_ frame: [UInt8]) -> UInt32? {
        var pc: Int32 = 0
        var accumulator: UInt32 = 0
        for _ in 0..<16 {
            var code: UInt16 = 0
            var jt: UInt8 = 0
            var jf: UInt8 = 0
            var k: UInt32 = 0
            CLinuxShims_ptp_filter_instruction(pc, &code, &jt, &jf, &k)
            switch code {
            case 0x28:  // ldh [k]
                guard Int(k) + 1 < frame.count else { return 0 }
                accumulator = UInt32(frame[Int(k)]) << 8 | UInt32(frame[Int(k) + 1])
                pc += 1
            case 0x15:  // jeq #k, jt, jf
                pc += 1 + Int32(accumulator == k ? jt : jf)
            case 0x06:  // ret #k
                return k
            default:
                return nil
            }
        }
        return nil
    }

    @Test("the BPF program accepts ethertype 0x88F7, untagged or behind one VLAN tag, and nothing else")
    func ptpFilter() {
        #expect(CLinuxShims_ptp_filter_length() == 7)
        let macs = [UInt8](repeating: 0xAA, count: 12)
        let ptp = macs + [0x88, 0xF7] + [UInt8](repeating: 0, count: 44)
        let tagged = macs + [0x81, 0x00, 0x00, 0x05, 0x88, 0xF7] + [UInt8](repeating: 0, count: 44)
        let ipv4 = macs + [0x08, 0x00] + [UInt8](repeating: 0, count: 44)
        let taggedIPv4 = macs + [0x81, 0x00, 0x00, 0x05, 0x08, 0x00] + [UInt8](repeating: 0, count: 44)
        #expect(runFilter(ptp) == 0xFFFF)
        #expect(runFilter(tagged) == 0xFFFF)
        #expect(runFilter(ipv4) == 0)
        #expect(runFilter(taggedIPv4) == 0)
        #expect(runFilter([0x01]) == 0)
        var code: UInt16 = 1
        var jt: UInt8 = 0
        var jf: UInt8 = 0
        var k: UInt32 = 0
        CLinuxShims_ptp_filter_instruction(99, &code, &jt, &jf, &k)
        #expect(code == 0)
    }

    @Test("FD_TO_CLOCKID matches the kernel's encoding")
    func clockID() {
        #expect(CLinuxShims_FD_TO_CLOCKID(3) == clockid_t(bitPattern: (~UInt32(3) << 3) | 3))
        #expect(CLinuxShims_FD_TO_CLOCKID(3) < 0)
    }
}

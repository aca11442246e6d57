import Foundation

/// Shared by the test targets that read linuxptp's captures.
/// A minimal pcapng reader for the test fixtures: section header, interface description and enhanced
/// packet blocks, either byte order. Other block types are skipped.
public struct PcapNG {
    public struct Packet {
        /// Index of the packet in the file, 0-based (tshark's frame number minus one).
        public var index: Int
        public var linkType: UInt16
        public var data: [UInt8]
    }

    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let why): "pcapng: \(why)"
            }
        }
    }

    public static func read(_ url: URL) throws -> [Packet] {
        let bytes = [UInt8](try Data(contentsOf: url))
        var packets: [Packet] = []
        var linkTypes: [UInt16] = []
        var offset = 0
        var bigEndian = false
        func u32(_ at: Int) -> UInt32 {
            let b = bytes[at..<at + 4].map(UInt32.init)
            return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        }
        func u16(_ at: Int) -> UInt16 {
            let b = bytes[at..<at + 2].map(UInt16.init)
            return bigEndian ? b[0] << 8 | b[1] : b[1] << 8 | b[0]
        }
        while offset + 12 <= bytes.count {
            let type = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if type == 0x0A0D_0D0A {
                // Byte-order magic 0x1A2B3C4D follows the block length.
                bigEndian = bytes[offset + 8] == 0x1A
                linkTypes = []
            }
            let blockType = u32(offset)
            let length = Int(u32(offset + 4))
            guard length >= 12, offset + length <= bytes.count else {
                throw Failure.malformed("block at \(offset) has length \(length)")
            }
            switch blockType {
            case 0x0000_0001:
                linkTypes.append(u16(offset + 8))
            case 0x0000_0006:
                let interface = Int(u32(offset + 8))
                let captured = Int(u32(offset + 20))
                let start = offset + 28
                guard interface < linkTypes.count, start + captured <= offset + length else {
                    throw Failure.malformed("packet block at \(offset)")
                }
                packets.append(
                    Packet(index: packets.count, linkType: linkTypes[interface], data: Array(bytes[start..<start + captured])))
            default:
                break
            }
            offset += length
        }
        return packets
    }
}

/// The PTP payload of a captured Ethernet frame: UDP ports 319/320 over IPv4 or IPv6, or ethertype 0x88F7.
public enum PTPPayload {
    public enum Transport: Equatable { case udpIPv4, udpIPv6, ieee802_3 }

    public static func extract(_ frame: [UInt8]) -> (transport: Transport, payload: [UInt8])? {
        guard frame.count >= 14 else { return nil }
        var etherType = UInt16(frame[12]) << 8 | UInt16(frame[13])
        var offset = 14
        if etherType == 0x8100, frame.count >= 18 {
            etherType = UInt16(frame[16]) << 8 | UInt16(frame[17])
            offset = 18
        }
        switch etherType {
        case 0x88F7:
            return (.ieee802_3, Array(frame[offset...]))
        case 0x0800:
            guard frame.count >= offset + 20, frame[offset + 9] == 17 else { return nil }
            let ihl = Int(frame[offset] & 0x0F) * 4
            return udp(frame, at: offset + ihl).map { (.udpIPv4, $0) }
        case 0x86DD:
            guard frame.count >= offset + 40, frame[offset + 6] == 17 else { return nil }
            return udp(frame, at: offset + 40).map { (.udpIPv6, $0) }
        default:
            return nil
        }
    }

    private static func udp(_ frame: [UInt8], at offset: Int) -> [UInt8]? {
        guard frame.count >= offset + 8 else { return nil }
        let port = UInt16(frame[offset + 2]) << 8 | UInt16(frame[offset + 3])
        guard port == 319 || port == 320 else { return nil }
        let length = Int(UInt16(frame[offset + 4]) << 8 | UInt16(frame[offset + 5]))
        let end = min(frame.count, offset + max(8, length))
        return Array(frame[(offset + 8)..<end])
    }
}

import Foundation

/// Writes PTP payloads into a classic pcap file (Ethernet link type) with real-looking frames around
/// them, so tshark can dissect what we encode: UDP/IPv4, UDP/IPv6 (with checksums) or IEEE 802.3.
struct PcapWriter {
    enum Transport: CaseIterable { case udpIPv4, udpIPv6, ieee802_3 }

    private(set) var bytes: [UInt8] = []
    private var packets = 0

    init() {
        append32(0xA1B2_C3D4)
        append16(2)
        append16(4)
        append32(0)
        append32(0)
        append32(65_535)
        append32(1)  // LINKTYPE_ETHERNET
    }

    mutating func add(_ payload: [UInt8], event: Bool, over transport: Transport) {
        let frame = Self.frame(payload, event: event, transport: transport)
        packets += 1
        append32(UInt32(1_795_000_000 + packets))
        append32(0)
        append32(UInt32(frame.count))
        append32(UInt32(frame.count))
        bytes += frame
    }

    func write(to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    private mutating func append32(_ v: UInt32) {
        bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }
    private mutating func append16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }

    static func frame(_ payload: [UInt8], event: Bool, transport: Transport) -> [UInt8] {
        let source: [UInt8] = [0x02, 0x42, 0xAC, 0x11, 0x00, 0x02]
        let port: UInt16 = event ? 319 : 320
        func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func udp(_ checksum: UInt16) -> [UInt8] {
            be16(Int(port)) + be16(Int(port)) + be16(8 + payload.count) + be16(Int(checksum))
        }
        switch transport {
        case .ieee802_3:
            var frame = [0x01, 0x1B, 0x19, 0x00, 0x00, 0x00] + source + [0x88, 0xF7] + payload
            while frame.count < 60 { frame.append(0) }
            return frame
        case .udpIPv4:
            var ip: [UInt8] = [0x45, 0x00] + be16(20 + 8 + payload.count) + [0x00, 0x01, 0x40, 0x00, 0x01, 0x11, 0x00, 0x00]
            ip += [10, 66, 0, 1, 224, 0, 1, 129]
            let sum = checksum(ip)
            ip[10] = UInt8(sum >> 8)
            ip[11] = UInt8(sum & 0xFF)
            return [0x01, 0x00, 0x5E, 0x00, 0x01, 0x81] + source + [0x08, 0x00] + ip + udp(0) + payload
        case .udpIPv6:
            let src: [UInt8] = [0xFD, 0x66] + Array(repeating: 0, count: 13) + [1]
            let dst: [UInt8] = [0xFF, 0x0E] + Array(repeating: 0, count: 12) + [0x01, 0x81]
            let length = 8 + payload.count
            let pseudo = src + dst + [0, 0] + be16(length) + [0, 0, 0, 17] + udp(0) + payload
            var sum = checksum(pseudo)
            if sum == 0 { sum = 0xFFFF }
            let ip: [UInt8] = [0x60, 0, 0, 0] + be16(length) + [17, 1] + src + dst
            return [0x33, 0x33, 0x00, 0x00, 0x01, 0x81] + source + [0x86, 0xDD] + ip + udp(sum) + payload
        }
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < data.count {
            sum += UInt32(data[i]) << 8 | UInt32(data[i + 1])
            i += 2
        }
        if i < data.count { sum += UInt32(data[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

/// Runs a command and returns its exit status and standard output.
enum Command {
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// The path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin:/usr/sbin:/sbin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

import Glibc
import MeridianConfig
import PTPCore

/// Per-port filters on who may send to a port (issue #17), applied where the sender's address is known (the
/// port's I/O, ``LinuxPortChannel``), before the engine sees the message:
/// - `source_allow_list`: the only addresses (IPv4, IPv6 or MAC, per the port's transport) from which the port
///   takes any PTP message; anything else is dropped and counted.
/// - `acceptable_master_table`: IEEE 1588-2019 17.6, the acceptable master table: an Announce from a port
///   whose address is not in the table is not qualified (17.6.4): it is dropped and counted, so such a clock
///   never enters the foreign master table and never becomes this port's master. Other messages pass.
/// linuxptp 3.1 has neither (ptp4l accepts every sender; unicast_master_table is a different thing). Empty: off.
struct SourceFilter: Sendable, Hashable {
    enum Reason: Int, Sendable, Hashable, CaseIterable {
        case notAllowedSource = 0
        case notAcceptableMaster = 1

        var label: String { self == .notAllowedSource ? "source_allow_list" : "acceptable_master_table" }
    }

    /// nil: every source.
    var allowedSources: Set<[UInt8]>?
    /// nil: every master (17.6 table disabled).
    var acceptableMasters: Set<[UInt8]>?

    init(allowedSources: Set<[UInt8]>? = nil, acceptableMasters: Set<[UInt8]>? = nil) {
        self.allowedSources = allowedSources
        self.acceptableMasters = acceptableMasters
    }

    var isEmpty: Bool { allowedSources == nil && acceptableMasters == nil }

    /// nil when the message from `source` passes; else why it is dropped. `bytes[0]`'s low nibble is the
    /// messageType (0xB: Announce).
    func verdict(source: [UInt8], bytes: [UInt8]) -> Reason? {
        if let allowedSources, !allowedSources.contains(Self.normalized(source)) { return .notAllowedSource }
        if let acceptableMasters, let first = bytes.first, first & 0x0F == 0xB,
            !acceptableMasters.contains(Self.normalized(source))
        {
            return .notAcceptableMaster
        }
        return nil
    }

    /// The filters of port `interface` in `configuration` (lists already checked by ``diagnostics(_:file:)``).
    init(_ configuration: Configuration, port interface: String) {
        allowedSources = Self.parseList(configuration.string("source_allow_list", port: interface)).value
        acceptableMasters = Self.parseList(configuration.string("acceptable_master_table", port: interface)).value
    }

    /// A space- or comma-separated list of addresses: IPv4 (`10.0.0.1`), IPv6 (`fe80::1`), MAC
    /// (`00:11:22:33:44:55`). Empty text: nil (no filter); a bad entry: the entry as the error.
    static func parseList(_ text: String) -> (value: Set<[UInt8]>?, bad: String?) {
        let entries = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        guard !entries.isEmpty else { return (nil, nil) }
        var addresses: Set<[UInt8]> = []
        for entry in entries {
            guard let bytes = parseAddress(String(entry)) else { return (nil, String(entry)) }
            addresses.insert(bytes)
        }
        return (addresses, nil)
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return normalized(withUnsafeBytes(of: v6) { Array($0) }) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 6, parts.allSatisfy({ $0.count == 2 }) {
            let bytes = parts.compactMap { UInt8($0, radix: 16) }
            return bytes.count == 6 ? bytes : nil
        }
        return nil
    }

    /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 bytes, so either spelling matches.
    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes[12..<16])
        }
        return bytes
    }

    /// A bad address in either list of any port is `FILE:LINE` and exit 2, like every configuration error.
    static func diagnostics(_ configuration: Configuration, file: String) -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        let interfaces: [String?] = [nil] + configuration.ports.map(\.interface)
        for interface in interfaces {
            for option in ["source_allow_list", "acceptable_master_table"] {
                guard let setting = configuration.setting(option, port: interface) else { continue }
                if let interface, configuration.setting(option, port: nil)?.origin == setting.origin, interface != "" {
                    continue  // inherited from [global]: reported once there
                }
                guard let bad = parseList(configuration.string(option, port: interface)).bad else { continue }
                // `origin` is `FILE:LINE` for a line of a file.
                let origin = setting.origin
                let colon = origin.lastIndex(of: ":")
                let line = colon.flatMap { Int(origin[origin.index(after: $0)...]) }
                let source = line != nil ? colon.map { String(origin[..<$0]) } ?? file : file
                problems.append(
                    ConfigDiagnostic(
                        file: source, line: line ?? 0,
                        problem: .badValue(
                            option: option, value: bad,
                            expected: "IPv4, IPv6 or MAC addresses separated by spaces or commas")))
            }
        }
        var seen: Set<String> = []
        return problems.filter { seen.insert($0.description).inserted }
    }
}

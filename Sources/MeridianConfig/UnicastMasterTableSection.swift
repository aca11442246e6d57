/// One `[unicast_master_table]` section, as ptp4l reads it (linuxptp config.c `parse_unicast_mtab_line`):
///
/// ```
/// [unicast_master_table]
/// table_id          1
/// logQueryInterval  2
/// UDPv4             10.0.0.1
/// UDPv6             fd00::1
/// L2                00:11:22:33:44:55
/// peer_address      10.0.0.1
/// ```
///
/// A port uses a table through `unicast_master_table <table_id>`. Addresses stay text here (this target does no
/// I/O and parses no addresses); the daemon turns them into bytes and reports a bad one with its `file:line`.
public struct UnicastMasterTableSection: Sendable, Hashable {
    /// One master line: its transport (`UDPv4`, `UDPv6` or `L2`, matched without case as ptp4l does), its
    /// address text, and `file:line`.
    public struct Master: Sendable, Hashable {
        public var transport: String
        public var address: String
        public var origin: String
    }

    /// `table_id`, 1 or more, unique in the configuration.
    public var tableID: Int
    /// `logQueryInterval`: the request period, 2^n s (ptp4l: an int8; default 0).
    public var logQueryInterval: Int8 = 0
    public var masters: [Master] = []
    /// `peer_address` (P2P), its transport left empty: the port's own.
    public var peer: Master?
    /// `file:line` of its `table_id` line.
    public var origin: String

    public init(tableID: Int, origin: String) {
        self.tableID = tableID
        self.origin = origin
    }

    /// The transports a master line may name (linuxptp's `nw_trans_enu` less UDS/DeviceNet/ControlNet/PROFINET,
    /// which ptp4l cannot run on either).
    public static let transports = ["UDPv4", "UDPv6", "L2"]

    /// Parses one line of the section into `tables` (`current`: the index of the table the last `table_id`
    /// opened); nil, or the problem for `file:line`.
    static func parse(
        _ line: String, origin: String, tables: inout [UnicastMasterTableSection], current: inout Int?
    ) -> ConfigProblem? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count == 2 else {
            return .unreadable(
                "bad master table line \"\(line)\": expected table_id, logQueryInterval, peer_address or a transport and an address"
            )
        }
        let (name, value) = (words[0], words[1])
        if name == "table_id" {
            guard let id = Int(value), id >= 1, id <= Int(Int32.max) else {
                return .outOfRange(option: "table_id", value: value, range: "1 to \(Int32.max)")
            }
            if let taken = tables.first(where: { $0.tableID == id }) {
                return .unreadable("table_id \(id) already taken (at \(taken.origin))")
            }
            tables.append(UnicastMasterTableSection(tableID: id, origin: origin))
            current = tables.count - 1
            return nil
        }
        guard let i = current else { return .unreadable("missing table_id: a [unicast_master_table] begins with table_id") }
        switch name {
        case "logQueryInterval":
            guard let n = Int8(value) else { return .outOfRange(option: "logQueryInterval", value: value, range: "-128 to 127") }
            tables[i].logQueryInterval = n
        case "peer_address":
            tables[i].peer = Master(transport: "", address: value, origin: origin)
        default:
            guard let transport = transports.first(where: { $0.lowercased() == name.lowercased() }) else {
                return .badValue(option: "transport", value: name, expected: transports.joined(separator: ", "))
            }
            tables[i].masters.append(Master(transport: transport, address: value, origin: origin))
        }
        return nil
    }
}

/// The leap seconds of a `leap-seconds.list` file (ptp4l's `leapfile`; the IETF/NIST/IERS format that
/// Debian installs as /usr/share/zoneinfo/leap-seconds.list).
///
/// Data lines are `NTP-seconds  TAI−UTC  # comment`: from that instant (seconds since 1900-01-01 UTC) on,
/// TAI − UTC is the given number. `#$` gives when the list was last updated and `#@` when it expires, both in
/// NTP seconds. Other `#` lines are comments. Parsing is pure: the caller reads the file.
public struct LeapSecondTable: Sendable, Hashable {
    /// One change of TAI − UTC: from `utcSecond` (Unix seconds) on, the offset is `taiMinusUTC`.
    public struct Entry: Sendable, Hashable {
        public var utcSecond: Int64
        public var taiMinusUTC: Int
        public init(utcSecond: Int64, taiMinusUTC: Int) {
            self.utcSecond = utcSecond
            self.taiMinusUTC = taiMinusUTC
        }
    }

    /// What is wrong with a leap-seconds file, with its line.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix).
    public static let ntpToUnix: Int64 = 2_208_988_800
    /// The NTP seconds a file may give: from 1900 to the year 9999. Anything else (a negative second, 19
    /// digits) is an error of the file, found before it reaches arithmetic (issue #17: `-9223372036854775808`
    /// minus ``ntpToUnix`` trapped).
    public static let plausibleNTPSeconds: ClosedRange<Int64> = 0...255_611_289_599

    /// Entries in time order.
    public private(set) var entries: [Entry]
    /// When the list stops being authoritative (Unix seconds), from `#@`.
    public private(set) var expires: Int64?
    /// When the list was last updated (Unix seconds), from `#$`.
    public private(set) var updated: Int64?

    public init(entries: [Entry], expires: Int64? = nil, updated: Int64? = nil) {
        self.entries = entries.sorted { $0.utcSecond < $1.utcSecond }
        self.expires = expires
        self.updated = updated
    }

    /// Parses the text of a leap-seconds.list file.
    public static func parse(_ text: String) -> Result<LeapSecondTable, ParseError> {
        var entries: [Entry] = []
        var expires: Int64?
        var updated: Int64?
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.hasPrefix("#@") || line.hasPrefix("#$") {
                let fields = line.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard let first = fields.first, let ntp = Int64(first) else {
                    return .failure(ParseError(line: number, message: "expected NTP seconds after \(line.prefix(2))"))
                }
                guard plausibleNTPSeconds.contains(ntp) else {
                    return .failure(ParseError(line: number, message: "NTP second \(ntp) is not plausible"))
                }
                if line.hasPrefix("#@") { expires = ntp - ntpToUnix } else { updated = ntp - ntpToUnix }
                continue
            }
            if line.hasPrefix("#") { continue }
            let data = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = data.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            guard fields.count == 2, let ntp = Int64(fields[0]), let offset = Int(fields[1]) else {
                return .failure(ParseError(line: number, message: "expected `NTP-seconds TAI-UTC`, found \(data.prefix(60))"))
            }
            guard plausibleNTPSeconds.contains(ntp) else {
                return .failure(ParseError(line: number, message: "NTP second \(ntp) is not plausible"))
            }
            guard offset >= 0 && offset < 1_000 else {
                return .failure(ParseError(line: number, message: "TAI-UTC \(offset) is not plausible"))
            }
            let utc = ntp - ntpToUnix
            if let last = entries.last, utc <= last.utcSecond {
                return .failure(ParseError(line: number, message: "entries are not in time order"))
            }
            entries.append(Entry(utcSecond: utc, taiMinusUTC: offset))
        }
        guard !entries.isEmpty else { return .failure(ParseError(line: number, message: "no leap second entries")) }
        return .success(LeapSecondTable(entries: entries, expires: expires, updated: updated))
    }

    /// TAI − UTC at UTC instant `utcSecond` (Unix seconds); nil before the first entry.
    public func taiMinusUTC(atUTC utcSecond: Int64) -> Int? {
        entries.last { $0.utcSecond <= utcSecond }?.taiMinusUTC
    }

    /// Whether the list has expired at `utcSecond` (a list without `#@` never does).
    public func isExpired(atUTC utcSecond: Int64) -> Bool {
        guard let expires else { return false }
        return utcSecond >= expires
    }

    /// The next change after `utcSecond`: when the new offset starts and by how much it changes (+1 for an
    /// inserted second, −1 for a deleted one).
    public func nextLeap(afterUTC utcSecond: Int64) -> (utcSecond: Int64, change: Int)? {
        guard let index = entries.firstIndex(where: { $0.utcSecond > utcSecond }), index > 0 else { return nil }
        return (entries[index].utcSecond, entries[index].taiMinusUTC - entries[index - 1].taiMinusUTC)
    }
}

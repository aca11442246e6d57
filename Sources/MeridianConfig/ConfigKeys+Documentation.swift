extension ConfigKeys {
    /// docs/options.md: every option with its section, type, default, meaning and status. A test keeps the
    /// file equal to this text; `meridiand --list-options` prints it.
    public static func optionsDocument() -> String {
        var lines = [
            "# Configuration options",
            "",
            "Every option of ptp4l 3.1's `config.c` (linuxptp v3.1.1), with ptp4l's types, ranges and defaults, and",
            "Meridian's own. Values of choices match case-insensitively, as ptp4l's `strcasecmp`. The status says what",
            "Meridian does with the option:",
            "",
            "- **implemented**: as ptp4l does it;",
            "- **Meridian only**: Meridian's own option (ptp4l 3.1 has none by that name);",
            "- **only the values listed**: any other value is refused at start-up (`file:line: …`, exit 2), because",
            "  ignoring it would change what the clock does;",
            "- **no effect here**: parsed, and no value can change what Meridian does (the note says why);",
            "- **implemented elsewhere**: parsed; the behaviour comes with the work named;",
            "- **refused**: belongs to another program (ts2phc); Meridian's own option is named.",
            "",
            "`meridiand -f FILE --check-config` prints the effective profile and every setting with where it came from.",
            "This file is generated: `meridiand --list-options > docs/options.md` (a test keeps it current).",
            "",
            "Besides `[global]` and one section per port, a file may hold `[unicast_master_table]` sections as ptp4l",
            "reads them: `table_id N` (1 or more, unique) first, then `logQueryInterval N` (the request period, 2^N s;",
            "default 0), master lines `UDPv4 ADDRESS`, `UDPv6 ADDRESS` or `L2 MAC`, and `peer_address ADDRESS`; a port",
            "asks the masters of table N for unicast service with `unicast_master_table N`. With `delay_mechanism P2P`",
            "the port sends its Pdelay_Req by unicast to `peer_address` and asks that peer for Pdelay_Resp service, as",
            "ptp4l does.",
            "",
            "| option | section | type and range | default | meaning | status |",
            "|---|---|---|---|---|---|",
        ]
        for key in all.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
            let section = key.scope == .global ? "global" : "global or port"
            let type: String
            switch key.type {
            case .integer(let range): type = "integer \(range.lowerBound) to \(range.upperBound)"
            case .real(let range): type = "number \(format(range.lowerBound)) to \(format(range.upperBound))"
            case .enumeration(let choices): type = choices.map(\.0).joined(separator: ", ")
            case .string: type = "text"
            case .macAddress: type = "MAC address"
            }
            let words = key.words.isEmpty ? "" : " or " + key.words.map(\.0).joined(separator: ", ")
            let fallback = key.defaultValue.description
            let shown = fallback.isEmpty ? "(empty)" : fallback
            var status = key.support.status
            switch key.support {
            case .only(let values, let why):
                status = "only " + values.map { "`\($0.description)`" }.joined(separator: ", ") + ": " + why
            case .inert(let why): status += ": " + why
            case .elsewhere(let why): status += ": " + why
            case .refused(let why): status += ": " + why
            case .implemented, .meridian: break
            }
            lines.append(
                "| `\(key.name)` | \(section) | \(type + words) | `\(shown)` | \(escape(key.summary)) | \(escape(status)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String {
        if value == Double.greatestFiniteMagnitude { return "DBL_MAX" }
        if value == -Double.greatestFiniteMagnitude { return "-DBL_MAX" }
        if value == Double.leastNormalMagnitude { return "DBL_MIN" }
        return String(value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingPipes()
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        var out = ""
        for c in self { out += c == "|" ? "\\|" : String(c) }
        return out
    }
}

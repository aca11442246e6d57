/// Parses ptp4l-format configuration text (`[global]`, one section per interface, `#` comments,
/// `option value` lines) plus one file per port, and validates every value against ``ConfigKeys``.
///
/// Every problem is collected with its `file:line`, so one run reports all of them; nothing is opened
/// or touched here (the daemon reads the files and calls this before any socket exists).
public enum ConfigParser {
    /// - Parameters:
    ///   - main: the main file, or nil when there is none (`-i` only).
    ///   - portFiles: the files of `ports.d/`, in the order they should become ports (sorted by name).
    ///   - interfaces: interfaces from `-i`, added as ports when no section names them.
    ///   - overrides: options from the command line (`network_transport` for `-4`, …).
    public static func parse(
        main: ConfigSource?, portFiles: [ConfigSource] = [], interfaces: [String] = [], overrides: [String: String] = [:]
    ) -> Result<Configuration, ConfigErrors> {
        var configuration = Configuration()
        var errors: [ConfigDiagnostic] = []
        if let main { parseFile(main, into: &configuration, errors: &errors) }
        for file in portFiles { parseFile(file, into: &configuration, errors: &errors) }
        for interface in interfaces where !configuration.ports.contains(where: { $0.interface == interface }) {
            configuration.ports.append(PortSection(interface: interface, origin: "command line (-i)"))
        }
        for (option, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigKeys.key(option) else {
                errors.append(ConfigDiagnostic(file: "command line", line: 0, problem: .unknownOption(option, suggestion: nil)))
                continue
            }
            switch key.parse(text) {
            case .success(let value):
                if let refusal = key.refusal(of: value) {
                    errors.append(ConfigDiagnostic(file: "command line", line: 0, problem: refusal))
                    continue
                }
                configuration.overrides[option] = ConfigSetting(value: value, origin: "command line")
            case .failure(let problem): errors.append(ConfigDiagnostic(file: "command line", line: 0, problem: problem))
            }
        }
        if errors.isEmpty && configuration.ports.isEmpty {
            errors.append(ConfigDiagnostic(file: main?.name ?? "command line", line: 0, problem: .noPorts))
        }
        return errors.isEmpty ? .success(configuration) : .failure(ConfigErrors(errors))
    }

    private enum Section {
        case none
        case global
        case port(Int)
        /// A port section not taken (a duplicate): lines are skipped.
        case ignored
        /// `[unicast_master_table]`: lines go to ``UnicastMasterTableSection/parse``.
        case unicastMasterTable
    }

    private static func parseFile(
        _ source: ConfigSource, into configuration: inout Configuration, errors: inout [ConfigDiagnostic]
    ) {
        var section = Section.none
        if case .portFile(let interface) = source.kind {
            section = openPort(
                interface, origin: "\(source.name)", in: &configuration, errors: &errors, file: source.name, line: 0)
        }
        var sawPortHeader = false
        var currentTable: Int?
        var suggestionsLeft = 3
        for (index, rawLine) in splitLines(source.text).enumerated() {
            let number = index + 1
            let line = trim(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func report(_ problem: ConfigProblem, _ severity: ConfigDiagnostic.Severity = .error) {
                let diagnostic = ConfigDiagnostic(file: source.name, line: number, problem: problem, severity: severity)
                if severity == .error { errors.append(diagnostic) } else { configuration.warnings.append(diagnostic) }
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    report(.badSectionHeader(line))
                    continue
                }
                let name = trim(String(line.dropFirst().dropLast()))
                guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else {
                    report(.badSectionHeader(line))
                    continue
                }
                switch source.kind {
                case .main:
                    // ptp4l matches its two fixed section names with strcasecmp.
                    if name.lowercased() == "global" {
                        section = .global
                    } else if name.lowercased() == "unicast_master_table" {
                        // Each section header starts afresh: a table_id must come first (linuxptp resets
                        // `current_uc_mtab`).
                        section = .unicastMasterTable
                        currentTable = nil
                    } else {
                        section = openPort(
                            name, origin: "\(source.name):\(number)", in: &configuration, errors: &errors, file: source.name,
                            line: number)
                    }
                case .portFile:
                    // A port file may name its interface in a header; it replaces the file name.
                    if name.lowercased() == "global" || sawPortHeader {
                        report(.badSectionHeader(line + " (a ports.d file holds exactly one port)"))
                        continue
                    }
                    sawPortHeader = true
                    if case .port(let i) = section, configuration.ports[i].settings.isEmpty {
                        configuration.ports.remove(at: i)
                    }
                    section = openPort(
                        name, origin: "\(source.name):\(number)", in: &configuration, errors: &errors, file: source.name,
                        line: number)
                }
                continue
            }
            if case .unicastMasterTable = section {
                if let problem = UnicastMasterTableSection.parse(
                    line, origin: "\(source.name):\(number)", tables: &configuration.unicastMasterTables,
                    current: &currentTable)
                {
                    report(problem)
                }
                continue
            }
            var (option, value) = splitOption(line)
            switch section {
            case .none:
                report(.notInASection)
                continue
            case .ignored, .unicastMasterTable:
                continue
            case .global, .port:
                break
            }
            if let renamed = ConfigKeys.deprecated[option] {
                report(.unreadable("option \(option) is deprecated, please use \(renamed) instead"), .warning)
                option = renamed
            }
            guard let key = ConfigKeys.key(option) else {
                if ConfigKeys.laterLinuxptp.contains(option) {
                    report(.unreadable("unknown option \(option): it is from a later linuxptp than 3.1, which Meridian follows"))
                } else {
                    // "Did you mean" for the first few unknown names of a file only: a file of garbage (or the
                    // fuzzer's) would otherwise compare every line with every option name.
                    suggestionsLeft -= 1
                    report(.unknownOption(option, suggestion: suggestionsLeft >= 0 ? suggestion(for: option) : nil))
                }
                continue
            }
            guard !value.isEmpty || key.type == .string else {
                report(.missingValue(option: option))
                continue
            }
            let parsed: ConfigValue
            switch key.parse(value) {
            case .success(let v): parsed = v
            case .failure(let problem):
                report(problem)
                continue
            }
            if let refusal = key.refusal(of: parsed) {
                report(refusal)
                continue
            }
            let setting = ConfigSetting(value: parsed, origin: "\(source.name):\(number)")
            switch section {
            case .global:
                configuration.global[option] = setting
            case .port(let i):
                guard key.scope == .port else {
                    report(.globalOnly(option: option, section: configuration.ports[i].interface))
                    continue
                }
                configuration.ports[i].settings[option] = setting
            case .none, .ignored, .unicastMasterTable:
                continue
            }
        }
    }

    /// The raw value and line of `option` in the `[global]` section of `source`, without validating the
    /// rest (the loader needs `ports_dir` before it can read the port files).
    public static func globalOption(_ option: String, in source: ConfigSource) -> (value: String, line: Int)? {
        var inGlobal = false
        var found: (String, Int)?
        for (index, rawLine) in splitLines(source.text).enumerated() {
            let line = trim(rawLine)
            if line.hasPrefix("[") {
                inGlobal = line.lowercased() == "[global]"
            } else if inGlobal, !line.hasPrefix("#") {
                let (name, value) = splitOption(line)
                if name == option { found = (value, index + 1) }
            }
        }
        return found
    }

    /// Adds a port section, or reports a duplicate (the same interface in two sections or files).
    private static func openPort(
        _ name: String, origin: String, in configuration: inout Configuration, errors: inout [ConfigDiagnostic], file: String,
        line: Int
    ) -> Section {
        if let existing = configuration.ports.first(where: { $0.interface == name }) {
            errors.append(ConfigDiagnostic(file: file, line: line, problem: .duplicatePort(name, firstSeen: existing.origin)))
            return .ignored
        }
        configuration.ports.append(PortSection(interface: name, origin: origin))
        return .port(configuration.ports.count - 1)
    }

    static let suggestionCandidates = ConfigKeys.all.map(\.name)

    /// The closest option name, when one is close enough to be a typo.
    static func suggestion(for option: String) -> String? {
        // No option name is longer than 40 characters; comparing a long word with every name costs its length
        // times theirs (the config fuzzer ran at 144 inputs/s before this bound and the length filter below).
        guard option.utf8.count <= 64 else { return nil }
        let limit = max(2, option.count / 3)
        var best: (name: String, distance: Int)?
        for name in suggestionCandidates {
            // The distance is at least the difference in length: most names need no comparison.
            guard abs(name.count - option.count) <= min(limit, best.map { $0.distance - 1 } ?? limit) else { continue }
            let distance = editDistance(name, option)
            if distance <= limit, distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        return best?.name
    }

    static func splitLines(_ text: String) -> [String] {
        // "\r\n" is one Character in Swift, and a newline, so CRLF files split like LF ones.
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }

    static func trim(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    /// `option value…`: the first word, then the rest with spaces kept (ptp4l's `parse_setting_line`).
    static func splitOption(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line, "") }
        return (String(line[..<space]), trim(String(line[space...])))
    }
}

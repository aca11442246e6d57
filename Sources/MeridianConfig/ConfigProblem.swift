/// What is wrong with one line of a configuration.
public enum ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownOption(String, suggestion: String?)
    case badValue(option: String, value: String, expected: String)
    case outOfRange(option: String, value: String, range: String)
    case globalOnly(option: String, section: String)
    case missingValue(option: String)
    case notInASection
    case badSectionHeader(String)
    case duplicatePort(String, firstSeen: String)
    case unreadable(String)
    case noPorts
    /// A ptp4l option at a value Meridian does not implement.
    case notImplemented(option: String, value: String, why: String, accepted: String)
    /// An option Meridian refuses in any value.
    case refusedOption(option: String, why: String)

    public var description: String {
        switch self {
        case .unknownOption(let name, let suggestion):
            "unknown option \(name)" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
        case .badValue(let option, let value, let expected):
            "\(value) is a bad value for option \(option): expected \(expected)"
        case .outOfRange(let option, let value, let range):
            "\(value) is out of range for option \(option): \(range)"
        case .globalOnly(let option, let section):
            "option \(option) belongs in [global], not in [\(section)]"
        case .missingValue(let option):
            "option \(option) has no value"
        case .notInASection:
            "line is not in a section; start with [global] or [interface]"
        case .badSectionHeader(let line):
            "bad section header \(line)"
        case .duplicatePort(let name, let first):
            "port \(name) is configured twice (first at \(first))"
        case .unreadable(let why):
            why
        case .notImplemented(let option, let value, let why, let accepted):
            "option \(option) \(value) is not implemented by Meridian: \(why) (accepted: \(accepted))"
        case .refusedOption(let option, let why):
            "option \(option) is refused: \(why)"
        case .noPorts:
            "no port configured: name one with -i, a [interface] section, or a file in ports.d"
        }
    }
}

/// A problem at a place: `file:line: message`, the shape compilers and ptp4l users expect.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable, Hashable { case error, warning }

    public var file: String
    public var line: Int
    public var problem: ConfigProblem
    public var severity: Severity

    public init(file: String, line: Int, problem: ConfigProblem, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.problem = problem
        self.severity = severity
    }

    public var description: String {
        (line > 0 ? "\(file):\(line): " : "\(file): ") + (severity == .warning ? "warning: " : "") + problem.description
    }
}

/// Every error found in a configuration, reported together (DESIGN.md: collected, reported once).
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Edit distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    // On ASCII-lowercased UTF-8 bytes: option names are ASCII, and Character comparison made this the config
    // parser's hot spot under the fuzzer.
    func lowered(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }
    let x = lowered(a)
    let y = lowered(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = Array(repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

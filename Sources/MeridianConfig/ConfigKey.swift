/// Where an option may appear (linuxptp's GLOB_ITEM / PORT_ITEM).
public enum ConfigScope: Sendable, Hashable {
    /// `[global]` only.
    case global
    /// `[global]` (as the default for every port) or a port's own section.
    case port
}

/// The type and allowed values of an option.
public enum ConfigValueType: Sendable, Hashable {
    case integer(ClosedRange<Int64>)
    case real(ClosedRange<Double>)
    /// Names and the integer each stands for, matched case-insensitively as ptp4l's `strcasecmp`.
    case enumeration([(String, Int64)])
    case string
    /// An IEEE 802 MAC address, `xx:xx:xx:xx:xx:xx` (ptp4l's `str2mac`).
    case macAddress

    public static func == (lhs: ConfigValueType, rhs: ConfigValueType) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a == b
        case (.real(let a), .real(let b)): a == b
        case (.enumeration(let a), .enumeration(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case (.string, .string): true
        case (.macAddress, .macAddress): true
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .integer(let r):
            hasher.combine(0)
            hasher.combine(r.lowerBound)
            hasher.combine(r.upperBound)
        case .real(let r):
            hasher.combine(1)
            hasher.combine(r.lowerBound)
            hasher.combine(r.upperBound)
        case .enumeration(let e):
            hasher.combine(2)
            for (n, v) in e {
                hasher.combine(n)
                hasher.combine(v)
            }
        case .string: hasher.combine(3)
        case .macAddress: hasher.combine(4)
        }
    }
}

/// A parsed option value.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int64)
    case real(Double)
    /// An enumeration: the name as written and its value.
    case enumeration(String, Int64)
    case string(String)

    /// The same value, however an enumeration was spelled.
    public func sameSetting(as other: ConfigValue) -> Bool {
        switch (self, other) {
        case (.enumeration(_, let a), .enumeration(_, let b)): a == b
        default: self == other
        }
    }

    public var description: String {
        switch self {
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .enumeration(let name, _): name
        case .string(let s): s
        }
    }
}

/// One entry of the option table: name, scope, type with range, default, what it means, and how much of
/// it Meridian implements.
public struct ConfigKey: Sendable, Hashable {
    public let name: String
    public let scope: ConfigScope
    public let type: ConfigValueType
    public let defaultValue: ConfigValue
    public let summary: String
    public private(set) var support: ConfigSupport = .implemented
    /// Words that stand for an integer (ptp4l's `ASAP` of the fault intervals), matched case-insensitively.
    public private(set) var words: [(String, Int64)] = []

    public static func == (lhs: ConfigKey, rhs: ConfigKey) -> Bool {
        lhs.name == rhs.name && lhs.scope == rhs.scope && lhs.type == rhs.type && lhs.defaultValue == rhs.defaultValue
            && lhs.summary == rhs.summary && lhs.support == rhs.support && lhs.words.map(\.0) == rhs.words.map(\.0)
            && lhs.words.map(\.1) == rhs.words.map(\.1)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(scope)
        hasher.combine(type)
        hasher.combine(support)
    }

    /// This key with `support` in place of `.implemented`.
    func support(_ support: ConfigSupport) -> ConfigKey {
        var copy = self
        copy.support = support
        return copy
    }

    /// This key accepting only ptp4l's default: any other value is refused, saying `why`.
    func onlyDefault(_ why: String) -> ConfigKey {
        support(.only([defaultValue], why))
    }

    /// This key with integer words (`ASAP`).
    func words(_ words: [(String, Int64)]) -> ConfigKey {
        var copy = self
        copy.words = words
        return copy
    }

    public init(
        _ name: String, _ scope: ConfigScope, _ type: ConfigValueType, default defaultValue: ConfigValue, _ summary: String
    ) {
        self.name = name
        self.scope = scope
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
    }

    static func int(_ name: String, _ scope: ConfigScope, _ value: Int64, _ range: ClosedRange<Int64>, _ summary: String)
        -> ConfigKey
    {
        ConfigKey(name, scope, .integer(range), default: .integer(value), summary)
    }

    static func real(_ name: String, _ scope: ConfigScope, _ value: Double, _ range: ClosedRange<Double>, _ summary: String)
        -> ConfigKey
    {
        ConfigKey(name, scope, .real(range), default: .real(value), summary)
    }

    static func flag(_ name: String, _ scope: ConfigScope, _ value: Bool, _ summary: String) -> ConfigKey {
        int(name, scope, value ? 1 : 0, 0...1, summary)
    }

    static func choice(_ name: String, _ scope: ConfigScope, _ value: String, _ choices: [(String, Int64)], _ summary: String)
        -> ConfigKey
    {
        let number = choices.first { $0.0.lowercased() == value.lowercased() }?.1 ?? 0
        return ConfigKey(name, scope, .enumeration(choices), default: .enumeration(value, number), summary)
    }

    static func text(_ name: String, _ scope: ConfigScope, _ value: String, _ summary: String) -> ConfigKey {
        ConfigKey(name, scope, .string, default: .string(value), summary)
    }

    /// Parses `text` as a value of this option, or says why it is not one.
    public func parse(_ text: String) -> Result<ConfigValue, ConfigProblem> {
        switch type {
        case .integer(let range):
            if let word = words.first(where: { $0.0.lowercased() == text.lowercased() }) {
                return .success(.integer(word.1))
            }
            guard let value = ConfigKey.parseInteger(text) else {
                return .failure(.badValue(option: name, value: text, expected: "an integer"))
            }
            guard range.contains(value) else {
                return .failure(.outOfRange(option: name, value: text, range: "\(range.lowerBound) to \(range.upperBound)"))
            }
            return .success(.integer(value))
        case .real(let range):
            guard let value = Double(text), value.isFinite else {
                return .failure(.badValue(option: name, value: text, expected: "a number"))
            }
            guard range.contains(value) else {
                return .failure(.outOfRange(option: name, value: text, range: "\(range.lowerBound) to \(range.upperBound)"))
            }
            return .success(.real(value))
        case .enumeration(let choices):
            // ptp4l compares with strcasecmp; the value keeps the table's spelling.
            let lowered = text.lowercased()
            guard let match = choices.first(where: { $0.0.lowercased() == lowered }) else {
                return .failure(
                    .badValue(option: name, value: text, expected: "one of " + choices.map(\.0).joined(separator: ", ")))
            }
            return .success(.enumeration(match.0, match.1))
        case .string:
            return .success(.string(text))
        case .macAddress:
            guard ConfigKey.parseMAC(text) != nil else {
                return .failure(.badValue(option: name, value: text, expected: "a MAC address like 01:1B:19:00:00:00"))
            }
            return .success(.string(text))
        }
    }

    /// The problem with `value` when Meridian does not implement it, or nil when it is accepted.
    public func refusal(of value: ConfigValue) -> ConfigProblem? {
        switch support {
        case .implemented, .meridian, .inert, .elsewhere:
            return nil
        case .only(let accepted, let why):
            if accepted.contains(where: { $0.sameSetting(as: value) }) { return nil }
            let list = accepted.map(\.description).joined(separator: ", ")
            return .notImplemented(option: name, value: value.description, why: why, accepted: list)
        case .refused(let why):
            return .refusedOption(option: name, why: why)
        }
    }

    /// The six bytes of `xx:xx:xx:xx:xx:xx`, or nil.
    public static func parseMAC(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...2).contains(part.count), let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The value `fault_reset_interval ASAP` stands for (ptp4l's FRI_ASAP, INT8_MIN).
    public static let faultResetASAP = Int64(Int8.min)

    /// Decimal, or hex with 0x as ptp4l accepts (`clockAccuracy 0xFE`), with at most one sign in front.
    ///
    /// The magnitude is read unsigned and range-checked before it becomes an Int64, so no text traps:
    /// `--9223372036854775808` and `-0x-8000000000000000` (a second sign) are not integers, and
    /// `-9223372036854775808` is Int64.min exactly (issue #17).
    static func parseInteger(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        } else if body.hasPrefix("+") {
            body = body.dropFirst()
        }
        var radix = 10
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            radix = 16
            body = body.dropFirst(2)
        }
        // UInt64(_:radix:) itself accepts a leading sign; only digits may follow ours.
        guard let first = body.first, first != "-", first != "+", let magnitude = UInt64(body, radix: radix) else {
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}

/// How much of an option Meridian implements; docs/options.md lists it for every option.
public enum ConfigSupport: Sendable, Hashable {
    /// As ptp4l does it.
    case implemented
    /// Meridian's own option (ptp4l has none).
    case meridian
    /// Accepted only with these values (ptp4l's default, or those Meridian implements); any other value is
    /// refused with the reason, since ignoring it would change what the clock does.
    case only([ConfigValue], String)
    /// Parsed, and whatever its value it cannot change what Meridian does; the reason says why (it only
    /// matters together with a value of another option that Meridian refuses).
    case inert(String)
    /// Parsed; its behaviour is implemented by other work, named here.
    case elsewhere(String)
    /// Refused in any value: it belongs to another program, or Meridian has its own option for it.
    case refused(String)

    /// One word for docs/options.md.
    public var status: String {
        switch self {
        case .implemented: "implemented"
        case .meridian: "Meridian only"
        case .only: "only the values listed"
        case .inert: "no effect here"
        case .elsewhere: "implemented elsewhere"
        case .refused: "refused"
        }
    }
}

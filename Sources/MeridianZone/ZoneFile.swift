// The zone topology file (docs/zone-format.md): YAML read through Yams into PTPSimulation's
// ZoneDescription. Every problem names its line; unknown keys are errors (a typo must not pass silently).
import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import Yams

/// A zone file problem: `file:line: message`.
public struct ZoneFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

public enum ZoneFile {
    /// Parses zone YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ZoneFileError) -> ZoneDescription {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw ZoneFileError(file: file, line: 1, message: "\(error)")
        }
        guard let root else { throw ZoneFileError(file: file, line: 1, message: "the file is empty") }
        var decoder = Decoder(file: file)
        let zone = try decoder.zone(root)
        do {
            _ = try zone.expanded()
        } catch {
            throw ZoneFileError(file: file, line: error.line, message: error.message)
        }
        return zone
    }

    static func yamlError(_ error: YamlError, file: String) -> ZoneFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ZoneFileError(file: file, line: mark.line, message: "YAML: \(problem)")
        default:
            return ZoneFileError(file: file, line: 1, message: "YAML: \(error)")
        }
    }
}

/// Clock settings a `defaults`, `boundary` or `host` block may give.
struct ClockDefaults {
    var oscillator: OscillatorClass = .ocxo
    var timestamping: TimestampingClass = .hardware
    var servo = ZoneServo()
    var profile: ZoneProfile = .default

    static let keys: Set<String> = ["oscillator", "timestamping", "servo", "profile"]

    /// Sets the clock's settings; its priorities become the profile's unless `keepPriorities`.
    func apply(to clock: inout ZoneClock, keepPriorities: (Bool, Bool) = (false, false)) {
        clock.oscillator = oscillator
        clock.timestamping = timestamping
        clock.servoSettings = servo
        clock.profile = profile
        if !keepPriorities.0 { clock.priority1 = profile.defaultPriority }
        if !keepPriorities.1 { clock.priority2 = profile.defaultPriority }
    }
}

struct Decoder {
    let file: String
    var defaults = ClockDefaults()

    func fail(_ node: Node, _ message: String) -> ZoneFileError {
        ZoneFileError(file: file, line: node.mark?.line ?? 1, message: message)
    }

    func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws(ZoneFileError) -> [(
        key: String, value: Node, line: Int
    )] {
        guard case .mapping(let mapping) = node else { throw fail(node, "\(what) must be a mapping (key: value)") }
        var out: [(key: String, value: Node, line: Int)] = []
        var seen: Set<String> = []
        for (k, v) in mapping {
            guard case .scalar(let scalar) = k else { throw fail(k, "a key in \(what) must be a plain word") }
            let key = scalar.string
            guard allowed.contains(key) else {
                throw fail(k, "unknown key '\(key)' in \(what) (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw fail(k, "'\(key)' is given twice in \(what)") }
            out.append((key, v, k.mark?.line ?? 1))
        }
        return out
    }

    func string(_ node: Node, _ key: String) throws(ZoneFileError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw fail(node, "'\(key)' must be a word") }
        return scalar.string
    }

    func number(_ node: Node, _ key: String, in range: ClosedRange<Double>) throws(ZoneFileError) -> Double {
        guard case .scalar(let scalar) = node, let x = Double(scalar.string), x.isFinite else {
            throw fail(node, "'\(key)' must be a number")
        }
        guard range.contains(x) else {
            throw fail(
                node, "'\(key)' \(scalar.string) is out of range (\(format(range.lowerBound))…\(format(range.upperBound)))")
        }
        return x
    }

    func integer(_ node: Node, _ key: String, in range: ClosedRange<Int>) throws(ZoneFileError) -> Int {
        guard case .scalar(let scalar) = node, let x = Int(scalar.string) else {
            throw fail(node, "'\(key)' must be a whole number")
        }
        guard range.contains(x) else {
            throw fail(node, "'\(key)' \(x) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return x
    }

    func boolean(_ node: Node, _ key: String) throws(ZoneFileError) -> Bool {
        guard case .scalar(let scalar) = node else { throw fail(node, "'\(key)' must be true or false") }
        switch scalar.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(node, "'\(key)' must be true or false, not '\(scalar.string)'")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, _: T.Type) throws(ZoneFileError) -> T
    where T.RawValue == String {
        let word = try string(node, key)
        guard let value = T(rawValue: word.lowercased()) else {
            throw fail(node, "'\(key)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(word)'")
        }
        return value
    }

    func names(_ node: Node, _ key: String, count: Int? = nil) throws(ZoneFileError) -> [String] {
        guard case .sequence(let sequence) = node else { throw fail(node, "'\(key)' must be a list: [a, b]") }
        var out: [String] = []
        for item in sequence { out.append(try string(item, key)) }
        if let count, out.count != count { throw fail(node, "'\(key)' must name \(count) clocks") }
        return out
    }

    func servoKind(_ node: Node, _ key: String) throws(ZoneFileError) -> ServoKind {
        let word = try string(node, key)
        switch word {
        case "pi": return .pi
        case "linreg": return .linreg
        default: throw fail(node, "'\(key)' must be pi or linreg, not '\(word)'")
        }
    }

    /// `servo: pi` or `servo: {kind: pi, kp: 0.7, ki: 0.3, step_threshold_s: 0.001, first_step_threshold_s: 0.00002,
    /// max_frequency_ppb: 900000000}` (ptp4l's servo options; what is not given keeps `base`'s).
    func servo(_ node: Node, base: ZoneServo) throws(ZoneFileError) -> ZoneServo {
        if case .scalar = node { return ZoneServo(kind: try servoKind(node, "servo")) }
        var servo = base
        for (key, value, _) in try mapping(
            node, "a servo",
            allowed: [
                "kind", "kp", "ki", "kp_scale", "ki_scale", "step_threshold_s", "first_step_threshold_s", "max_frequency_ppb",
            ])
        {
            switch key {
            case "kind": servo.kind = try servoKind(value, "kind")
            case "kp": servo.kp = try number(value, key, in: 0...1000)
            case "ki": servo.ki = try number(value, key, in: 0...1000)
            case "kp_scale": servo.kpScale = try number(value, key, in: 0...1000)
            case "ki_scale": servo.kiScale = try number(value, key, in: 0...1000)
            case "step_threshold_s": servo.stepThreshold = try number(value, key, in: 0...1000)
            case "first_step_threshold_s": servo.firstStepThreshold = try number(value, key, in: 0...1000)
            default: servo.maxFrequency = try number(value, key, in: 1...900_000_000)
            }
        }
        return servo
    }

    func profile(_ node: Node) throws(ZoneFileError) -> ZoneProfile {
        let word = try string(node, "profile")
        guard let profile = ZoneProfile.allCases.first(where: { $0.rawValue.lowercased() == word.lowercased() }) else {
            throw fail(
                node, "'profile' must be one of \(ZoneProfile.allCases.map(\.rawValue).joined(separator: ", ")), not '\(word)'")
        }
        return profile
    }

    func clockDefaults(_ node: Node, base: ClockDefaults, what: String) throws(ZoneFileError) -> ClockDefaults {
        var d = base
        for (key, value, _) in try mapping(node, what, allowed: ClockDefaults.keys) {
            switch key {
            case "oscillator": d.oscillator = try choice(value, key, OscillatorClass.self)
            case "timestamping": d.timestamping = try choice(value, key, TimestampingClass.self)
            case "profile": d.profile = try profile(value)
            default: d.servo = try servo(value, base: d.servo)
            }
        }
        return d
    }

    func link(_ node: Node, into link: inout ZoneLink, what: String, between: Bool) throws(ZoneFileError) {
        var allowed: Set<String> = ["delay_ns", "jitter_ns", "asymmetry_ns", "wander_ns", "wander_time_s"]
        if between { allowed.insert("between") }
        var sawBetween = false
        for (key, value, _) in try mapping(node, what, allowed: allowed) {
            switch key {
            case "between":
                let ends = try names(value, key, count: 2)
                link.a = ends[0]
                link.b = ends[1]
                sawBetween = true
            case "delay_ns": link.delay = try number(value, key, in: 0...1e9)
            case "jitter_ns": link.jitter = try number(value, key, in: 0...1e8)
            case "wander_ns": link.wander = try number(value, key, in: 0...1e8)
            case "wander_time_s": link.wanderTime = try number(value, key, in: 0.001...1e4)
            default: link.asymmetry = try number(value, key, in: -1e8...1e8)
            }
        }
        if between, !sawBetween { throw fail(node, "a link needs 'between: [a, b]'") }
        if link.asymmetry.magnitude >= link.delay, link.asymmetry != 0 {
            throw fail(node, "the asymmetry must be smaller than the delay")
        }
    }

    mutating func zone(_ root: Node) throws(ZoneFileError) -> ZoneDescription {
        var zone = ZoneDescription()
        let entries = try mapping(
            root, "the zone",
            allowed: [
                "zone", "duration", "seed", "sync_interval", "announce_interval", "delay_mechanism", "settle", "sample_interval",
                "window",
                "recovery_threshold_ns", "defaults", "clocks", "links", "generate", "faults",
            ])
        // Defaults first, wherever they are written, so they apply to every clock.
        for (key, value, _) in entries where key == "defaults" {
            defaults = try clockDefaults(value, base: defaults, what: "defaults")
        }
        for (key, value, _) in entries {
            switch key {
            case "zone": zone.name = try string(value, key)
            case "duration": zone.duration = try number(value, key, in: 1...86_400)
            case "seed": zone.seed = UInt64(try integer(value, key, in: 0...Int.max))
            case "sync_interval": zone.logSyncInterval = Int8(try integer(value, key, in: -7...4))
            case "announce_interval": zone.logAnnounceInterval = Int8(try integer(value, key, in: -3...4))
            case "delay_mechanism":
                let word = try string(value, key)
                switch word {
                case "e2e": zone.delayMechanism = .e2e
                case "p2p": zone.delayMechanism = .p2p
                default: throw fail(value, "'delay_mechanism' must be e2e or p2p, not '\(word)'")
                }
            case "settle": zone.settle = try number(value, key, in: 0...86_400)
            case "sample_interval": zone.sampleInterval = try number(value, key, in: 0.01...60)
            case "window": zone.window = try number(value, key, in: 0.01...3600)
            case "recovery_threshold_ns": zone.recoveryThreshold = try number(value, key, in: 1...1e12)
            case "defaults": break
            case "clocks": zone.clocks = try list(value, key) { (d: Decoder, n: Node) throws(ZoneFileError) in try d.clock(n) }
            case "links":
                zone.links = try list(value, key) { (d: Decoder, n: Node) throws(ZoneFileError) in
                    var l = ZoneLink(a: "", b: "")
                    l.line = n.mark?.line ?? 1
                    try d.link(n, into: &l, what: "a link", between: true)
                    return l
                }
            case "generate":
                zone.generators = try list(value, key) { (d: Decoder, n: Node) throws(ZoneFileError) in try d.generator(n) }
            default:
                zone.faults = try list(value, key) { (d: Decoder, n: Node) throws(ZoneFileError) in try d.fault(n) }
            }
        }
        return zone
    }

    func list<T>(_ node: Node, _ key: String, _ item: (Decoder, Node) throws(ZoneFileError) -> T) throws(ZoneFileError) -> [T] {
        guard case .sequence(let sequence) = node else { throw fail(node, "'\(key)' must be a list (lines starting with '-')") }
        var out: [T] = []
        for n in sequence { out.append(try item(self, n)) }
        return out
    }

    func clock(_ node: Node) throws(ZoneFileError) -> ZoneClock {
        var name: String?
        var role: ZoneRole?
        var d = defaults
        var clock = ZoneClock(name: "", role: .host)
        var priorities = (false, false)
        for (key, value, _) in try mapping(
            node, "a clock",
            allowed: ClockDefaults.keys.union([
                "name", "role", "priority1", "priority2", "gnss", "gnss_jitter_ns", "gnss_lock_threshold_ns",
            ]))
        {
            switch key {
            case "name": name = try string(value, key)
            case "role": role = try choice(value, key, ZoneRole.self)
            case "oscillator": d.oscillator = try choice(value, key, OscillatorClass.self)
            case "timestamping": d.timestamping = try choice(value, key, TimestampingClass.self)
            case "servo": d.servo = try servo(value, base: d.servo)
            case "profile": d.profile = try profile(value)
            case "priority1":
                clock.priority1 = UInt8(try integer(value, key, in: 0...255))
                priorities.0 = true
            case "priority2":
                clock.priority2 = UInt8(try integer(value, key, in: 0...255))
                priorities.1 = true
            case "gnss_jitter_ns": clock.gnssJitter = try number(value, key, in: 0...1e6)
            case "gnss_lock_threshold_ns": clock.gnssLockThreshold = try number(value, key, in: 1...1e9)
            default: clock.gnss = try boolean(value, key)
            }
        }
        guard let name else { throw fail(node, "a clock needs a 'name'") }
        guard let role else { throw fail(node, "clock '\(name)' needs a 'role' (grandmaster, boundary or host)") }
        if clock.gnss, role != .grandmaster { throw fail(node, "only a grandmaster has 'gnss'") }
        if clock.gnssLockThreshold != nil, !clock.gnss { throw fail(node, "'gnss_lock_threshold_ns' needs 'gnss: true'") }
        clock.name = name
        clock.role = role
        clock.line = node.mark?.line ?? 1
        d.apply(to: &clock, keepPriorities: priorities)
        return clock
    }

    func generator(_ node: Node) throws(ZoneFileError) -> ZoneGenerator {
        var g = ZoneGenerator()
        g.line = node.mark?.line ?? 1
        var boundary = defaults
        var host = defaults
        for (key, value, _) in try mapping(
            node, "a generator", allowed: ["prefix", "roots", "tiers", "fanout", "hosts", "boundary", "host", "link"])
        {
            switch key {
            case "prefix": g.prefix = try string(value, key)
            case "roots": g.roots = try names(value, key)
            case "tiers": g.tiers = try integer(value, key, in: 1...16)
            case "fanout": g.fanout = try integer(value, key, in: 1...1000)
            case "hosts": g.hosts = try integer(value, key, in: 0...ZoneDescription.maximumClocks)
            case "boundary": boundary = try clockDefaults(value, base: defaults, what: "a generator's boundary")
            case "host": host = try clockDefaults(value, base: defaults, what: "a generator's host")
            default: try link(value, into: &g.link, what: "a generator's link", between: false)
            }
        }
        guard !g.roots.isEmpty else {
            throw fail(node, "a generator needs 'roots: [...]' (the clocks its first tier hangs from)")
        }
        boundary.apply(to: &g.boundary)
        host.apply(to: &g.host)
        return g
    }

    func fault(_ node: Node) throws(ZoneFileError) -> ZoneFault {
        var at: Double?
        var kind: ZoneFaultKind?
        var targets: [String] = []
        var duration: Double?
        var count = 1
        var asymmetry: Double?
        let kinds = Set(ZoneFaultKind.allCases.map(\.rawValue))
        for (key, value, _) in try mapping(node, "a fault", allowed: kinds.union(["at", "for", "count", "ns"])) {
            switch key {
            case "at": at = try number(value, key, in: 0...86_400)
            case "for": duration = try number(value, key, in: 0.001...86_400)
            case "count": count = try integer(value, key, in: 1...10_000)
            case "ns": asymmetry = try number(value, key, in: -1e8...1e8)
            default:
                guard kind == nil else { throw fail(value, "a fault has one kind (\(kinds.sorted().joined(separator: ", ")))") }
                let k = ZoneFaultKind(rawValue: key) ?? .kill
                kind = k
                targets = k == .linkDown || k == .asymmetry ? try names(value, key, count: 2) : [try string(value, key)]
            }
        }
        guard let at else { throw fail(node, "a fault needs 'at' (seconds from the start)") }
        guard let kind else { throw fail(node, "a fault needs a kind: \(kinds.sorted().joined(separator: ", "))") }
        var fault = ZoneFault(at: at, kind: kind, targets: targets)
        fault.duration = duration
        fault.count = count
        fault.line = node.mark?.line ?? 1
        if kind == .asymmetry {
            guard let asymmetry else { throw fail(node, "an asymmetry fault needs 'ns'") }
            fault.asymmetry = asymmetry
        } else if asymmetry != nil {
            throw fail(node, "'ns' belongs to an asymmetry fault")
        }
        if count > 1, kind != .linkDown || duration == nil { throw fail(node, "'count' (flapping) needs link_down with 'for'") }
        return fault
    }

    func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }
}

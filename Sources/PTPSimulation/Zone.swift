import PTPCore
import PTPEngine
import PTPServo

/// A clock's part in a zone (issue 18, docs/zone-format.md).
public enum ZoneRole: String, Sendable, Hashable, CaseIterable {
    /// A grandmaster, normally with a GNSS reference.
    case grandmaster
    /// A boundary clock: a slave port up, master ports down.
    case boundary
    /// An end host: an ordinary clock, slave only.
    case host
}

/// The oscillator a clock runs on. The figures are typical published ones, rounded; they set the initial
/// frequency error (uniform in ± `frequencySpread`) and the random-walk wander of ``SimulatedClock/wander``
/// (ppb/√s: after t seconds the frequency has moved by about wander·√t ppb; for a random-walk FM the Allan
/// deviation is about wander·10⁻⁹·√(τ/3)).
public enum OscillatorClass: String, Sendable, Hashable, CaseIterable {
    /// Temperature-compensated crystal: ±2 ppm over temperature and ageing (a common TCXO grade, for example
    /// SiTime SiT5356 ±0.1–2.5 ppm); Allan deviation around 10⁻⁹ at 1 s → wander 1 ppb/√s.
    case tcxo
    /// Oven-controlled crystal: ±50 ppb after warm-up, Allan deviation around 10⁻¹¹ at 1 s (typical SC-cut
    /// OCXO datasheets, e.g. Microchip OX-221 class) → wander 0.02 ppb/√s.
    case ocxo
    /// Rubidium: ±0.05 ppb after warm-up, Allan deviation 2×10⁻¹¹ at 1 s and far lower wander
    /// (SRS PRS10 datasheet: ADEV 2×10⁻¹¹ at 1 s, ageing < 5×10⁻¹⁰/month) → wander 0.005 ppb/√s.
    case rubidium

    /// Initial frequency error bound, ppb.
    public var frequencySpread: Double {
        switch self {
        case .tcxo: 2000
        case .ocxo: 50
        case .rubidium: 0.05
        }
    }

    /// Random-walk frequency wander, ppb per √s.
    public var wander: Double {
        switch self {
        case .tcxo: 1.0
        case .ocxo: 0.02
        case .rubidium: 0.005
        }
    }
}

/// How a clock stamps its frames.
public enum TimestampingClass: String, Sendable, Hashable, CaseIterable {
    /// A PHC stamping at the MAC/PHY: a few ns (the i210/E810 class: 4–8 ns granularity) → 4 ns σ.
    case hardware
    /// The kernel's software stamps (SO_TIMESTAMPING software): µs-scale noise, with rare late stamps of
    /// 10–80 µs when the softirq or thread is descheduled (what this machine's interop runs show) →
    /// 2 µs σ, and one stamp in 2,000 late by 10–80 µs.
    case software

    public var noise: Double { self == .hardware ? 4 : 2000 }
    public var spikeProbability: Double { self == .hardware ? 0 : 1.0 / 2000 }
    public var spike: ClosedRange<Double> { self == .hardware ? 0...0 : 10_000...80_000 }
}

/// The PTP profile a clock runs, set up as the daemon sets itself up from linuxptp 3.1's stock configuration
/// files (`/usr/share/doc/linuxptp/configs/`, DaemonSettings does the same translation for `meridiand -f`).
public enum ZoneProfile: String, Sendable, Hashable, CaseIterable {
    /// IEEE 1588-2019 annex I.3 (delay request-response default profile): the zone's `sync_interval` and
    /// `delay_mechanism`, Announce every 2 s, the IEEE 1588 BMCA (9.3.4).
    case `default` = "default"
    /// ITU-T G.8275.1 as `G.8275.1.cfg`: `dataset_comparison G.8275.x` (the alternate BMCA of G.8275.1 6.3,
    /// localPriority 128 on the clock and every port), `maxStepsRemoved 255`, Announce 8/s, Sync and
    /// Delay_Req 16/s; a boundary clock (and a grandmaster without GNSS) is a T-BC that announces clockClass
    /// 135 in holdover (G.8275.1 6.4, table 2); a host is a T-TSC (slave only, class 255).
    case g8275_1 = "G.8275.1"
    /// IEEE 802.1AS as `gPTP.cfg`: peer delay (`delay_mechanism P2P`, Pdelay_Req every second,
    /// `neighborPropDelayThresh 800`), Sync 8/s with `syncReceiptTimeout 3`, Announce every second,
    /// `transportSpecific 1`, `follow_up_info`, `path_trace_enabled`, `assume_two_step`; priority1 and
    /// priority2 248 unless the clock gives its own.
    case gptp = "gPTP"

    /// The priority1 and priority2 a clock of this profile has unless it says otherwise.
    public var defaultPriority: UInt8 { self == .gptp ? 248 : 128 }
}

/// A clock's servo settings: ptp4l's servo options; nil leaves Meridian's default (ptp4l's, except
/// `step_threshold`: 1 ms for boundary clocks and hosts, so they follow an upstream step rather than slew).
public struct ZoneServo: Sendable, Hashable {
    /// `clock_servo`.
    public var kind: ServoKind = .pi
    /// `pi_proportional_const` and `pi_integral_const` (0: from the scale, by the time stamping).
    public var kp: Double?
    public var ki: Double?
    /// `pi_proportional_scale` and `pi_integral_scale` (0: 0.7/0.3 for hardware stamps, 0.1/0.001 for software).
    public var kpScale: Double?
    public var kiScale: Double?
    /// `step_threshold` and `first_step_threshold`, seconds.
    public var stepThreshold: Double?
    public var firstStepThreshold: Double?
    /// `max_frequency`, ppb.
    public var maxFrequency: Double?

    public init(kind: ServoKind = .pi) {
        self.kind = kind
    }
}

/// One clock of a zone.
public struct ZoneClock: Sendable, Hashable {
    public var name: String
    public var role: ZoneRole
    public var oscillator: OscillatorClass = .ocxo
    public var timestamping: TimestampingClass = .hardware
    /// The servo and its settings.
    public var servoSettings = ZoneServo()
    /// The servo kind (shorthand for `servoSettings.kind`).
    public var servo: ServoKind {
        get { servoSettings.kind }
        set { servoSettings.kind = newValue }
    }
    /// The PTP profile.
    public var profile: ZoneProfile = .default
    public var priority1: UInt8 = 128
    public var priority2: UInt8 = 128
    /// A grandmaster's GNSS reference (a simulated receiver through the ``ReferenceDiscipline``).
    public var gnss = false
    /// The GNSS receiver's PPS jitter, ns (σ). The grandmaster's measured offsetScaledLogVariance follows it,
    /// so between two grandmasters of equal priority1 and class the quieter receiver wins the BMCA
    /// (IEEE 1588-2019 9.3.4: class, accuracy, variance, then priority2).
    public var gnssJitter = 50.0
    /// `gnss_lock_threshold`, ns: how close the receiver must agree with the clock for the discipline to count it
    /// locked (nil: the holdover budget, 1.5 µs).
    public var gnssLockThreshold: Double?
    /// The source line, for messages.
    public var line = 0

    public init(name: String, role: ZoneRole) {
        self.name = name
        self.role = role
    }
}

/// A link between two clocks (the first is the "forward" end for the asymmetry).
public struct ZoneLink: Sendable, Hashable {
    public var a: String
    public var b: String
    /// Mean one-way delay, jitter (σ) and asymmetry, ns.
    public var delay: Double = 1000
    public var jitter: Double = 20
    public var asymmetry: Double = 0
    /// The delay's wander (σ, ns) and its correlation time (s): ``LinkModel/wander``.
    public var wander: Double = 0
    public var wanderTime: Double = 0.5
    public var line = 0

    public init(a: String, b: String) {
        self.a = a
        self.b = b
    }
}

/// A generated tree: `tiers` tiers of boundary clocks with `fanout` children each under `roots` (every
/// tier-1 boundary clock has a link to each root, so a standby grandmaster can take over), and `hosts`
/// hosts spread round-robin over the last tier.
public struct ZoneGenerator: Sendable, Hashable {
    public var prefix = "g"
    public var roots: [String] = []
    public var tiers = 1
    public var fanout = 2
    public var hosts = 0
    public var boundary = ZoneClock(name: "", role: .boundary)
    public var host = ZoneClock(name: "", role: .host)
    public var link = ZoneLink(a: "", b: "")
    public var line = 0

    public init() {}
}

/// What happens at a fault.
public enum ZoneFaultKind: String, Sendable, Hashable, CaseIterable {
    /// The grandmaster's GNSS receiver goes silent (for `duration`, or to the end).
    case gnssLost = "gnss_lost"
    /// The clock goes silent (powered off) for `duration`, or to the end.
    case kill
    /// A boundary clock restarts: silent for `duration` (default 10 s), then announces again.
    case restart
    /// The link goes down for `duration` (or to the end); with `count` > 1 it flaps: down `duration`, up
    /// `duration`, `count` times.
    case linkDown = "link_down"
    /// An asymmetry of `asymmetry` ns appears on the link (and stays, or lasts `duration`).
    case asymmetry
}

/// A fault at a given second.
public struct ZoneFault: Sendable, Hashable {
    public var at: Double
    public var kind: ZoneFaultKind
    /// The clock, or for link faults the link's two ends.
    public var targets: [String]
    public var duration: Double?
    public var count = 1
    public var asymmetry: Double = 0
    public var line = 0

    public init(at: Double, kind: ZoneFaultKind, targets: [String]) {
        self.at = at
        self.kind = kind
        self.targets = targets
    }

    /// Plain words: "gnss_lost gm-a at 60 s for 300 s".
    public var label: String {
        var s = "\(kind.rawValue) \(targets.joined(separator: "–")) at \(ZoneFault.format(at)) s"
        if kind == .asymmetry { s += " (\(ZoneFault.format(asymmetry)) ns)" }
        if let duration {
            s += count > 1 ? " (\(count)× \(ZoneFault.format(duration)) s)" : " for \(ZoneFault.format(duration)) s"
        }
        return s
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}

/// A whole zone: what a topology file describes.
public struct ZoneDescription: Sendable, Hashable {
    public var name = "zone"
    public var duration: Double = 120
    public var seed: UInt64 = 1
    /// logSyncInterval of every port (-4: 16 Sync/s).
    public var logSyncInterval: Int8 = -4
    /// logAnnounceInterval of every port of the default profile (1: every 2 s, linuxptp's default).
    public var logAnnounceInterval: Int8 = 1
    public var delayMechanism: DelayMechanism = .e2e
    /// Time error before this second is not counted (the zone locks first).
    public var settle: Double = 30
    /// Time error is sampled this often, seconds.
    public var sampleInterval: Double = 0.25
    /// The |TE| under which every clock must stay for a fault to count as recovered, ns.
    public var recoveryThreshold: Double = 1000
    /// Window for max|TE| over time (the picture and the per-window series), seconds.
    public var window: Double = 1
    public var clocks: [ZoneClock] = []
    public var links: [ZoneLink] = []
    public var generators: [ZoneGenerator] = []
    public var faults: [ZoneFault] = []

    public init() {}
}

/// A zone problem the file's author must fix (an unknown name, a duplicate), with its source line.
public struct ZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { message }
}

/// A zone expanded into clocks and links, ready to simulate.
public struct ExpandedZone: Sendable {
    public var clocks: [ZoneClock] = []
    public var links: [ZoneLink] = []
    /// Hops from the nearest grandmaster (grandmasters: 0).
    public var tiers: [Int] = []
    public var index: [String: Int] = [:]
}

extension ZoneDescription {
    /// The largest zone the simulator accepts (generators included).
    public static let maximumClocks = 200_000

    /// Expands the generators and checks every name; throws the first problem with its line.
    public func expanded() throws(ZoneError) -> ExpandedZone {
        var zone = ExpandedZone()
        func add(_ clock: ZoneClock) throws(ZoneError) {
            guard zone.index[clock.name] == nil else {
                throw ZoneError(line: clock.line, "clock '\(clock.name)' is defined twice")
            }
            guard zone.clocks.count < ZoneDescription.maximumClocks else {
                throw ZoneError(line: clock.line, "more than \(ZoneDescription.maximumClocks) clocks")
            }
            zone.index[clock.name] = zone.clocks.count
            zone.clocks.append(clock)
        }
        for clock in clocks { try add(clock) }
        for generator in generators {
            for root in generator.roots where zone.index[root] == nil {
                throw ZoneError(line: generator.line, "generator root '\(root)' is not a clock defined above it")
            }
            let bcCount = (1...max(1, generator.tiers)).reduce(0.0) { $0 + pow(Double(generator.fanout), Double($1)) }
            guard bcCount + Double(generator.hosts) + Double(zone.clocks.count) <= Double(ZoneDescription.maximumClocks) else {
                throw ZoneError(line: generator.line, "the generator makes more than \(ZoneDescription.maximumClocks) clocks")
            }
            var previous = generator.roots
            for tier in 1...max(1, generator.tiers) {
                var current: [String] = []
                let count = tier == 1 ? generator.fanout : previous.count * generator.fanout
                for i in 0..<count {
                    var clock = generator.boundary
                    clock.name = "\(generator.prefix)-t\(tier)-\(i + 1)"
                    clock.role = .boundary
                    clock.line = generator.line
                    try add(clock)
                    let parents = tier == 1 ? generator.roots : [previous[i / generator.fanout]]
                    for parent in parents {
                        var link = generator.link
                        link.a = parent
                        link.b = clock.name
                        link.line = generator.line
                        zone.links.append(link)
                    }
                    current.append(clock.name)
                }
                previous = current
            }
            for h in 0..<generator.hosts {
                var clock = generator.host
                clock.name = "\(generator.prefix)-h\(h + 1)"
                clock.role = .host
                clock.line = generator.line
                try add(clock)
                var link = generator.link
                link.a = previous[h % previous.count]
                link.b = clock.name
                link.line = generator.line
                zone.links.append(link)
            }
        }
        for link in links {
            for end in [link.a, link.b] where zone.index[end] == nil {
                throw ZoneError(line: link.line, "link end '\(end)' is not a clock")
            }
            guard link.a != link.b else { throw ZoneError(line: link.line, "a link joins two different clocks") }
            zone.links.append(link)
        }
        for fault in faults {
            for target in fault.targets where zone.index[target] == nil {
                throw ZoneError(line: fault.line, "fault target '\(target)' is not a clock")
            }
            if fault.kind == .gnssLost, let c = zone.index[fault.targets[0]], !zone.clocks[c].gnss {
                throw ZoneError(line: fault.line, "'\(fault.targets[0])' has no GNSS reference to lose")
            }
            guard fault.at >= 0, fault.at <= duration else {
                throw ZoneError(
                    line: fault.line,
                    "fault time \(ZoneFault.format(fault.at)) s is outside the run (0…\(ZoneFault.format(duration)) s)")
            }
        }
        guard zone.clocks.contains(where: { $0.role == .grandmaster }) else {
            throw ZoneError(line: 1, "the zone has no grandmaster")
        }
        // Tiers: hops from the nearest grandmaster over the links (breadth first).
        var adjacency = Array(repeating: [Int](), count: zone.clocks.count)
        for link in zone.links {
            if let a = zone.index[link.a], let b = zone.index[link.b] {
                adjacency[a].append(b)
                adjacency[b].append(a)
            }
        }
        zone.tiers = Array(repeating: -1, count: zone.clocks.count)
        var frontier = zone.clocks.indices.filter { zone.clocks[$0].role == .grandmaster }
        for c in frontier { zone.tiers[c] = 0 }
        var head = 0
        while head < frontier.count {
            let c = frontier[head]
            head += 1
            for n in adjacency[c] where zone.tiers[n] < 0 {
                zone.tiers[n] = zone.tiers[c] + 1
                frontier.append(n)
            }
        }
        if let lost = zone.tiers.firstIndex(of: -1) {
            throw ZoneError(line: zone.clocks[lost].line, "clock '\(zone.clocks[lost].name)' has no path to a grandmaster")
        }
        return zone
    }
}

private func pow(_ x: Double, _ n: Double) -> Double {
    var r = 1.0
    var i = 0.0
    while i < n {
        r *= x
        i += 1
    }
    return r
}

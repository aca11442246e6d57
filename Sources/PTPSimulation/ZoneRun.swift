import PTPCore
import PTPEngine
import PTPServo

/// |TE| statistics from a log-binned histogram: 20 bins a decade from 1 ns to 10 s (bins 12 % wide),
/// so a 10,000-clock zone keeps a few hundred counters per clock rather than every sample. A
/// percentile is reported as its bin's upper edge ("at most").
public struct TimeErrorHistogram: Sendable, Hashable {
    static let binsPerDecade = 20
    static let bins = 10 * binsPerDecade + 2
    static let edges: [Double] = (0..<bins).map { RealFunctions.pow(10, Double($0) / Double(binsPerDecade)) }
    var counts: [UInt32]
    public private(set) var samples = 0
    public private(set) var maximum = 0.0

    public init() {
        counts = Array(repeating: 0, count: TimeErrorHistogram.bins)
    }

    /// Adds one |TE| sample, ns.
    public mutating func add(_ value: Double) {
        let x = abs(value)
        samples += 1
        if x > maximum { maximum = x }
        // First edge ≥ x (binary search); bin 0 holds everything up to 1 ns, the last everything above 10 s.
        var lo = 0
        var hi = TimeErrorHistogram.bins - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if TimeErrorHistogram.edges[mid] >= x { hi = mid } else { lo = mid + 1 }
        }
        counts[lo] &+= 1
    }

    public mutating func merge(_ other: TimeErrorHistogram) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
        samples += other.samples
        maximum = max(maximum, other.maximum)
    }

    /// The `p`-quantile (0…1) of |TE|, ns: the upper edge of its bin, never above the maximum.
    public func percentile(_ p: Double) -> Double {
        guard samples > 0 else { return 0 }
        let rank = max(1, Int((p * Double(samples)).rounded(.up)))
        var seen = 0
        for (i, n) in counts.enumerated() {
            seen += Int(n)
            if seen >= rank { return min(TimeErrorHistogram.edges[i], maximum) }
        }
        return maximum
    }
}

/// One tier's figures over the measured part of the run.
public struct ZoneTierReport: Sendable {
    public var tier: Int
    public var clocks: Int
    public var histogram: TimeErrorHistogram
    /// max|TE| of the tier in each window of ``ZoneDescription/window`` seconds over the whole run, ns.
    public var windows: [Double]
}

/// One clock's figures over the measured part of the run.
public struct ZoneClockReport: Sendable {
    public var name: String
    public var role: ZoneRole
    public var tier: Int
    public var histogram: TimeErrorHistogram
    public var steps: Int
    public var servoState: ServoState
    public var grandmaster: String
}

/// What a fault did.
public struct ZoneFaultReport: Sendable {
    public var fault: ZoneFault
    /// Seconds from the fault until every clock but the grandmasters is within the recovery threshold to
    /// the next fault or the end; 0: it never left; nil: not recovered.
    public var recovery: Double?
    /// The largest |TE| of any host, and of any clock but the grandmasters, from the fault to the next one, ns.
    public var hostPeak: Double
    public var zonePeak: Double
    /// Clock steps (servo jumps) from the fault to the next one.
    public var steps: Int
    /// Seconds from the fault to the first grandmaster change (a standby taking over); nil: none.
    public var takeover: Double?
    /// A restart: seconds from the fault until the restarted clock's fresh servo is locked again (sampled every
    /// `sample_interval`); nil for other faults, or when it did not lock before the next fault or the end.
    public var reacquired: Double?
}

/// A change of grandmaster seen by the zone: at `time` s, `clocks` clocks moved to `grandmaster`.
public struct ZoneBMCAChange: Sendable, Hashable {
    public var time: Double
    public var grandmaster: String
    public var clocks: Int
}

/// The outcome of a zone run.
public struct ZoneReport: Sendable {
    public var zone: ZoneDescription
    public var tiers: [ZoneTierReport]
    public var clocks: [ZoneClockReport]
    public var faults: [ZoneFaultReport]
    public var bmcaChanges: [ZoneBMCAChange]
    /// Port state changes of the grandmasters, `[seconds] name: change`.
    public var grandmasterStates: [String]
    public var eventsProcessed: Int
    public var messagesDelivered: Int
}

/// Builds the network of an expanded zone and runs it with its faults.
public enum ZoneRunner {
    /// The network for `zone`: one simulated clock per zone clock, one two-ended segment per link, in order.
    public static func network(for description: ZoneDescription, _ zone: ExpandedZone) -> NetworkDescription {
        var random = SplitMix64(seed: description.seed ^ 0x2_0E5E)
        var network = NetworkDescription()
        for (i, z) in zone.clocks.enumerated() {
            var clock = SimulatedClock(number: i + 1)
            clock.priority1 = z.priority1
            clock.priority2 = z.priority2
            apply(z.profile, to: &clock, of: z, in: description)
            clock.servo = z.servo
            clock.stampNoise = z.timestamping.noise
            clock.stampSpikeProbability = z.timestamping.spikeProbability
            clock.stampSpike = z.timestamping.spike
            clock.wander = z.oscillator.wander
            clock.frequencyError = PartsPerBillion((random.nextUnit() * 2 - 1) * z.oscillator.frequencySpread)
            switch z.role {
            case .grandmaster:
                clock.clockQuality = ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D)
                clock.initialOffset = PTPDuration.microseconds(1).scaled(by: random.nextUnit() * 2 - 1)
                if z.gnss {
                    var outages: [(start: Double, duration: Double)] = []
                    for fault in description.faults where fault.kind == .gnssLost && fault.targets.first == z.name {
                        outages.append((fault.at, fault.duration ?? description.duration + 1))
                    }
                    var reference = SimulatedReference(jitter: z.gnssJitter, outages: outages)
                    if let threshold = z.gnssLockThreshold {
                        reference.configuration.lockThreshold = .nanoseconds(threshold)
                    }
                    clock.reference = reference
                }
            case .boundary, .host:
                clock.initialOffset = PTPDuration.milliseconds(1).scaled(by: random.nextUnit() * 2 - 1)
                clock.slaveOnly = z.role == .host
            }
            // Boundary clocks and hosts follow an upstream step rather than slew for minutes (TopologyTests).
            clock.servoConfiguration.stepThreshold = .milliseconds(1)
            // The PI gains follow the time stamping, as the daemon's `time_stamping` sets them (pi.c's defaults:
            // kp 0.7, ki 0.3 for hardware; 0.1, 0.001 for software).
            clock.servoConfiguration.timestamping = z.timestamping == .software ? .software : .hardware
            let servo = z.servoSettings
            if let kp = servo.kp { clock.servoConfiguration.piProportionalConst = kp }
            if let ki = servo.ki { clock.servoConfiguration.piIntegralConst = ki }
            if let scale = servo.kpScale { clock.servoConfiguration.piProportionalScale = scale }
            if let scale = servo.kiScale { clock.servoConfiguration.piIntegralScale = scale }
            if let step = servo.stepThreshold { clock.servoConfiguration.stepThreshold = .nanoseconds(step * 1e9) }
            if let first = servo.firstStepThreshold {
                clock.servoConfiguration.firstStepThreshold = .nanoseconds(first * 1e9)
            }
            if let limit = servo.maxFrequency { clock.servoConfiguration.maxFrequency = PartsPerBillion(limit) }
            network.addClock(clock)
        }
        for link in zone.links {
            guard let a = zone.index[link.a], let b = zone.index[link.b] else { continue }
            network.connect(
                [a, b],
                model: LinkModel(
                    delay: .nanoseconds(link.delay), jitter: link.jitter, asymmetry: .nanoseconds(link.asymmetry),
                    wander: link.wander, wanderTime: link.wanderTime))
        }
        return network
    }

    /// The port template and BMCA of a clock of `profile`, as the daemon sets them from linuxptp 3.1's stock
    /// configuration files (``ZoneProfile``).
    static func apply(_ profile: ZoneProfile, to clock: inout SimulatedClock, of z: ZoneClock, in description: ZoneDescription) {
        var port = PortConfiguration(
            portNumber: 1, logAnnounceInterval: LogInterval(description.logAnnounceInterval),
            logSyncInterval: LogInterval(description.logSyncInterval))
        port.delayMechanism = description.delayMechanism
        switch profile {
        case .default:
            break
        case .g8275_1:
            // G.8275.1.cfg.
            port = PortConfiguration(
                portNumber: 1, logAnnounceInterval: LogInterval(-3), logSyncInterval: LogInterval(-4),
                logMinDelayReqInterval: LogInterval(-4), delayMechanism: .e2e)
            port.localPriority = 128
            port.maxStepsRemoved = 255
            // DaemonSettings: a G.8275 clock that may be master and has no reference of its own is a T-BC.
            clock.bmca = BMCAConfiguration(
                comparison: .g8275, localPriority: 128,
                boundaryClockHoldover: z.role != .host && !z.gnss ? TelecomBoundaryClockClasses() : nil)
        case .gptp:
            // gPTP.cfg.
            port = PortConfiguration(
                portNumber: 1, logAnnounceInterval: LogInterval(0), logSyncInterval: LogInterval(-3),
                logMinPdelayReqInterval: LogInterval(0), delayMechanism: .p2p, syncReceiptTimeout: 3)
            port.neighborPropDelayThresh = 800
            port.minNeighborPropDelay = -20_000_000
            port.assumeTwoStep = true
            port.pathTrace = true
            port.followUpInformation = true
            port.transportSpecific = 1
        }
        clock.port = port
    }

    enum Action {
        case mute(Int, Bool)
        /// The clock's daemon stops (false) or starts afresh (true).
        case daemon(Int, Bool)
        case segmentDown(Int, Bool)
        case asymmetry(Int, Double)
    }

    /// The timeline of actions the faults expand to, in time order (stable: file order at equal times).
    static func actions(_ description: ZoneDescription, _ zone: ExpandedZone) -> [(time: Double, action: Action)] {
        var segmentOf: [String: Int] = [:]
        for (s, link) in zone.links.enumerated() {
            segmentOf["\(link.a)\u{0}\(link.b)"] = s
            segmentOf["\(link.b)\u{0}\(link.a)"] = s
        }
        var out: [(time: Double, action: Action)] = []
        for fault in description.faults {
            let target = fault.targets.first.flatMap { zone.index[$0] } ?? 0
            switch fault.kind {
            case .gnssLost: break  // in the reference's outages
            case .kill:
                out.append((fault.at, .mute(target, true)))
                if let d = fault.duration { out.append((fault.at + d, .mute(target, false))) }
            case .restart:
                out.append((fault.at, .daemon(target, false)))
                out.append((fault.at + (fault.duration ?? 10), .daemon(target, true)))
            case .linkDown, .asymmetry:
                guard fault.targets.count == 2, let s = segmentOf["\(fault.targets[0])\u{0}\(fault.targets[1])"] else { continue }
                if fault.kind == .asymmetry {
                    out.append((fault.at, .asymmetry(s, fault.asymmetry)))
                    if let d = fault.duration { out.append((fault.at + d, .asymmetry(s, 0))) }
                } else if let d = fault.duration {
                    for k in 0..<max(1, fault.count) {
                        out.append((fault.at + Double(2 * k) * d, .segmentDown(s, true)))
                        out.append((fault.at + Double(2 * k + 1) * d, .segmentDown(s, false)))
                    }
                } else {
                    out.append((fault.at, .segmentDown(s, true)))
                }
            }
        }
        return out.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// Runs the zone and collects its figures.
    /// Faults after the end (a `--duration` shorter than the file's) are left out.
    public static func run(_ requested: ZoneDescription) throws(ZoneError) -> ZoneReport {
        var description = requested
        description.faults = requested.faults.filter { $0.at <= requested.duration }
        let zone = try description.expanded()
        let network = network(for: description, zone)
        let sim = Simulation(network: network, seed: description.seed)
        sim.recordStateChanges = true
        let n = zone.clocks.count
        let tierCount = (zone.tiers.max() ?? 0) + 1
        let timeline = actions(description, zone)
        let interval = max(0.01, description.sampleInterval)
        let windowLength = max(interval, description.window)
        let windowCount = Int((description.duration / windowLength).rounded(.up))
        var clockHistograms = Array(repeating: TimeErrorHistogram(), count: n)
        var windows = Array(repeating: Array(repeating: 0.0, count: max(1, windowCount)), count: tierCount)
        var sampleTimes: [Double] = []
        var zoneMax: [Double] = []
        var hostMax: [Double] = []
        var grandmasterOf = Array(repeating: ClockIdentity(rawValue: 0), count: n)
        var nameOf: [ClockIdentity: String] = [:]
        for (i, clock) in network.clocks.enumerated() { nameOf[clock.identity] = zone.clocks[i].name }
        var changes: [ZoneBMCAChange] = []
        // For each restart fault: when its clock's daemon started again, and when its servo locked after that.
        var restartedAt: [Double?] = Array(repeating: nil, count: description.faults.count)
        var relockedAt: [Double?] = Array(repeating: nil, count: description.faults.count)
        let restartClock: [Int?] = description.faults.map { f in
            f.kind == .restart ? f.targets.first.flatMap { zone.index[$0] } : nil
        }
        var next = 0
        var k = 1
        while true {
            let t = Double(k) * interval
            guard t <= description.duration + 1e-9 else { break }
            while next < timeline.count, timeline[next].time <= t {
                sim.run(until: sim.start + .nanoseconds(timeline[next].time * 1e9))
                switch timeline[next].action {
                case .mute(let c, let m): sim.setMuted(c, m)
                case .daemon(let c, let running): sim.setDaemonRunning(c, running)
                case .segmentDown(let s, let d): sim.setSegmentDown(s, d)
                case .asymmetry(let s, let a): sim.setExtraAsymmetry(s, .nanoseconds(a))
                }
                next += 1
            }
            sim.run(until: sim.start + .nanoseconds(t * 1e9))
            for (f, fault) in description.faults.enumerated() {
                guard let c = restartClock[f], relockedAt[f] == nil, t >= fault.at + (fault.duration ?? 10) else { continue }
                if restartedAt[f] == nil { restartedAt[f] = t }
                if !sim.isDaemonStopped(c), sim.servoState(of: c) == .locked { relockedAt[f] = t }
            }
            let window = min(windows[0].count - 1, Int(t / windowLength - 1e-9))
            var worst = 0.0
            var worstHost = 0.0
            var moved: [String: Int] = [:]
            for c in 0..<n {
                let te = abs(sim.timeError(of: c).nanosecondsDouble)
                let tier = zone.tiers[c]
                if te > windows[tier][window] { windows[tier][window] = te }
                if tier > 0 { worst = max(worst, te) }
                if zone.clocks[c].role == .host { worstHost = max(worstHost, te) }
                if t >= description.settle { clockHistograms[c].add(te) }
                let gm = sim.grandmasterIdentity(of: c)
                if gm != grandmasterOf[c] {
                    if t >= description.settle { moved[nameOf[gm] ?? gm.description, default: 0] += 1 }
                    grandmasterOf[c] = gm
                }
            }
            for (gm, count) in moved.sorted(by: { $0.key < $1.key }) {
                changes.append(ZoneBMCAChange(time: t, grandmaster: gm, clocks: count))
            }
            sampleTimes.append(t)
            zoneMax.append(worst)
            hostMax.append(worstHost)
            k += 1
        }
        // Faults: recovery is measured to the next fault's start (or the end).
        let starts = description.faults.map(\.at)
        var faultReports: [ZoneFaultReport] = []
        for (f, fault) in description.faults.enumerated() {
            let end = starts.filter { $0 > fault.at }.min() ?? description.duration
            var lastBad: Double?
            var zonePeak = 0.0
            var hostPeak = 0.0
            for (i, t) in sampleTimes.enumerated() where t > fault.at && t <= end {
                zonePeak = max(zonePeak, zoneMax[i])
                hostPeak = max(hostPeak, hostMax[i])
                if zoneMax[i] > description.recoveryThreshold { lastBad = t }
            }
            var recovery: Double? = 0
            if let lastBad {
                recovery = lastBad + interval <= end ? lastBad + interval - fault.at : nil
            }
            let steps = sim.steps.filter { entry in
                let s = (entry.time - sim.start).nanosecondsDouble / 1e9
                return s > fault.at && s <= end
            }.count
            let takeover = changes.first { $0.time > fault.at && $0.time <= end }.map { $0.time - fault.at }
            let reacquired = relockedAt[f].flatMap { $0 <= end ? $0 - fault.at : nil }
            faultReports.append(
                ZoneFaultReport(
                    fault: fault, recovery: recovery, hostPeak: hostPeak, zonePeak: zonePeak, steps: steps, takeover: takeover,
                    reacquired: reacquired))
        }
        var tiers: [ZoneTierReport] = []
        for tier in 0..<tierCount {
            var h = TimeErrorHistogram()
            var count = 0
            for c in 0..<n where zone.tiers[c] == tier {
                h.merge(clockHistograms[c])
                count += 1
            }
            tiers.append(ZoneTierReport(tier: tier, clocks: count, histogram: h, windows: windows[tier]))
        }
        var stepCounts = Array(repeating: 0, count: n)
        for entry in sim.steps { stepCounts[entry.clock] += 1 }
        let clocks = (0..<n).map { c in
            ZoneClockReport(
                name: zone.clocks[c].name, role: zone.clocks[c].role, tier: zone.tiers[c], histogram: clockHistograms[c],
                steps: stepCounts[c], servoState: sim.servoState(of: c),
                grandmaster: nameOf[grandmasterOf[c]] ?? grandmasterOf[c].description)
        }
        let gmStates = sim.stateChanges.filter { zone.clocks[$0.clock].role == .grandmaster }.map { entry in
            "[\(format((entry.time - sim.start).nanosecondsDouble / 1e9, 3))] \(zone.clocks[entry.clock].name): \(entry.change)"
        }
        return ZoneReport(
            zone: description, tiers: tiers, clocks: clocks, faults: faultReports, bmcaChanges: changes,
            grandmasterStates: gmStates, eventsProcessed: sim.eventsProcessed, messagesDelivered: sim.messagesDelivered)
    }
}

/// `x` with `decimals` decimals, deterministic and locale-free.
func format(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    guard r < 9e15 else { return String(Int64(x.rounded())) }
    let whole = Int64(r / scale)
    var s = (x < 0 && r > 0 ? "-" : "") + String(whole)
    if decimals > 0 {
        let frac = String(Int64(r) - whole * Int64(scale))
        s += "." + String(repeating: "0", count: max(0, decimals - frac.count)) + frac
    }
    return s
}

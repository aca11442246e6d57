/// Pairs gpsd's PPS reports with the TPV of the same second (not by arrival order), the way gpsd itself
/// labels pulses: a PPS with `real` second N belongs to the TPV whose time is N.
///
/// gpsd 3.22 sends PPS(N) just after the edge, then TOFF(N) and TPV(N) when the sentences arrive (≈100 ms
/// later with our feed), so a pulse usually waits for its TPV. The quirks handled: TPVs without a time
/// (the first cycle, or no fix) never label anything; a late TPV of the previous second is not taken for the
/// current pulse; a TPV that came before its pulse is remembered for a few seconds; a pulse whose TPV never
/// comes is dropped (and counted) once a later second shows up. Pure: no I/O.
public struct PPSPairing: Sendable {
    /// A pulse with the fix that labels it.
    public struct Pair: Sendable, Hashable {
        public var pulse: GPSDTimePair
        public var fix: GNSSFix
        public var satellitesUsed: Int?
    }

    private var pendingPulses: [GPSDTimePair] = []
    /// Recent timed fixes by second, newest last.
    private var fixes: [(second: Int64, fix: GNSSFix)] = []
    private var satellitesUsed: Int?
    public private(set) var paired = 0
    /// Pulses dropped because no TPV of their second came.
    public private(set) var unpaired = 0
    /// Reports dropped because a number was out of range (``GPSDReport/problem``), with the latest reason.
    public private(set) var rejected = 0
    public private(set) var lastRejection: String?
    /// The latest TOFF: serial time-of-day latency (clock − real) in ns.
    public private(set) var lastTimeOffset: Int64?
    static let keep = 4

    public init() {}

    /// Takes one gpsd report; returns the pulses it completes, oldest first.
    public mutating func add(_ report: GPSDReport) -> [Pair] {
        switch report.checked {
        case .rejected(let reason):
            rejected += 1
            lastRejection = reason
            return []
        case .connected, .disconnected:
            pendingPulses.removeAll()
            fixes.removeAll()
            return []
        case .satellites(let used, _):
            satellitesUsed = used
            return []
        case .timeOffset(let pair):
            lastTimeOffset = pair.offsetNanoseconds
            return []
        case .pps(let pulse):
            if let fix = fixes.last(where: { $0.second == pulse.real.seconds })?.fix {
                paired += 1
                return [Pair(pulse: pulse, fix: fix, satellitesUsed: satellitesUsed)]
            }
            pendingPulses.append(pulse)
            return expire(before: pulse.real.seconds - 1)
        case .fix(let fix):
            if let implied = fix.impliedSatellitesUsed { satellitesUsed = implied }
            guard let time = fix.time else { return [] }
            let second = time.seconds
            fixes.removeAll { $0.second == second }
            fixes.append((second, fix))
            if fixes.count > Self.keep { fixes.removeFirst(fixes.count - Self.keep) }
            var out: [Pair] = []
            pendingPulses.removeAll { pulse in
                guard pulse.real.seconds == second else { return false }
                out.append(Pair(pulse: pulse, fix: fix, satellitesUsed: satellitesUsed))
                return true
            }
            paired += out.count
            _ = expire(before: second)
            return out
        }
    }

    /// Drops pending pulses older than `second` (their TPV will not come now).
    private mutating func expire(before second: Int64) -> [Pair] {
        let before = pendingPulses.count
        pendingPulses.removeAll { $0.real.seconds < second }
        unpaired += before - pendingPulses.count
        return []
    }
}

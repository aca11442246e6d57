/// ptp4l's clock sanity check (`sanity_freq_limit`, linuxptp `clockcheck.c`): the disciplined clock's own rate,
/// with the frequency adjustments it was given taken out, compared with the system's monotonic clock. A clock
/// that another program stepped or slewed (an NTP daemon on the system clock, a second PTP daemon on the same
/// PHC), or a PHC that misbehaves, shows a rate far beyond what any oscillator has; the servo then starts over
/// (``ClockServo/reset()``) rather than steer on a time that moved under it.
///
/// Pure: the daemon feeds it the clock's reading of each received message (its receive stamp, as ptp4l's
/// `clock_check_ts` on every stamped message) with the monotonic time it read, and every frequency and step it
/// applied. As in clockcheck.c, checks are at least 100 ms apart on both clocks, the first needs a frequency set
/// once, and the range of frequencies applied since the last check bounds the expected rate, so a servo that
/// changed its frequency between two checks is never taken for a jump.
public struct ClockSanityCheck: Sendable {
    /// What a check found wrong.
    public enum Verdict: Sendable, Equatable, CustomStringConvertible {
        /// Faster than `limit` beyond the fastest rate the adjustments allow (or a step forward).
        case jumpedForward(ppb: Double)
        /// Slower than `limit` below the slowest rate the adjustments allow (or a step backward).
        case jumpedBackward(ppb: Double)

        public var description: String {
            switch self {
            case .jumpedForward(let ppb):
                "clock jumped forward or running faster than expected! (\(Int(ppb.rounded())) ppb off the monotonic clock)"
            case .jumpedBackward(let ppb):
                "clock jumped backward or running slower than expected! (\(Int(ppb.rounded())) ppb off the monotonic clock)"
            }
        }
    }

    /// ppb (`sanity_freq_limit`, 200,000,000 by default: 20 %, which only a jump or a broken clock reaches).
    public let limit: Double
    /// clockcheck.c's CHECK_MIN_INTERVAL: checks at least this far apart (ns) on both clocks.
    public static let minimumInterval: Int64 = 100_000_000
    /// clockcheck.c's CHECK_MAX_FREQ (ppb): the bounds' starting values, beyond any clock's range.
    static let maximumFrequency = 900_000_000.0

    private var frequencyKnown = false
    private var currentFrequency = 0.0
    private var highest = -maximumFrequency
    private var lowest = maximumFrequency
    private var lastClock: Int64?
    private var lastMonotonic: Int64 = 0
    /// Readings before this monotonic time may be stamps taken before the daemon's last step (``stepped(by:monotonic:)``).
    private var stepSettlesAt: Int64?

    public init(limit ppb: Int) {
        limit = Double(ppb)
    }

    /// The clock now runs `ppb` faster than its oscillator (positive: faster), as the daemon set it.
    public mutating func frequencySet(_ ppb: Double) {
        highest = max(highest, ppb)
        lowest = min(lowest, ppb)
        currentFrequency = ppb
        frequencyKnown = true
    }

    /// The daemon stepped the clock by `nanoseconds` at monotonic time `monotonic`: the last reading moves with
    /// it, as clockcheck.c's `clockcheck_step` does. Beyond clockcheck.c, readings in the next
    /// ``minimumInterval`` are neither judged nor kept: a message stamped just before the step but read after it
    /// carries the old time, and kept as the last reading it would make the next, correct one look like a jump
    /// back by the step (a daemon whose queue held a Sync stamped before its own step saw exactly that).
    public mutating func stepped(by nanoseconds: Int64, monotonic: Int64) {
        lastClock = lastClock.map { $0 &+ nanoseconds }
        let (settles, overflow) = monotonic.addingReportingOverflow(Self.minimumInterval)
        stepSettlesAt = overflow ? nil : settles
    }

    /// The monotonic time (ns) of the moment the clock read `clock` (a receive stamp, ns), from the clock's and the
    /// monotonic clock's readings now: the monotonic time now less the stamp's age on the clock. Paired with the
    /// monotonic time a message is handled at instead (as ptp4l does), a message handled 20 ms late in a 100-ms
    /// interval reads as a clock 20 % slow, the default limit, and the next interval as one as fast. The stamp's
    /// own clock now unknown (`clockNow` nil), or an age beyond 10 s: the monotonic time now.
    public static func monotonic(atClock clock: Int64, clockNow: Int64?, monotonicNow: Int64) -> Int64 {
        guard let clockNow else { return monotonicNow }
        let (age, overflow) = clockNow.subtractingReportingOverflow(clock)
        guard !overflow, age.magnitude <= 10_000_000_000 else { return monotonicNow }
        return monotonicNow &- age
    }

    /// One reading of the clock (ns) and the monotonic clock (ns) at about the same moment; nil when all is well.
    public mutating func sample(clock: Int64, monotonic: Int64) -> Verdict? {
        sample(clock: clock) { monotonic }
    }

    /// The same, with the monotonic time asked for only when the reading is judged: not before a frequency was
    /// set, nor within ``minimumInterval`` of the last reading on the clock, which is most messages (a daemon
    /// pays a read of its clock for it: ``monotonic(atClock:clockNow:monotonicNow:)``).
    public mutating func sample(clock: Int64, monotonic read: () -> Int64) -> Verdict? {
        guard frequencyKnown else { return nil }
        let (interval, intervalOverflow) = clock.subtractingReportingOverflow(lastClock ?? 0)
        if lastClock != nil, !intervalOverflow, interval >= 0, interval < Self.minimumInterval { return nil }
        let monotonic = read()
        if let settles = stepSettlesAt {
            guard monotonic >= settles else { return nil }
            stepSettlesAt = nil
        }
        let (monotonicInterval, monotonicOverflow) = monotonic.subtractingReportingOverflow(lastMonotonic)
        guard !monotonicOverflow, monotonicInterval >= Self.minimumInterval else { return nil }
        var verdict: Verdict?
        if lastClock != nil, !intervalOverflow, highest <= Self.maximumFrequency {
            let span = Double(interval)
            let elapsed = Double(monotonicInterval)
            // The clock's uncorrected rate against the monotonic clock, with the slowest and the fastest
            // adjustment applied since the last check (clockcheck.c's max_foffset and min_foffset).
            let fastest = 1e9 * (span / (1 + lowest / 1e9) / elapsed - 1)
            let slowest = 1e9 * (span / (1 + highest / 1e9) / elapsed - 1)
            if slowest > limit {
                verdict = .jumpedForward(ppb: slowest)
            } else if fastest < -limit {
                verdict = .jumpedBackward(ppb: fastest)
            }
        }
        lastMonotonic = monotonic
        lastClock = clock
        highest = currentFrequency
        lowest = currentFrequency
        return verdict
    }
}

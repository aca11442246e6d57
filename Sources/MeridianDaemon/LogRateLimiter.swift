/// Rate limits the log lines that outside input can cause (issue #17: one line per unstamped event packet, per
/// rejected reference sample, per implausible gpsd report): per kind, at most ``burst`` lines in each
/// ``window``; the rest are counted, and the next line that may be written says how many were suppressed.
/// Pure: the caller passes the time.
struct LogRateLimiter: Sendable {
    let burst: Int
    let window: Duration
    private var windows: [String: (start: ContinuousClock.Instant, written: Int, suppressed: Int)] = [:]
    /// Lines suppressed so far, all kinds.
    private(set) var suppressedTotal = 0

    init(burst: Int = 5, window: Duration = .seconds(10)) {
        self.burst = max(1, burst)
        self.window = window
    }

    /// The line to write for `message` of kind `kind` at `now`, or nil when it is suppressed (and counted).
    mutating func line(_ kind: String, _ message: String, now: ContinuousClock.Instant) -> String? {
        var entry = windows[kind] ?? (now, 0, 0)
        if now - entry.start >= window {
            entry.start = now
            entry.written = 0
        }
        guard entry.written < burst else {
            entry.suppressed += 1
            suppressedTotal += 1
            windows[kind] = entry
            return nil
        }
        entry.written += 1
        let suppressed = entry.suppressed
        entry.suppressed = 0
        windows[kind] = entry
        return suppressed == 0 ? message : "\(message) (\(suppressed) similar lines suppressed)"
    }
}

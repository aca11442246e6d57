import Testing

@testable import MeridianDaemon

/// Input-driven warnings are rate-limited per kind (issue #17): `burst` lines per window, the rest counted and
/// reported on the next line written.
struct LogRateLimiterTests {
    @Test func aFloodWritesTheBurstThenCountsWhatItSuppressed() {
        var limiter = LogRateLimiter(burst: 5, window: .seconds(10))
        let start = ContinuousClock.now
        var written: [String] = []
        for n in 0..<1_000 {
            if let line = limiter.line("unstamped", "packet \(n)", now: start + .milliseconds(n)) { written.append(line) }
        }
        #expect(written == ["packet 0", "packet 1", "packet 2", "packet 3", "packet 4"])
        #expect(limiter.suppressedTotal == 995)
        // Another kind has its own budget.
        #expect(limiter.line("gpsd-rejected", "report", now: start + .seconds(1)) == "report")
        // The next window's first line says how many were suppressed.
        #expect(
            limiter.line("unstamped", "packet again", now: start + .seconds(11)) == "packet again (995 similar lines suppressed)")
        #expect(limiter.line("unstamped", "and again", now: start + .seconds(11)) == "and again")
    }
}

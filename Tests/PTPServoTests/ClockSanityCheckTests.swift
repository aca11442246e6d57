import Testing

@testable import PTPServo

/// ``ClockSanityCheck`` against linuxptp's clockcheck.c: the clock's rate with its adjustments taken out,
/// against the monotonic clock, at checks at least 100 ms apart.
struct ClockSanityCheckTests {
    static let second: Int64 = 1_000_000_000

    /// Readings of a clock running `rate` ppb fast (adjustments included) every `step` ns of monotonic time.
    func run(_ check: inout ClockSanityCheck, rate: Double, from start: Int64 = 0, samples: Int, every step: Int64)
        -> [ClockSanityCheck.Verdict]
    {
        var verdicts: [ClockSanityCheck.Verdict] = []
        for i in 0..<samples {
            let monotonic = start + Int64(i) * step
            let clock = 1_800_000_000 * Self.second + Int64(Double(monotonic) * (1 + rate / 1e9))
            if let verdict = check.sample(clock: clock, monotonic: monotonic) { verdicts.append(verdict) }
        }
        return verdicts
    }

    @Test func nothingIsCheckedBeforeAFrequencyIsSet() {
        var check = ClockSanityCheck(limit: 200_000_000)
        #expect(run(&check, rate: 500_000_000, samples: 10, every: Self.second).isEmpty)
    }

    @Test func aClockRunningOnItsAdjustmentPasses() {
        var check = ClockSanityCheck(limit: 200_000_000)
        check.frequencySet(-40_000)
        #expect(run(&check, rate: -40_000, samples: 20, every: Self.second / 4).isEmpty)
    }

    @Test func aJumpEitherWayIsCaughtAtTheNextCheck() {
        var check = ClockSanityCheck(limit: 200_000_000)
        check.frequencySet(0)
        #expect(check.sample(clock: 10 * Self.second, monotonic: Self.second) == nil)
        // 300 ms forward over 1 s: 30 %.
        let forward = check.sample(clock: 11 * Self.second + 300_000_000, monotonic: 2 * Self.second)
        guard case .jumpedForward(let ppb)? = forward else {
            Issue.record("got \(String(describing: forward))")
            return
        }
        #expect(abs(ppb - 300_000_000) < 1)
        // Then 300 ms back within the next second: the clock advanced 0.7 s in 1 s, 30 % slow. (A clock that did
        // not advance at all is skipped, as clockcheck.c skips intervals under 100 ms.)
        let backward = check.sample(clock: 12 * Self.second, monotonic: 3 * Self.second)
        guard case .jumpedBackward? = backward else {
            Issue.record("got \(String(describing: backward))")
            return
        }
    }

    @Test func aStepTheDaemonMadeIsNotAJump() {
        var check = ClockSanityCheck(limit: 200_000_000)
        check.frequencySet(0)
        #expect(check.sample(clock: 10 * Self.second, monotonic: Self.second) == nil)
        check.stepped(by: 300_000_000, monotonic: Self.second + Self.second / 2)
        #expect(check.sample(clock: 11 * Self.second + 300_000_000, monotonic: 2 * Self.second) == nil)
    }

    /// A Sync stamped 10 ms before the daemon stepped the clock back 300 ms, read 50 ms after the step: its stamp
    /// carries the old time. Judged, it passes (15 % fast, within the limit); kept as the last reading, it would
    /// make the next correct reading look 25 % slow. Readings within 100 ms of a step are left out.
    @Test func aStampTakenBeforeTheDaemonsStepIsNeitherJudgedNorKept() {
        func replay(grace: Bool) -> [ClockSanityCheck.Verdict] {
            var check = ClockSanityCheck(limit: 200_000_000)
            check.frequencySet(0)
            var verdicts: [ClockSanityCheck.Verdict] = []
            if let v = check.sample(clock: 10 * Self.second, monotonic: Self.second) { verdicts.append(v) }
            // At monotonic 2.5 s the clock read 11.5 s and was stepped to 11.2 s.
            check.stepped(by: -300_000_000, monotonic: grace ? 2_500_000_000 : 0)
            if let v = check.sample(clock: 11_490_000_000, monotonic: 2_550_000_000) { verdicts.append(v) }
            if let v = check.sample(clock: 12_200_000_000, monotonic: 3_500_000_000) { verdicts.append(v) }
            return verdicts
        }
        #expect(replay(grace: true).isEmpty)
        // The same readings with the step's time long past: the stale stamp is kept and the next reading trips.
        guard case .jumpedBackward? = replay(grace: false).first else {
            Issue.record("without the grace the stale stamp should have tripped the next check: \(replay(grace: false))")
            return
        }
    }

    @Test func theRangeOfAdjustmentsSinceTheLastCheckIsAllowed() {
        // A servo at its 900 ppm limit for part of the interval: the clock ran between 0 and 900 ppm fast, within
        // a 500 ppm limit only because the fastest adjustment is allowed for.
        var check = ClockSanityCheck(limit: 500_000)
        check.frequencySet(0)
        #expect(check.sample(clock: 10 * Self.second, monotonic: Self.second) == nil)
        check.frequencySet(900_000)
        check.frequencySet(0)
        #expect(check.sample(clock: 11 * Self.second + 800_000, monotonic: 2 * Self.second) == nil)
        // The next interval allows only the current frequency (0): 800 ppm fast is too much.
        #expect(check.sample(clock: 12 * Self.second + 1_600_000, monotonic: 3 * Self.second) != nil)
    }

    @Test func checksCloserThan100msAreSkippedAndOutsideValuesCannotTrap() {
        var check = ClockSanityCheck(limit: 200_000_000)
        check.frequencySet(0)
        #expect(check.sample(clock: 10 * Self.second, monotonic: Self.second) == nil)
        #expect(check.sample(clock: 10 * Self.second + 50_000_000, monotonic: Self.second + 50_000_000) == nil)
        // Readings at the ends of the range neither trap nor count as checks (their differences overflow).
        #expect(check.sample(clock: .min, monotonic: .max) == nil)
        #expect(check.sample(clock: .max, monotonic: .min) == nil)
    }
}

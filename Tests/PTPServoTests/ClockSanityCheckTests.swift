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

    /// Messages stamped every 125 ms (16 Sync/s) but handled 0–60 ms late, as a loaded loop does: paired with the
    /// monotonic time they are handled at, two of them read as a clock 20 % and more off (a false alarm each
    /// way); paired with the monotonic time of their stamp (``ClockSanityCheck/monotonic(atClock:clockNow:monotonicNow:)``)
    /// none does. A 300-ms step by someone else between a stamp and its handling is still caught, once.
    @Test func aLateHandledStampIsPairedWithItsOwnMoment() {
        let start = 1_800_000_000 * Self.second
        let lateness: [Int64] = [0, 2, 1, 60, 0, 3, 0, 45, 1, 0, 2, 0].map { $0 * 1_000_000 }
        var handled = ClockSanityCheck(limit: 200_000_000)
        var stamped = ClockSanityCheck(limit: 200_000_000)
        handled.frequencySet(0)
        stamped.frequencySet(0)
        var handledVerdicts = 0
        var stampedVerdicts = 0
        for (i, late) in lateness.enumerated() {
            let monotonicAtStamp = Self.second + Int64(i) * 125_000_000
            let stamp = start + monotonicAtStamp
            let monotonicNow = monotonicAtStamp + late
            if handled.sample(clock: stamp, monotonic: monotonicNow) != nil { handledVerdicts += 1 }
            let paired = ClockSanityCheck.monotonic(atClock: stamp, clockNow: stamp + late, monotonicNow: monotonicNow)
            #expect(paired == monotonicAtStamp)
            if stamped.sample(clock: stamp, monotonic: paired) != nil { stampedVerdicts += 1 }
        }
        #expect(handledVerdicts >= 2, "pairing with the handling time is what raised the false alarms")
        #expect(stampedVerdicts == 0)
        // Someone steps the clock 300 ms forward just after a stamp that is handled 10 ms later: caught once, at
        // that stamp or the next (the pairing puts the step before that stamp's moment), and not again after.
        var verdicts: [ClockSanityCheck.Verdict] = []
        for k in 0..<4 {
            let monotonicAtStamp = Self.second + Int64(lateness.count + k) * 125_000_000
            let stamp = start + monotonicAtStamp + (k == 0 ? 0 : 300_000_000)
            let paired = ClockSanityCheck.monotonic(
                atClock: stamp, clockNow: stamp + 10_000_000 + (k == 0 ? 300_000_000 : 0),
                monotonicNow: monotonicAtStamp + 10_000_000)
            if let verdict = stamped.sample(clock: stamp, monotonic: paired) { verdicts.append(verdict) }
        }
        #expect(verdicts.count == 1)
        #expect(verdicts.allSatisfy { if case .jumpedForward = $0 { true } else { false } }, "\(verdicts)")
        // The monotonic time (and so the daemon's clock read) is asked for only for a judged reading: of 16 readings
        // 25 ms apart, every fourth (100 ms on the clock).
        var lazy = ClockSanityCheck(limit: 200_000_000)
        lazy.frequencySet(0)
        var reads = 0
        for i in 0..<16 {
            let monotonic = Self.second + Int64(i) * 25_000_000
            _ = lazy.sample(clock: start + monotonic) {
                reads += 1
                return monotonic
            }
        }
        #expect(reads == 4)
        // No reading of the clock now, or an age over 10 s: the monotonic time now.
        #expect(ClockSanityCheck.monotonic(atClock: 5, clockNow: nil, monotonicNow: 99) == 99)
        #expect(ClockSanityCheck.monotonic(atClock: 0, clockNow: 11 * Self.second, monotonicNow: 99) == 99)
        #expect(ClockSanityCheck.monotonic(atClock: .min, clockNow: .max, monotonicNow: 99) == 99)
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

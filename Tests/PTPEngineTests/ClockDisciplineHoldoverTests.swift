import PTPCore
import PTPEngine
import PTPServo
import Testing

/// When the master a clock follows goes silent, the clock runs on a frequency it learned, not on the last
/// adjustment (which answers the last noisy offset): ``ClockDiscipline/holdover(at:)``.
@Suite struct ClockDisciplineHoldoverTests {
    /// A clock 2 ppm fast (it needs −2,000 ppb), 5 µs off, steered at 16 Sync/s with the lab's PI gains;
    /// each offset carries uniform noise of ±`noise` ns, as software stamps across a bridge do.
    struct Lab {
        var discipline: ClockDiscipline
        var phase = 5_000.0
        var adjustment = 0.0
        var seconds = 0.0
        var random = SplitMix64(seed: 77)
        let noise: Double
        /// Every adjustment the servo made while locked, for comparing the fit with their plain mean.
        var lockedAdjustments: [Double] = []

        init(_ kind: ServoKind = .pi, noise: Double, firstStepThreshold: PTPDuration = .microseconds(20)) {
            let configuration = ServoConfiguration(
                stepThreshold: .milliseconds(1), firstStepThreshold: firstStepThreshold, piProportionalScale: 0.7,
                piIntegralScale: 0.3, timestamping: .software)
            discipline = ClockDiscipline(servo: SelectedServo(kind, configuration: configuration, syncInterval: 0.0625))
            self.noise = noise
        }

        var now: PTPInstant { PTPInstant(seconds: 1_000) + .nanoseconds(Int64((seconds * 1e9).rounded())) }

        mutating func uniform() -> Double {
            random.nextUnit() * 2 - 1
        }

        /// Runs the clock for `duration` seconds on its adjustment of the moment.
        mutating func coast(_ duration: Double) {
            phase += (2_000 + adjustment) * duration
            seconds += duration
        }

        /// `duration` seconds of Syncs from `master`; returns the number of steps.
        @discardableResult
        mutating func follow(_ duration: Double, master: UInt64 = 1) -> Int {
            var steps = 0
            for _ in 0..<Int(duration * 16) {
                coast(0.0625)
                let measured = Int64((phase + noise * uniform()).rounded())
                let step = discipline.apply(
                    SyncMeasurement(
                        portNumber: 1, master: PortIdentity(clockIdentity: ClockIdentity(rawValue: master), portNumber: 1),
                        offsetFromMaster: .nanoseconds(measured), meanPathDelay: .nanoseconds(Int64(16_000)),
                        ingress: now, logSyncInterval: LogInterval(-4)))
                if let s = step.output.step {
                    phase += s.nanosecondsDouble
                    steps += 1
                }
                adjustment = step.output.frequency.value
                if step.output.state == .locked { lockedAdjustments.append(adjustment) }
            }
            return steps
        }
    }

    @Test(arguments: [ServoKind.pi, .linreg])
    func aSilentMasterLeavesTheClockOnTheFrequencyFittedOverItsLastSixteenSeconds(kind: ServoKind) throws {
        var lab = Lab(kind, noise: 3_000)
        lab.follow(30)
        let last = lab.adjustment
        let heldFrequency = lab.discipline.holdover(at: lab.now)
        let held = try #require(heldFrequency)
        #expect(lab.discipline.inHoldover && lab.discipline.servo.lastFrequency == held)
        let window = try #require(lab.discipline.heldWindowSeconds)
        #expect(abs(window - FrequencyWindow.span) <= FrequencyWindow.bucketSeconds, "held on the full window: \(window) s")
        // ±3 µs of noise on 256 offsets over 16 s: the fitted slope is within tens of ppb of the truth; the
        // last adjustment, which answered the last noisy offset, is not.
        #expect(abs(held.value + 2_000) < 100, "held \(held.value) ppb, needs −2,000")
        #expect(abs(last + 2_000) > 2 * abs(held.value + 2_000), "last \(last) ppb was no worse than the fit \(held.value)")
        lab.adjustment = held.value
        let before = lab.phase
        lab.coast(10)
        #expect(abs(lab.phase - before) < 3_000, "10 s of holdover moved the clock by \(lab.phase - before) ns")
        // Asked again (the BMCA's decision after the Sync watchdog's): nothing more to do.
        #expect(lab.discipline.holdover(at: lab.now) == nil)
        // The master (or a new one) comes back: the servo carries on from the held frequency, no step.
        #expect(lab.follow(5, master: 2) == 0)
        #expect(!lab.discipline.inHoldover && lab.discipline.servo.state == .locked)
        #expect(abs(lab.phase) < 20_000, "phase \(lab.phase) after the master came back")
    }

    /// A holdover 12 s after lock, while the servo was still pulling in 60 µs: the mean of those adjustments is
    /// off by the phase they removed over the window (ppm); the fit takes that phase into account.
    @Test(arguments: [ServoKind.pi, .linreg])
    func aHoldoverDuringThePullInHoldsTheOscillatorsFrequencyNotTheMeanAdjustment(kind: ServoKind) throws {
        var lab = Lab(kind, noise: 500, firstStepThreshold: .milliseconds(1))
        lab.phase = 60_000
        #expect(lab.follow(12) == 0, "60 µs is below the first step threshold: the servo slews")
        let window = lab.discipline.recentFrequencies.seconds
        let recent = lab.lockedAdjustments.suffix(Int(window * 16))
        let mean = recent.reduce(0, +) / Double(recent.count)
        let heldFrequency = lab.discipline.holdover(at: lab.now)
        let held = try #require(heldFrequency)
        #expect(lab.discipline.heldWindowSeconds != nil, "held on the window, not the servo's learned frequency")
        #expect(abs(held.value + 2_000) < 100, "held \(held.value) ppb, needs −2,000")
        // What the plain mean would have held: that this test tells the two apart.
        #expect(abs(mean + 2_000) > 1_000, "the mean adjustment \(mean) ppb was already within 1 ppm")
    }

    /// Less than ``FrequencyWindow/minimumSpan`` seconds locked: a line through them is too noisy, so the
    /// servo's learned frequency is used; before the servo learned anything, nothing.
    @Test func soonAfterLockItHoldsWhatTheServoLearnedAndBeforeLockNothing() throws {
        var early = Lab(noise: 0)
        early.follow(0.0625)  // one Sync: the first offset remembered, nothing estimated
        #expect(early.discipline.servo.state == .unlocked)
        #expect(early.discipline.holdover(at: early.now) == nil, "an unlocked servo has nothing to hold")

        var lab = Lab(noise: 0)
        lab.follow(4)
        #expect(lab.discipline.recentFrequencies.estimate == nil)
        let learned = try #require(lab.discipline.servo.learnedFrequency)
        #expect(lab.discipline.holdover(at: lab.now) == learned)
        #expect(lab.discipline.heldWindowSeconds == nil)
    }

    /// Only a servo that followed a master goes into holdover this way; the grandmaster's own reference has
    /// its own holdover model.
    @Test func theReferenceIsNotHeldHere() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        #expect(discipline.holdover(at: PTPInstant(seconds: 5)) == nil)
        _ = discipline.steerFromReference { _ in () }
        #expect(discipline.holdover(at: PTPInstant(seconds: 6)) == nil)
    }

    /// Samples of a clock whose oscillator runs `error` ppb off, steered by `adjustment`: the window's fit is
    /// −`error` exactly, whatever the adjustments were.
    struct Oscillator {
        var window = FrequencyWindow(interval: 0.0625)
        var phase = 1_000.0
        var seconds = 0.0

        mutating func run(_ count: Int, error: Double, adjustment: (Int) -> Double, spoiled: Set<Int> = []) {
            for i in 0..<count {
                let a = adjustment(i)
                window.append(
                    adjustment: PartsPerBillion(a), offset: spoiled.contains(i) ? nil : .nanoseconds(Int64(phase.rounded())),
                    at: PTPInstant(seconds: 500) + .nanoseconds(Int64((seconds * 1e9).rounded())))
                phase += (error + a) * 0.0625
                seconds += 0.0625
            }
        }
    }

    @Test func theWindowFitsSixteenSecondsOnceItHoldsEight() throws {
        var clock = Oscillator()
        // Adjustments that swing by ±5 ppm (a servo answering noise): the phase they add is taken out.
        clock.run(127, error: 3_000, adjustment: { i in i % 2 == 0 ? -8_000 : 2_000 })
        #expect(clock.window.estimate == nil && clock.window.seconds < FrequencyWindow.minimumSpan)
        clock.run(1, error: 3_000, adjustment: { _ in -3_000 })
        #expect(clock.window.seconds == FrequencyWindow.minimumSpan)
        let first = try #require(clock.window.estimate)
        #expect(abs(first.value + 3_000) < 0.5, "fitted \(first.value), needs −3,000")
        // The oscillator changes: 16 s later only the new frequency is in the window.
        clock.run(400, error: -700, adjustment: { i in i % 3 == 0 ? 900 : 400 })
        #expect(abs(clock.window.seconds - FrequencyWindow.span) <= FrequencyWindow.bucketSeconds)
        let second = try #require(clock.window.estimate)
        #expect(abs(second.value - 700) < 0.5, "fitted \(second.value), needs +700")
        // Spoiled offsets (left out, their adjustments still counted) and a NaN adjustment change nothing.
        clock.run(64, error: -700, adjustment: { i in i % 3 == 0 ? 900 : 400 }, spoiled: [3, 10, 11, 40])
        clock.window.append(adjustment: PartsPerBillion(.nan), offset: .nanoseconds(5), at: PTPInstant(seconds: 900))
        let third = try #require(clock.window.estimate)
        #expect(abs(third.value - 700) < 0.5, "fitted \(third.value), needs +700")
        // A new rate, a gap longer than the window or time that went back all start it over.
        var rate = clock
        rate.window.setInterval(1)
        #expect(rate.window.seconds == 0 && rate.window.estimate == nil, "a new rate starts over")
        var gap = clock
        gap.seconds += 30
        gap.run(1, error: -700, adjustment: { _ in 400 })
        #expect(gap.window.seconds == 0.0625 && gap.window.estimate == nil, "a gap starts over")
        var back = clock
        back.seconds -= 1
        back.run(1, error: -700, adjustment: { _ in 400 })
        #expect(back.window.seconds == 0.0625 && back.window.estimate == nil, "time that went back starts over")
    }

    /// A spell of delayed packets (a second of offsets 40 µs high, as this VM's scheduler makes them) bends a
    /// plain least-squares line by ppm; the fit leaves those points out.
    @Test func aSpellOfDelayedPacketsIsLeftOutOfTheFit() throws {
        var clock = Oscillator()
        var random = SplitMix64(seed: 5)
        var noisy = FrequencyWindow(interval: 0.0625)
        for i in 0..<256 {
            let time = PTPInstant(seconds: 500) + .nanoseconds(Int64(i) * 62_500_000)
            let spike = (200..<216).contains(i) ? 40_000.0 : 0
            let offset = clock.phase + 1_000 * (random.nextUnit() * 2 - 1) + spike
            noisy.append(adjustment: PartsPerBillion(0), offset: .nanoseconds(Int64(offset.rounded())), at: time)
            clock.phase += 1_500 * 0.0625
        }
        let held = try #require(noisy.estimate)
        #expect(abs(held.value + 1_500) < 100, "fitted \(held.value), needs −1,500")
    }
}

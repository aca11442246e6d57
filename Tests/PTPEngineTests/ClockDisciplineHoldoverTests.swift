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

        init(_ kind: ServoKind = .pi, noise: Double) {
            let configuration = ServoConfiguration(
                stepThreshold: .milliseconds(1), piProportionalScale: 0.7, piIntegralScale: 0.3, timestamping: .software)
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
            }
            return steps
        }
    }

    @Test(arguments: [ServoKind.pi, .linreg])
    func aSilentMasterLeavesTheClockOnTheMeanOfItsRecentAdjustments(kind: ServoKind) throws {
        var lab = Lab(kind, noise: 3_000)
        lab.follow(30)
        let last = lab.adjustment
        let heldFrequency = lab.discipline.holdover(at: lab.now)
        let held = try #require(heldFrequency)
        #expect(lab.discipline.inHoldover && lab.discipline.servo.lastFrequency == held)
        #expect(lab.discipline.heldWindowSeconds == FrequencyWindow.span, "held on the full window")
        // The mean over 16 s is within a few hundred ppb of the truth; the last adjustment is not, here.
        #expect(abs(held.value + 2_000) < 300, "held \(held.value) ppb, needs −2,000")
        #expect(abs(last + 2_000) > 2 * abs(held.value + 2_000), "last \(last) ppb was no worse than the mean \(held.value)")
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

    /// Less than ``FrequencyWindow/minimumSpan`` seconds locked: the window's mean would still hold the
    /// pull-in, so the servo's learned frequency is used; before the servo learned anything, nothing.
    @Test func soonAfterLockItHoldsWhatTheServoLearnedAndBeforeLockNothing() throws {
        var early = Lab(noise: 0)
        early.follow(0.0625)  // one Sync: the first offset remembered, nothing estimated
        #expect(early.discipline.servo.state == .unlocked)
        #expect(early.discipline.holdover(at: early.now) == nil, "an unlocked servo has nothing to hold")

        var lab = Lab(noise: 0)
        lab.follow(4)
        #expect(lab.discipline.recentFrequencies.mean == nil)
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

    @Test func theWindowKeepsSixteenSecondsAndItsMeanAfterEight() {
        var window = FrequencyWindow(interval: 0.0625)
        for _ in 0..<127 { window.append(PartsPerBillion(100)) }
        #expect(window.mean == nil && window.seconds < FrequencyWindow.minimumSpan)
        window.append(PartsPerBillion(100))
        #expect(window.mean == PartsPerBillion(100))
        // 16 s at 16/s = 256 values: 300 more of 400 leave only 400s in the window.
        for _ in 0..<300 { window.append(PartsPerBillion(400)) }
        #expect(window.seconds == 16)
        #expect(abs((window.mean?.value ?? 0) - 400) < 1e-9)
        window.append(PartsPerBillion(.nan))
        #expect(abs((window.mean?.value ?? 0) - 400) < 1e-9, "a NaN is not kept")
        window.setInterval(1)
        #expect(window.seconds == 0 && window.mean == nil, "a new rate starts over")
        for _ in 0..<8 { window.append(PartsPerBillion(-5)) }
        #expect(window.mean == PartsPerBillion(-5))
    }
}

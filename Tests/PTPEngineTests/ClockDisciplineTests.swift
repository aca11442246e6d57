import PTPCore
import PTPEngine
import PTPServo
import Testing

@Suite struct ClockDisciplineTests {
    func measurement(_ offset: Int64, at second: Int64, master: UInt64 = 1, log: Int8 = 0) -> SyncMeasurement {
        SyncMeasurement(
            portNumber: 1, master: PortIdentity(clockIdentity: ClockIdentity(rawValue: master), portNumber: 1),
            offsetFromMaster: .nanoseconds(offset), meanPathDelay: .nanoseconds(Int64(1_234)),
            ingress: PTPInstant(seconds: 1000 + second), logSyncInterval: LogInterval(log))
    }

    @Test func stepsOnceThenLocksAndKeepsServoAcrossSourceChange() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        #expect(discipline.apply(measurement(50_000, at: 0)).output.state == .unlocked)
        let jump = discipline.apply(measurement(60_000, at: 1))
        #expect(jump.output.state == .jump)
        #expect(jump.output.step == .nanoseconds(Int64(-60_000)))
        #expect(discipline.apply(measurement(10, at: 2)).output.state == .locked)
        // A new master with a small offset: no reset, no step.
        let other = discipline.apply(measurement(40, at: 3, master: 2))
        #expect(other.sourceChanged)
        #expect(other.output.state == .locked)
        #expect(other.output.step == nil)
    }

    @Test func syncIntervalRetunesGains() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        _ = discipline.apply(measurement(0, at: 0, log: -4))
        #expect(abs((discipline.servo.piServo?.kp ?? 0) - 0.7 * 2.2973967099940698) < 1e-9)
    }

    /// A clock 2 ppm fast, its phase in ns; the servo's frequency adjustment applied as it comes.
    struct Oscillator {
        var phase = 3_000.0
        var adjustment = 0.0
        mutating func advance(_ seconds: Double) { phase += (2_000 + adjustment) * seconds }
        mutating func apply(step: PTPDuration?, frequency: PartsPerBillion?) {
            if let step { phase += step.nanosecondsDouble }
            if let frequency { adjustment = frequency.value }
        }
    }

    /// The one servo of a clock that is first a slave (Sync at 16/s), then the grandmaster on its own
    /// reference (1 PPS), then a slave again: the frequency it learned is kept across each change, the
    /// gains follow the source's interval, the clock never steps after the first lock.
    @Test func theSameServoFollowsThePortThenTheReferenceThenThePortWithoutAStep() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        var reference = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .utc))
        var clock = Oscillator()
        var steps = 0
        var t = 0.0
        func slave(seconds: Double) {
            for _ in 0..<Int(seconds * 16) {
                t += 1.0 / 16
                clock.advance(1.0 / 16)
                let step = discipline.apply(measurement(Int64(clock.phase.rounded()), at: Int64(t), log: -4))
                if step.output.step != nil { steps += 1 }
                clock.apply(step: step.output.step, frequency: step.output.frequency)
            }
        }
        slave(seconds: 60)
        #expect(discipline.servo.state == .locked && abs(clock.phase) < 20, "phase \(clock.phase)")
        #expect(abs(clock.adjustment + 2_000) < 20, "learned \(clock.adjustment) ppb")
        let stepsWhileLocking = steps
        let learned = clock.adjustment

        // Grandmaster: the reference's pulses steer the same servo; the first one says the source changed.
        var changes = 0
        for second in 1...30 {
            t += 1
            clock.advance(1)
            let edge = PTPInstant(seconds: Int64(2_000_000 + second)) + .nanoseconds(clock.phase)
            let sample = ReferenceSample(
                edge: edge, utcSecond: Int64(2_000_000 + second), fixMode: .threeDimensional,
                satellitesUsed: 9, gpsMinusUTC: 18)
            let (out, changed) = discipline.steerFromReference { servo in reference.sample(sample, servo: &servo) }
            if changed { changes += 1 }
            #expect(out.step == nil, "a step at second \(second)")
            if second == 1 { #expect(abs((out.frequency?.value ?? 0) - learned) < 20, "the learned frequency was dropped") }
            clock.apply(step: out.step, frequency: out.frequency)
        }
        #expect(changes == 1)
        #expect(discipline.source == .reference)
        #expect(abs((discipline.servo.piServo?.kp ?? 0) - 0.7) < 1e-9, "gains tuned for 1 s samples")
        #expect(reference.state == .locked && abs(clock.phase) < 50, "phase \(clock.phase), \(reference.state)")

        // A better master appears: back to the port, retuned for 16/s, no step.
        slave(seconds: 10)
        #expect(steps == stepsWhileLocking)
        #expect(abs(clock.phase) < 50 && discipline.servo.state == .locked)
    }

    /// A standby grandmaster: its clock follows the active one; its own reference is judged against that
    /// clock without steering it, and locks when they agree (so it can announce class 6).
    @Test func aStandbysReferenceIsJudgedWithoutSteering() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        for i in 0..<40 { _ = discipline.apply(measurement(i < 2 ? 50_000 : 5, at: Int64(i))) }
        #expect(discipline.servo.state == .locked)
        var reference = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .utc))
        var servo = discipline.servo
        let before = (servo.lastFrequency, servo.state)
        for second in 1...20 {
            let sample = ReferenceSample(
                edge: PTPInstant(seconds: Int64(3_000_000 + second)) + .nanoseconds(Int64(40)),
                utcSecond: Int64(3_000_000 + second), fixMode: .threeDimensional, satellitesUsed: 9, gpsMinusUTC: 18)
            let out = reference.sample(sample, servo: &servo, steering: false)
            #expect(out.frequency == nil && out.step == nil)
        }
        #expect(servo.lastFrequency == before.0 && servo.state == before.1, "the standby's servo was touched")
        #expect(reference.state == .locked)
        #expect(reference.quality.clockQuality.clockClass == 6)
    }

    @Test func ptp4lSummaryLine() {
        let line = ClockDiscipline.logLine(
            offset: .nanoseconds(Int64(-12)), state: .locked,
            frequency: PartsPerBillion(-3456.4), pathDelay: .nanoseconds(Int64(789)))
        #expect(line == "master offset        -12 s2 freq   +3456 path delay       789")
    }
}

extension ClockDisciplineTests {
    /// A locked servo does not react to a measurement the outlier filter refuses: the frequency stays, the
    /// log line says `outlier`, and the engine still hears "locked".
    @Test func aRefusedOutlierLeavesTheLockedServoAlone() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi), outlierFilter: OutlierFilter(length: 8))
        for i in 0..<40 { _ = discipline.apply(measurement(i < 2 ? 50_000 : Int64(i % 3) * 20 - 20, at: Int64(i))) }
        let before = discipline.servo.lastFrequency
        let spoiled = discipline.apply(measurement(45_000, at: 41))
        #expect(spoiled.outlier && spoiled.output.state == .locked && spoiled.output.step == nil)
        #expect(spoiled.output.frequency == before && discipline.servo.lastFrequency == before)
        #expect(spoiled.logLine.hasSuffix(" outlier"))
        #expect(discipline.outlierFilter?.rejected == 1)
        let next = discipline.apply(measurement(10, at: 42))
        #expect(!next.outlier)
    }
}

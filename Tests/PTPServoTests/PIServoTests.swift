import PTPCore
import PTPServo
import Testing

@Suite struct PIServoTests {
    @Test func hardwareDefaultsMatchPtp4l() {
        let servo = PIServo(syncInterval: 1)
        #expect(abs(servo.kp - 0.7) < 1e-12)
        #expect(abs(servo.ki - 0.3) < 1e-12)
    }

    @Test func gainsScaleWithSyncInterval() {
        // kp = 0.7 · 0.0625^-0.3 = 1.6081…, capped at 0.7/0.0625 = 11.2; ki = 0.3 · 0.0625^0.4 = 0.0990…
        let servo = PIServo(syncInterval: 0.0625)
        #expect(abs(servo.kp - 0.7 * 2.2973967099940698) < 1e-9)
        #expect(abs(servo.ki - 0.3 * 0.32987697769322355) < 1e-9)
        // Long intervals hit the norm_max caps: interval 16 s gives kp = 0.7/16 and ki = 0.3/16.
        let slow = PIServo(syncInterval: 16)
        #expect(abs(slow.kp - min(0.7 * 0.43527528164806206, 0.7 / 16)) < 1e-9)
        #expect(abs(slow.ki - 0.3 / 16) < 1e-9)
    }

    @Test func softwareDefaults() {
        let servo = PIServo(configuration: ServoConfiguration(timestamping: .software), syncInterval: 1)
        #expect(abs(servo.kp - 0.1) < 1e-12)
        #expect(abs(servo.ki - 0.001) < 1e-12)
    }

    @Test func constantsOverrideScales() {
        let configuration = ServoConfiguration(piProportionalConst: 0.5, piIntegralConst: 0.05)
        let servo = PIServo(configuration: configuration, syncInterval: 0.125)
        #expect(servo.kp == 0.5)
        #expect(servo.ki == 0.05)
    }

    @Test func firstTwoSamplesEstimateFrequencyAndStep() {
        var servo = PIServo()
        let t0 = PTPInstant(seconds: 100)
        // A clock 100 ppm fast, 1 s ahead: the offset grows 100 µs per second.
        let first = servo.sample(offset: .seconds(Int64(1)), localTime: t0, weight: 1)
        #expect(first.state == .unlocked)
        #expect(first.step == nil)
        let second = servo.sample(offset: .seconds(Int64(1)) + .microseconds(100), localTime: t0 + .seconds(Int64(1)), weight: 1)
        #expect(second.state == .jump)
        #expect(second.step == -(.seconds(Int64(1)) + .microseconds(100)))
        #expect(abs(second.frequency.value + 100_000) < 1e-6)  // slow down by 100 ppm
    }

    /// pi.c waits 0.016/ki seconds (53 ms with ki 0.3) between the two samples of the frequency estimate.
    @Test func waitsBeforeEstimatingFrequency() {
        var servo = PIServo()
        let t0 = PTPInstant(seconds: 100)
        _ = servo.sample(offset: .microseconds(1), localTime: t0, weight: 1)
        let early = servo.sample(offset: .microseconds(1), localTime: t0 + .milliseconds(20), weight: 1)
        #expect(early.state == .unlocked)
        // Still measured from the first sample: 2 µs over 100 ms is 20 ppm fast.
        let later = servo.sample(offset: .microseconds(3), localTime: t0 + .milliseconds(100), weight: 1)
        #expect(later.state == .locked)
        #expect(abs(later.frequency.value + 20_000) < 1e-6)
    }

    @Test func smallFirstOffsetDoesNotStep() {
        var servo = PIServo()
        let t0 = PTPInstant(seconds: 100)
        _ = servo.sample(offset: .microseconds(5), localTime: t0, weight: 1)
        let second = servo.sample(offset: .microseconds(6), localTime: t0 + .seconds(Int64(1)), weight: 1)
        #expect(second.state == .locked)
        #expect(second.step == nil)
    }

    /// The PI law's signs: a positive offset (clock ahead) must slow the clock, and the integral must
    /// accumulate in the same direction. A servo with either sign wrong fails this.
    @Test func lockedResponseHasTheRightSigns() {
        var servo = PIServo()
        let t0 = PTPInstant(seconds: 100)
        _ = servo.sample(offset: .zero, localTime: t0, weight: 1)
        _ = servo.sample(offset: .zero, localTime: t0 + .seconds(Int64(1)), weight: 1)
        let a = servo.sample(offset: .nanoseconds(Int64(1000)), localTime: t0 + .seconds(Int64(2)), weight: 1)
        // ppb = -(kp + ki) · 1000 = -1000.
        #expect(abs(a.frequency.value + 1000) < 1e-6)
        let b = servo.sample(offset: .zero, localTime: t0 + .seconds(Int64(3)), weight: 1)
        // Only the integral (ki · 1000 = 300) remains.
        #expect(abs(b.frequency.value + 300) < 1e-6)
    }

    @Test func stepThresholdResetsThenSteps() {
        var servo = PIServo(configuration: ServoConfiguration(stepThreshold: .microseconds(100)))
        let t0 = PTPInstant(seconds: 100)
        _ = servo.sample(offset: .zero, localTime: t0, weight: 1)
        _ = servo.sample(offset: .zero, localTime: t0 + .seconds(Int64(1)), weight: 1)
        let big = servo.sample(offset: .milliseconds(1), localTime: t0 + .seconds(Int64(2)), weight: 1)
        #expect(big.state == .unlocked)
        // As in pi.c the sample that reset the servo is dropped: two new samples, then the step.
        let again = servo.sample(offset: .milliseconds(1), localTime: t0 + .seconds(Int64(3)), weight: 1)
        #expect(again.state == .unlocked)
        let step = servo.sample(offset: .milliseconds(1), localTime: t0 + .seconds(Int64(4)), weight: 1)
        #expect(step.state == .jump)
        #expect(step.step == -.milliseconds(1))
    }

    @Test func frequencyIsClampedToMaximum() {
        var servo = PIServo(clockMaximum: PartsPerBillion(50_000))
        let t0 = PTPInstant(seconds: 100)
        _ = servo.sample(offset: .zero, localTime: t0, weight: 1)
        let out = servo.sample(offset: .microseconds(100), localTime: t0 + .seconds(Int64(1)), weight: 1)
        #expect(out.frequency.value == -50_000)
    }
}

/// A restarted acquisition (the time followed changed and the one before was untraceable) starts from the
/// frequency the servo learned, not from an output slewing at the clock's limit toward the interim time.
@Suite struct PIServoRestartTests {
    @Test func aRestartAcquiresOnTheLearnedFrequencyNotOnASaturatedOutput() {
        var servo = PIServo(clockMaximum: PartsPerBillion(500_000), syncInterval: 1)
        var t = PTPInstant(seconds: 100)
        // Locked, the integral term holding what the first two samples and the PI law made of a drifting clock.
        _ = servo.sample(offset: .microseconds(-20), localTime: t, weight: 1)
        for _ in 0..<40 {
            t = t + .seconds(Int64(1))
            _ = servo.sample(offset: .nanoseconds(-20), localTime: t, weight: 1)
        }
        let learned = servo.learnedFrequency?.value ?? 0
        #expect(servo.state == .locked && learned != 0 && abs(learned) < 100_000)
        // The time followed jumps 96 ms ahead: the proportional term saturates at the clock's limit.
        t = t + .seconds(Int64(1))
        let slewing = servo.sample(offset: .milliseconds(-96), localTime: t, weight: 1)
        #expect(slewing.frequency.value == 500_000)
        servo.restartAcquisition()
        t = t + .seconds(Int64(1))
        let first = servo.sample(offset: .milliseconds(-96), localTime: t, weight: 1)
        #expect(first.state == .unlocked)
        #expect(first.frequency.value == learned, "acquires on \(first.frequency.value) ppb, learned \(learned)")
    }
}

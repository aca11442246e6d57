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
        #expect(discipline.apply(measurement(50_000, at: 0)).report == .unlocked)
        let jump = discipline.apply(measurement(60_000, at: 1))
        #expect(jump.report == .stepped)
        #expect(jump.output.step == .nanoseconds(Int64(-60_000)))
        #expect(discipline.apply(measurement(10, at: 2)).report == .locked)
        // A new master with a small offset: no reset, no step.
        let other = discipline.apply(measurement(40, at: 3, master: 2))
        #expect(other.sourceChanged)
        #expect(other.report == .locked)
        #expect(other.output.step == nil)
    }

    @Test func syncIntervalRetunesGains() {
        var discipline = ClockDiscipline(servo: SelectedServo(.pi))
        _ = discipline.apply(measurement(0, at: 0, log: -4))
        #expect(abs((discipline.servo.piServo?.kp ?? 0) - 0.7 * 2.2973967099940698) < 1e-9)
    }

    @Test func ptp4lSummaryLine() {
        let line = ClockDiscipline.logLine(offset: .nanoseconds(Int64(-12)), state: .locked,
                                           frequency: PartsPerBillion(-3456.4), pathDelay: .nanoseconds(Int64(789)))
        #expect(line == "master offset        -12 s2 freq   +3456 path delay       789")
    }
}

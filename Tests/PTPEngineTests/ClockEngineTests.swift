import PTPCore
import PTPEngine
import PTPServo
import Testing

/// The clock's level of the engine: the servo's verdict reaches the slave port in the same pass, holdover
/// on silence is an engine timer, the grandmaster role holds the learned frequency, and a standby's
/// reference is judged without steering.
@Suite struct ClockEngineTests {
    static let t0 = PTPInstant(seconds: 1_700_000_000)
    static let master = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x77), portNumber: 1)

    func measurement(_ offset: Int64, at seconds: Double, interval: Int8 = -4) -> SyncMeasurement {
        SyncMeasurement(
            portNumber: 1, master: Self.master, offsetFromMaster: .nanoseconds(offset), meanPathDelay: .nanoseconds(1_000),
            ingress: Self.t0 + .seconds(seconds), logSyncInterval: LogInterval(interval))
    }

    func adjustments(_ actions: [InstanceAction]) -> [(step: PTPDuration?, frequency: PartsPerBillion?, source: AdjustmentSource)]
    {
        actions.compactMap { if case .clock(.adjust(let s, let f, let by)) = $0 { (s, f, by) } else { nil } }
    }

    func timers(_ actions: [InstanceAction]) -> [PTPDuration] {
        actions.compactMap { if case .clock(.armTimer(.silence, let after)) = $0 { after } else { nil } }
    }

    func holdovers(_ actions: [InstanceAction]) -> [ClockHoldover] {
        actions.compactMap { if case .clock(.holdover(let h)) = $0 { h } else { nil } }
    }

    /// A clock that has followed a master for `seconds` at 16 Sync/s, with small offsets (locked).
    func lockedEngine(seconds: Int = 20) -> (ClockEngine, PTPInstant) {
        var engine = ClockEngine(servo: SelectedServo(.pi, syncInterval: 0.0625))
        var actions: [InstanceAction] = []
        var t = 0.0
        for i in 0..<(seconds * 16) {
            t = Double(i) / 16
            _ = engine.apply(measurement(i % 2 == 0 ? 40 : -40, at: t), at: Self.t0 + .seconds(t), into: &actions)
        }
        return (engine, Self.t0 + .seconds(t))
    }

    @Test func aMeasurementAdjustsTheClockAndArmsTheSilenceTimerOnce() {
        var engine = ClockEngine(servo: SelectedServo(.pi, syncInterval: 0.0625))
        var actions: [InstanceAction] = []
        _ = engine.apply(measurement(500, at: 0), at: Self.t0, into: &actions)
        #expect(adjustments(actions).count == 1)
        #expect(adjustments(actions).first?.source == .servo)
        #expect(timers(actions) == [.milliseconds(200)])  // 3 × 62.5 ms is below the 200 ms floor
        actions.removeAll()
        _ = engine.apply(measurement(400, at: 0.0625), at: Self.t0 + .milliseconds(62), into: &actions)
        #expect(timers(actions).isEmpty)  // re-armed from its own expiry, not per measurement
    }

    @Test func silenceAfterThreeSyncIntervalsMeansHoldoverOnTheWindowMean() {
        var (engine, last) = lockedEngine()
        #expect(engine.discipline.servo.state == .locked)
        var actions: [InstanceAction] = []
        // The timer fires early (measurements kept coming for a while): it waits for the rest.
        engine.timerFired(.silence, at: last + .milliseconds(100), into: &actions)
        #expect(holdovers(actions).isEmpty)
        #expect(timers(actions) == [.milliseconds(100)])
        actions.removeAll()
        engine.timerFired(.silence, at: last + .milliseconds(200), into: &actions)
        let entered = holdovers(actions)
        #expect(entered.count == 1)
        #expect(entered.first?.cause == .masterSilent(.milliseconds(200)))
        #expect(entered.first?.windowSeconds != nil)  // 16 s of locked adjustments averaged
        #expect(adjustments(actions).first?.source == .holdover)
        #expect(engine.discipline.inHoldover)
        // A measurement ends holdover; no second entry for the same silence.
        actions.removeAll()
        engine.timerFired(.silence, at: last + .milliseconds(400), into: &actions)
        #expect(holdovers(actions).isEmpty)
    }

    @Test func becomingTheGrandmasterHoldsTheLearnedFrequency() {
        var (engine, last) = lockedEngine()
        var actions: [InstanceAction] = []
        engine.setGrandmaster(true, at: last + .milliseconds(10), into: &actions)
        #expect(engine.isGrandmaster)
        #expect(holdovers(actions).map(\.cause) == [.grandmasterRole])
    }

    @Test func nothingToHoldBeforeAnyMaster() {
        var engine = ClockEngine(servo: SelectedServo(.pi))
        var actions: [InstanceAction] = []
        engine.setGrandmaster(true, at: Self.t0, into: &actions)
        engine.timerFired(.silence, at: Self.t0 + .seconds(5), into: &actions)
        #expect(actions.isEmpty)
    }

    @Test func aStandbysReferenceIsJudgedWithoutSteering() {
        let reference = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .utc))
        var engine = ClockEngine(servo: SelectedServo(.pi), reference: reference)
        var actions: [InstanceAction] = []
        for second in 1...5 {
            let sample = ReferenceSample(
                edge: PTPInstant(seconds: 1_700_000_000 + Int64(second), nanoseconds: 300),
                utcSecond: 1_700_000_000 + Int64(second),
                fixMode: .threeDimensional, satellitesUsed: 8)
            _ = engine.referenceSample(sample, into: &actions)
        }
        #expect(adjustments(actions).isEmpty)
        #expect(actions.contains { if case .clock(.reference(_, steering: false)) = $0 { true } else { false } })
        // As the grandmaster, the same reference steers.
        engine.setGrandmaster(true, at: Self.t0, into: &actions)
        actions.removeAll()
        let sample = ReferenceSample(
            edge: PTPInstant(seconds: 1_700_000_006, nanoseconds: 300), utcSecond: 1_700_000_006, fixMode: .threeDimensional,
            satellitesUsed: 8)
        _ = engine.referenceSample(sample, into: &actions)
        #expect(adjustments(actions).allSatisfy { $0.source == .reference })
        #expect(!adjustments(actions).isEmpty)
    }
}

extension ClockEngineTests {
    /// A step moves the clock, and the silence it measures moves with it: 150 ms after a +150 ms step is
    /// 0 ms of silence, not 300.
    @Test func aStepIsNotSilence() {
        var engine = ClockEngine(
            servo: SelectedServo(
                .pi, configuration: ServoConfiguration(firstStepThreshold: .microseconds(20)), syncInterval: 0.0625))
        var actions: [InstanceAction] = []
        var stepped: PTPDuration?
        var t = 0.0
        for i in 0..<400 where stepped == nil {
            t = Double(i) / 16
            actions.removeAll()
            _ = engine.apply(measurement(-150_000_000, at: t), at: Self.t0 + .seconds(t), into: &actions)
            stepped = adjustments(actions).compactMap(\.step).first
        }
        #expect(stepped == .milliseconds(150))
        actions.removeAll()
        // The timer armed at the first measurement fires 60 ms (clock time before the step) later, at clock
        // time t + 150 ms + 60 ms: that is 60 ms of silence.
        engine.timerFired(.silence, at: Self.t0 + .seconds(t) + .milliseconds(210), into: &actions)
        #expect(holdovers(actions).isEmpty)
    }
}

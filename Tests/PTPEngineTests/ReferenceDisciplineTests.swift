import PTPCore
import PTPEngine
import PTPServo
import Testing

/// The discipline fed by a pure simulated clock: phase and frequency in ns, the reference perfect.
@Suite struct ReferenceDisciplineTests {
    struct Clock {
        var phase: Double  // ns, clock − truth
        var ownError: Double  // ppb
        var adjustment = 0.0
        mutating func advance(_ seconds: Double) { phase += (ownError + adjustment) * seconds }
        mutating func apply(_ out: ReferenceDisciplineOutput) {
            if let step = out.step { phase += step.nanosecondsDouble }
            if let f = out.frequency { adjustment = f.value }
        }
    }

    func sample(_ second: Int64, clock: Clock, taiOffset: Int64 = 0, fix: GNSSFixMode = .threeDimensional, gps: Int? = 18) -> ReferenceSample {
        ReferenceSample(edge: PTPInstant(seconds: second + taiOffset) + .nanoseconds(clock.phase), utcSecond: second,
                        fixMode: fix, satellitesUsed: 9, gpsMinusUTC: gps)
    }

    @Test func aPHCOnTAIExpectsTheEdgeThirtySevenSecondsLater() {
        var d = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .tai), servo: SelectedServo(.pi))
        let out = d.sample(ReferenceSample(edge: PTPInstant(seconds: 1_000_037, nanoseconds: 250), utcSecond: 1_000_000,
                                           fixMode: .threeDimensional, gpsMinusUTC: 18))
        #expect(out.offset == .nanoseconds(250))
        #expect(out.stateChange?.to == .locking)
        #expect(d.utcOffset.offset == 37 && d.utcOffset.source == .gnss)
    }

    @Test func rejectedSamplesNeverReachTheServoAndLeadToHoldover() {
        var d = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .utc), servo: SelectedServo(.pi))
        var clock = Clock(phase: 5_000, ownError: 2_000)
        var second: Int64 = 2_000_000
        for _ in 0..<60 {
            second += 1
            clock.advance(1)
            clock.apply(d.sample(sample(second, clock: clock)))
            clock.apply(d.tick(now: PTPInstant(seconds: second, nanoseconds: 1_000_000)))
        }
        #expect(d.state == .locked)
        #expect(abs(clock.phase) < 50)
        let frequencyBefore = clock.adjustment
        // The receiver loses its fix: samples keep coming, all refused; the reference counts as lost.
        var outputs: [ReferenceDisciplineOutput] = []
        for _ in 0..<5 {
            second += 1
            clock.advance(1)
            let out = d.sample(sample(second, clock: clock, fix: .noFix))
            #expect(out.rejection == .fixTooLow && out.frequency == nil && out.step == nil)
            outputs.append(d.tick(now: PTPInstant(seconds: second, nanoseconds: 1_000_000)))
        }
        #expect(d.validator.rejections[.fixTooLow] == 5)
        #expect(d.state == .holdoverWithinSpecification)
        #expect(outputs.compactMap(\.stateChange).map(\.to) == [.holdoverWithinSpecification])
        // Holding the model's frequency, which is the oscillator's error cancelled (within a fraction of a ppb).
        let held = outputs.compactMap(\.frequency).first
        #expect(held.map { abs($0.value + 2_000) < 1 } == true, "held \(String(describing: held)), servo had \(frequencyBefore)")
        #expect(d.quality.clockQuality.clockClass == 7)
    }
}

@Suite struct ReferenceStatusTests {
    @Test func statusReflectsCountersAndState() {
        var d = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .utc), servo: SelectedServo(.pi))
        _ = d.sample(ReferenceSample(edge: PTPInstant(seconds: 10, nanoseconds: 40), utcSecond: 10, fixMode: .threeDimensional, gpsMinusUTC: 18))
        _ = d.sample(ReferenceSample(edge: PTPInstant(seconds: 11, nanoseconds: 40), utcSecond: 11, fixMode: .twoDimensional))
        let status = d.status
        #expect(status.state == .locking && status.stateSince == PTPInstant(seconds: 10, nanoseconds: 40))
        #expect(status.accepted == 1 && status.rejections == [.fixTooLow: 1])
        #expect(status.lastOffset == .nanoseconds(40))
        #expect(status.stateEntries == [.freeRunning: 1, .locking: 1])
        #expect(status.utcOffset.source == .gnss && status.quality.clockQuality.clockClass == 248)
    }
}

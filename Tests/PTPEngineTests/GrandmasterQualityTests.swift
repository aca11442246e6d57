import PTPCore
import PTPEngine
import Testing

@Suite struct GrandmasterQualityTests {
    @Test func clockAccuracyFollowsTable5() {
        #expect(ClockAccuracy.covering(.nanoseconds(20)) == .within25ns)
        #expect(ClockAccuracy.covering(.nanoseconds(25)) == .within25ns)
        #expect(ClockAccuracy.covering(.nanoseconds(26)) == .within100ns)
        #expect(ClockAccuracy.covering(.nanoseconds(-180)) == .within250ns)
        #expect(ClockAccuracy.covering(.nanoseconds(1_400)) == .within2_5us)
        #expect(ClockAccuracy.covering(.milliseconds(3)) == .within10ms)
        #expect(ClockAccuracy.covering(.seconds(11)) == .beyond10s)
        #expect(ClockAccuracy.covering(nanoseconds: 0.5).rawValue == 0x1D)
        #expect(ClockAccuracy.covering(nanoseconds: .nan) == .unknown)
        #expect(ClockAccuracy.within1us.boundNanoseconds == 1_000)
    }

    @Test func offsetScaledLogVarianceIsLog2TimesTwoFiftySixPlus0x8000() {
        // G.8275.1's 0x4E5D is σ ≈ 34 ns.
        let variance = OffsetScaledLogVariance.decode(0x4E5D) ?? 0
        #expect(abs(variance.squareRoot() * 1e9 - 34.1) < 0.5)
        #expect(OffsetScaledLogVariance.encode(secondsSquared: variance) == 0x4E5D)
        #expect(OffsetScaledLogVariance.encode(secondsSquared: 1) == 0x8000)
        #expect(OffsetScaledLogVariance.encode(secondsSquared: 0) == 0xFFFF)
        // σ²PTP of white phase noise σ is σ²/2 (second differences have variance 6σ²; /12).
        var alternating: [Double] = []
        for i in 0..<200 { alternating.append(i % 2 == 0 ? 50 : -50) }
        // Second differences of ±50 are ±200: 40000 / 12 ns².
        #expect(abs((OffsetScaledLogVariance.ptpVariance(offsetsNanoseconds: alternating) ?? 0) - 40_000.0 / 12 * 1e-18) < 1e-24)
        #expect(OffsetScaledLogVariance.ptpVariance(offsetsNanoseconds: [1, 2]) == nil)
    }

    @Test func qualityPerStateWithTheRightFlags() {
        let policy = GrandmasterQualityPolicy()
        let utc = UTCOffsetStatus(offset: 37, valid: true, source: .gnss)
        let free = policy.quality(state: .freeRunning, measuredError: nil, variance: nil, utcOffset: utc)
        #expect(free.clockQuality == ClockQuality(clockClass: 248, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF))
        #expect(
            !free.timeProperties.timeTraceable && free.timeProperties.timeSource == .internalOscillator
                && free.timeProperties.ptpTimescale)
        let locked = policy.quality(state: .locked, measuredError: .nanoseconds(80), variance: 1e-15, utcOffset: utc)
        #expect(locked.clockQuality.clockClass == 6 && locked.clockQuality.clockAccuracy == .within100ns)
        #expect(locked.clockQuality.offsetScaledLogVariance == OffsetScaledLogVariance.encode(secondsSquared: 1e-15))
        #expect(locked.timeProperties.timeTraceable && locked.timeProperties.frequencyTraceable)
        #expect(
            locked.timeProperties.timeSource == .gnss && locked.timeProperties.currentUtcOffset == 37
                && locked.timeProperties.currentUtcOffsetValid)
        let holdover = policy.quality(
            state: .holdoverWithinSpecification, measuredError: .nanoseconds(400), variance: 1e-15, utcOffset: utc)
        #expect(holdover.clockQuality.clockClass == 7 && holdover.clockQuality.clockAccuracy == .within1us)
        #expect(holdover.clockQuality.offsetScaledLogVariance > locked.clockQuality.offsetScaledLogVariance)
        let out = policy.quality(
            state: .holdoverOutOfSpecification, measuredError: .microseconds(3), variance: nil, utcOffset: utc)
        #expect(out.clockQuality.clockClass == 140 && !out.timeProperties.timeTraceable && !out.timeProperties.frequencyTraceable)
        // G.8275.1's fixed values, and configured classes.
        let g = GrandmasterQualityPolicy(profile: .g8275_1, holdoverOutOfSpecClass: 150)
        #expect(
            g.quality(state: .locked, measuredError: .nanoseconds(900), variance: nil, utcOffset: utc).clockQuality
                == ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D))
        #expect(
            g.quality(state: .holdoverOutOfSpecification, measuredError: nil, variance: nil, utcOffset: utc).clockQuality
                == ClockQuality(clockClass: 150, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF))
    }
}

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
    }

    @Test func qualityPerStateWithTheRightFlags() {
        let policy = GrandmasterQualityPolicy()
        let utc = UTCOffsetStatus(offset: 37, valid: true, source: .gnss)
        let free = policy.quality(state: .freeRunning, measuredError: nil, utcOffset: utc)
        #expect(free.clockQuality == ClockQuality(clockClass: 248, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF))
        #expect(
            !free.timeProperties.timeTraceable && free.timeProperties.timeSource == .internalOscillator
                && free.timeProperties.ptpTimescale)
        // 60 ns is within 70 % of 100 ns: "within 100 ns", and the variance of σ = 50 ns.
        let locked = policy.quality(state: .locked, measuredError: .nanoseconds(60), utcOffset: utc)
        #expect(locked.clockQuality.clockClass == 6 && locked.clockQuality.clockAccuracy == .within100ns)
        #expect(locked.clockQuality.offsetScaledLogVariance == OffsetScaledLogVariance.encode(secondsSquared: 2.5e-15))
        #expect(locked.timeProperties.timeTraceable && locked.timeProperties.frequencyTraceable)
        #expect(
            locked.timeProperties.timeSource == .gnss && locked.timeProperties.currentUtcOffset == 37
                && locked.timeProperties.currentUtcOffsetValid)
        let holdover = policy.quality(
            state: .holdoverWithinSpecification, measuredError: .nanoseconds(400), utcOffset: utc)
        #expect(holdover.clockQuality.clockClass == 7 && holdover.clockQuality.clockAccuracy == .within1us)
        #expect(holdover.clockQuality.offsetScaledLogVariance > locked.clockQuality.offsetScaledLogVariance)
        let out = policy.quality(
            state: .holdoverOutOfSpecification, measuredError: .microseconds(3), utcOffset: utc)
        #expect(out.clockQuality.clockClass == 140 && !out.timeProperties.timeTraceable && !out.timeProperties.frequencyTraceable)
        // G.8275.1's fixed values, and configured classes.
        let g = GrandmasterQualityPolicy(profile: .g8275_1, holdoverOutOfSpecClass: 150)
        #expect(
            g.quality(state: .locked, measuredError: .nanoseconds(900), utcOffset: utc).clockQuality
                == ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D))
        #expect(
            g.quality(state: .holdoverOutOfSpecification, measuredError: nil, utcOffset: utc).clockQuality
                == ClockQuality(clockClass: 150, clockAccuracy: .unknown, offsetScaledLogVariance: 0xFFFF))
    }

    /// Two grandmasters on equally good receivers announce the same quality, whatever the noise of their
    /// estimates, so priority2 picks the active one (IEEE 1588-2019 9.3.4 compares accuracy and variance
    /// first); a worse error is announced at once, a better one only past the margin.
    @Test func announcedAccuracyMovesInStepsWithHysteresis() {
        let policy = GrandmasterQualityPolicy()
        let utc = UTCOffsetStatus(offset: 37, valid: true, source: .gnss)
        // The error estimate of a 50 ns receiver wanders around 2σ = 100 ns, across a table 5 bound.
        let errors: [Int64] = [96, 104, 88, 118, 101, 93, 127, 99, 84, 110, 102, 95, 131, 90, 105, 97]
        var announced: ClockQuality?
        var changes = 0
        var seen: Set<ClockQuality> = []
        for error in errors {
            let quality = policy.quality(
                state: .locked, measuredError: .nanoseconds(error), utcOffset: utc, previous: announced
            ).clockQuality
            if let announced, announced != quality { changes += 1 }
            announced = quality
            seen.insert(quality)
        }
        // The first announcement already takes the margin (96 ns is not within 70 ns): 250 ns, and it stays.
        #expect(changes == 0)
        #expect(
            seen == [
                ClockQuality(
                    clockClass: 6, clockAccuracy: .within250ns,
                    offsetScaledLogVariance: GrandmasterQualityPolicy.variance(within: .within250ns))
            ])
        // Worse at once: 300 ns beyond "within 250 ns".
        let worse = policy.quality(state: .locked, measuredError: .nanoseconds(300), utcOffset: utc, previous: announced)
        #expect(worse.clockQuality.clockAccuracy == .within1us)
        // Better only within 70 % of the better bound: 200 ns keeps 1 µs, 170 ns gives 250 ns, 60 ns 100 ns.
        #expect(GrandmasterQualityPolicy.steadyAccuracy(measuredError: .nanoseconds(200), previous: .within1us) == .within1us)
        #expect(GrandmasterQualityPolicy.steadyAccuracy(measuredError: .nanoseconds(170), previous: .within1us) == .within250ns)
        #expect(GrandmasterQualityPolicy.steadyAccuracy(measuredError: .nanoseconds(60), previous: .within1us) == .within100ns)
        #expect(GrandmasterQualityPolicy.steadyAccuracy(measuredError: .nanoseconds(251), previous: .within100ns) == .within1us)
        // A new clockClass starts afresh: the holdover's first accuracy does not inherit the locked one.
        let holdover = policy.quality(
            state: .holdoverWithinSpecification, measuredError: .nanoseconds(150), utcOffset: utc,
            previous: ClockQuality(clockClass: 6, clockAccuracy: .within1us, offsetScaledLogVariance: 0x5000))
        #expect(holdover.clockQuality.clockAccuracy == .within250ns)
        // The variance follows the accuracy: unknown with it, larger with a larger bound.
        #expect(GrandmasterQualityPolicy.variance(within: .unknown) == OffsetScaledLogVariance.unknown)
        #expect(GrandmasterQualityPolicy.variance(within: .within100ns) < GrandmasterQualityPolicy.variance(within: .within250ns))
    }
}

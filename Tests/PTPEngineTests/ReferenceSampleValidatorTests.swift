import PTPCore
import PTPEngine
import Testing

@Suite struct ReferenceSampleValidatorTests {
    /// A sample of second `s` whose edge is `offsetNS` after it on the clock.
    func sample(_ s: Int64, offsetNS: Int64 = 100, fix: GNSSFixMode = .threeDimensional, sats: Int? = 9) -> ReferenceSample {
        ReferenceSample(edge: PTPInstant(seconds: s, nanoseconds: offsetNS), utcSecond: s, fixMode: fix, satellitesUsed: sats)
    }

    func check(_ v: inout ReferenceSampleValidator, _ s: ReferenceSample, trusted: Bool = true) -> ReferenceRejection? {
        v.validate(s, offset: s.edge - PTPInstant(seconds: s.utcSecond), clockTrusted: trusted)
    }

    @Test func goodSamplesPass() {
        var v = ReferenceSampleValidator()
        for s in Int64(100)..<110 { #expect(check(&v, sample(s)) == nil) }
        #expect(v.accepted == 10 && v.rejected == 0)
    }

    @Test func eachBadCaseIsRejectedAndCountedByReason() {
        var v = ReferenceSampleValidator(
            configuration: ReferenceValidatorConfiguration(
                minimumFix: .threeDimensional, minimumSatellites: 4, edgeWindow: .microseconds(100)))
        #expect(check(&v, sample(100)) == nil)
        #expect(check(&v, sample(101, fix: .twoDimensional)) == .fixTooLow)
        #expect(check(&v, sample(102, fix: .noFix)) == .fixTooLow)
        #expect(check(&v, sample(103, sats: 3)) == .tooFewSatellites)
        #expect(check(&v, sample(104, sats: nil)) == nil, "an unknown satellite count is not held against the sample")
        #expect(check(&v, sample(104)) == .secondNotIncreasing)
        // An edge 200 µs late on a locked clock.
        #expect(check(&v, sample(105, offsetNS: 200_000)) == .edgeOutsideWindow)
        // Labels jump 5 s while the edges move 1 s.
        let jumped = ReferenceSample(
            edge: PTPInstant(seconds: 106, nanoseconds: 100), utcSecond: 111, fixMode: .threeDimensional, satellitesUsed: 9)
        #expect(check(&v, jumped) == .timeOfDayJump)
        // The next jumped second is consistent with the last, but 5 s away from where the locked clock expects it.
        let next = ReferenceSample(
            edge: PTPInstant(seconds: 107, nanoseconds: 100), utcSecond: 112, fixMode: .threeDimensional, satellitesUsed: 9)
        #expect(v.validate(next, offset: next.edge - PTPInstant(seconds: 112), clockTrusted: true) == .edgeOutsideWindow)
        #expect(
            v.rejections == [
                .fixTooLow: 2, .tooFewSatellites: 1, .secondNotIncreasing: 1, .timeOfDayJump: 1, .edgeOutsideWindow: 2,
            ])
        #expect(v.accepted == 2)
    }

    @Test func anUntrustedClockFollowsAConsistentNewTime() {
        var v = ReferenceSampleValidator()
        #expect(check(&v, sample(100), trusted: false) == nil)
        // 0.3 s off and a new time of day: refused once as a jump, then followed while the clock has no time of its own.
        let a = ReferenceSample(
            edge: PTPInstant(seconds: 101, nanoseconds: 300_000_000), utcSecond: 201, fixMode: .threeDimensional)
        let b = ReferenceSample(
            edge: PTPInstant(seconds: 102, nanoseconds: 300_000_000), utcSecond: 202, fixMode: .threeDimensional)
        #expect(v.validate(a, offset: a.edge - PTPInstant(seconds: 201), clockTrusted: false) == .timeOfDayJump)
        #expect(v.validate(b, offset: b.edge - PTPInstant(seconds: 202), clockTrusted: false) == nil)
    }

    @Test func aStepMovesTheRememberedEdge() {
        var v = ReferenceSampleValidator()
        #expect(check(&v, sample(100, offsetNS: 300_000_000), trusted: false) == nil)
        v.clockStepped(by: .milliseconds(-300))
        // After a step of −0.3 s the next edge is 0.7 s after the remembered one, not 1.0 s: still one second.
        #expect(check(&v, sample(101, offsetNS: 0), trusted: false) == nil)
        // Without telling the validator, a 0.6 s step would look like a different number of seconds.
        var blind = ReferenceSampleValidator()
        #expect(check(&blind, sample(100, offsetNS: 600_000_000), trusted: false) == nil)
        #expect(check(&blind, sample(101, offsetNS: 0), trusted: false) == .timeOfDayJump)
    }
}

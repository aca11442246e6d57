import Testing

@testable import PTPCore

/// ``PTPDuration/scaled(by:)``: its one-multiplication path (a virtual clock's rate term, a transparent clock's
/// residence time) against the two-part computation that keeps any duration's precision, and its fallback to it.
@Suite struct ScaledDurationTests {
    /// Whole seconds and the remainder scaled apart (the general path, written out here as the reference).
    static func twoPart(_ duration: PTPDuration, _ factor: Double) -> PTPDuration {
        let second: Int128 = 1_000_000_000 << 16
        let whole = duration.scaled / second
        let rest = duration.scaled % second
        let wholePart = PTPDuration.seconds(Double(whole) * factor)
        return wholePart + PTPDuration(scaled: Int128((Double(rest) * factor).rounded()))
    }

    @Test func agreesWithTheTwoPartComputationWithinOneUnit() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<100_000 {
            // Up to about 19 hours of elapsed time, rates up to ±500 ppm, both signs.
            let units = Int64(random.nextUnit() * 4.5e18) * (random.nextUnit() < 0.5 ? -1 : 1)
            let rate = (random.nextUnit() * 2 - 1) * 5e-4
            let elapsed = PTPDuration.scaledNanoseconds(units)
            let fast = elapsed.scaled(by: rate)
            let general = Self.twoPart(elapsed, rate)
            let difference = (fast - general).scaledNanoseconds ?? .max
            #expect(difference.magnitude <= 1, "\(units) units × \(rate): \(fast) against \(general)")
        }
    }

    @Test func roundsHalvesAwayFromZeroAndFallsBackOutsideItsRange() {
        #expect(PTPDuration.scaledNanoseconds(1).scaled(by: 0.5) == .scaledNanoseconds(1))
        #expect(PTPDuration.scaledNanoseconds(-1).scaled(by: 0.5) == .scaledNanoseconds(-1))
        #expect(PTPDuration.scaledNanoseconds(3).scaled(by: 0.1) == .zero)
        #expect(PTPDuration.seconds(1).scaled(by: 1e-6) == .microseconds(1))
        #expect(PTPDuration.seconds(3).scaled(by: 2) == .seconds(6))
        // Beyond 2⁶² units (200,000 s) or a product beyond 2⁵² units: the two-part path.
        let long = PTPDuration.seconds(200_000)
        #expect(long.scaled(by: 1e-6) == Self.twoPart(long, 1e-6))
        #expect(PTPDuration.seconds(100).scaled(by: 1.5) == Self.twoPart(.seconds(100), 1.5))
        #expect(PTPDuration.seconds(100).scaled(by: 1.5) == .seconds(150))
    }
}

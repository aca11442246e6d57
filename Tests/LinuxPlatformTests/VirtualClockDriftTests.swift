import PTPCore
import Testing

@testable import LinuxPlatform

/// The virtual clock's rate arithmetic (``VirtualClockTimeline/drift(over:rate:)``) against the general
/// ``PTPDuration/scaled(by:)`` it stands in for.
@Suite struct VirtualClockDriftTests {
    @Test func agreesWithTheGeneralScalingWithinOneUnit() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<100_000 {
            // Up to about 19 hours of elapsed time, rates up to ±500 ppm, both signs.
            let units = Int64(random.nextUnit() * 4.5e18) * (random.nextUnit() < 0.5 ? -1 : 1)
            let rate = (random.nextUnit() * 2 - 1) * 5e-4
            let elapsed = PTPDuration.scaledNanoseconds(units)
            let fast = VirtualClockTimeline.drift(over: elapsed, rate: rate)
            let general = elapsed.scaled(by: rate)
            let difference = (fast - general).scaledNanoseconds ?? .max
            #expect(difference.magnitude <= 1, "\(units) units × \(rate): \(fast) against \(general)")
        }
    }

    @Test func roundsHalvesAwayFromZeroAndFallsBackOutsideItsRange() {
        #expect(VirtualClockTimeline.drift(over: .scaledNanoseconds(1), rate: 0.5) == .scaledNanoseconds(1))
        #expect(VirtualClockTimeline.drift(over: .scaledNanoseconds(-1), rate: 0.5) == .scaledNanoseconds(-1))
        #expect(VirtualClockTimeline.drift(over: .scaledNanoseconds(3), rate: 0.1) == .zero)
        #expect(VirtualClockTimeline.drift(over: .seconds(1), rate: 1e-6) == .microseconds(1))
        // Beyond 2⁶² units (a segment older than 19 hours) and for a rate of 1 or more: the general path.
        let long = PTPDuration.seconds(200_000)
        #expect(VirtualClockTimeline.drift(over: long, rate: 1e-6) == long.scaled(by: 1e-6))
        #expect(VirtualClockTimeline.drift(over: .seconds(3), rate: 2) == .seconds(6))
    }
}

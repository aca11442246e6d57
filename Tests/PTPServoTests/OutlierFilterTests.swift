import PTPCore
import PTPServo
import Testing

@Suite struct OutlierFilterTests {
    /// Deterministic noise in ±amplitude.
    struct Noise {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        mutating func next(_ amplitude: Double) -> Double {
            (random.nextUnit() * 2 - 1) * amplitude
        }
    }

    @Test func scheduledDelaysAreRefusedOrdinaryNoiseIsNot() {
        var filter = OutlierFilter()
        var noise = Noise()
        var refusedNoise = 0
        var refusedSpikes = 0
        for i in 0..<2_000 {
            let spike = i % 300 == 299  // a 30 µs scheduling delay now and then
            let offset = PTPDuration.nanoseconds(Int64(noise.next(250) + (spike ? 30_000 : 0)))
            let admitted = filter.admit(offset)
            if spike && !admitted { refusedSpikes += 1 }
            if !spike && !admitted { refusedNoise += 1 }
        }
        #expect(refusedSpikes == 6)
        #expect(refusedNoise == 0)
        #expect(filter.rejected == 6)
    }

    @Test func aLastingChangeIsFollowedAfterAFewSamples() {
        var filter = OutlierFilter(length: 16, maxConsecutive: 4)
        var noise = Noise()
        for _ in 0..<32 { _ = filter.admit(.nanoseconds(Int64(noise.next(50)))) }
        // The master moved by 5 µs: four samples are held back, the fifth goes through, and so do the next.
        let verdicts = (0..<10).map { _ in filter.admit(.nanoseconds(Int64(5_000 + noise.next(50)))) }
        #expect(verdicts == [false, false, false, false, true, true, true, true, true, true])
    }

    @Test func openUntilTheWindowIsFull() {
        var filter = OutlierFilter(length: 8)
        let verdicts = [0, 10, -10, 100_000, 5, 0, 3, -3].map { filter.admit(.nanoseconds(Int64($0))) }
        #expect(verdicts.allSatisfy { $0 })
        #expect(filter.admit(.nanoseconds(Int64(100_000))) == false)
    }
}

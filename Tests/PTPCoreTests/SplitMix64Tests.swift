import PTPCore
import Testing

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test("the reference sequence (splitmix64.c, seed 1234567), and the same values again from the same seed")
    func referenceSequence() {
        var random = SplitMix64(seed: 1_234_567)
        #expect(
            [random.next(), random.next(), random.next()] == [
                0x599E_D017_FB08_FC85, 0x2C73_F084_5854_0FA5, 0x883E_BCE5_A3F2_7C77,
            ])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        #expect((0..<100).map { _ in a.nextGaussian() } == (0..<100).map { _ in b.nextGaussian() })
    }

    @Test("units lie in [0, 1); 100,000 Gaussian deviates have mean 0 and variance 1 (within about 4.5 standard errors)")
    func distributions() {
        var random = SplitMix64(seed: 7)
        let units = (0..<100_000).map { _ in random.nextUnit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(units.reduce(0, +) / 100_000 - 0.5) < 0.005)
        let deviates = (0..<100_000).map { _ in random.nextGaussian() }
        let mean = deviates.reduce(0, +) / 100_000
        let variance = deviates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 99_999
        #expect(abs(mean) < 0.015)
        #expect(abs(variance - 1) < 0.02)
    }
}

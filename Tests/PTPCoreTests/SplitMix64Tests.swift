import Testing

@testable import PTPCore

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

    @Test("the ziggurat's layers close: the top one, from x[255] to 0, has the same area as the rest, up to 1")
    func zigguratCloses() {
        let table = ZigguratTable.normal
        #expect(table.x.count == 257 && table.f.count == 257)
        #expect(table.x[1] == ZigguratTable.r)
        #expect(zip(table.x.dropFirst(), table.x.dropFirst(2)).allSatisfy { $0 > $1 })
        let top = table.x[255] * (1 - table.f[255])
        #expect(abs(top - ZigguratTable.v) < 1e-9)
        #expect(table.f[256] == 1)
    }

    /// P(|Z| > z) for the standard normal at z = 0.5, 1, …, 4 (erfc(z/√2)), and how often 1,000,000 deviates
    /// fall beyond each, within 5 standard errors: the layers, their wedges and the tail beyond r = 3.654 together.
    @Test("1,000,000 Gaussian deviates fall beyond 0.5, 1, …, 4 standard deviations as often as the normal law says")
    func gaussianTails() {
        let limits: [(z: Double, p: Double)] = [
            (0.5, 0.617_075_077), (1, 0.317_310_508), (1.5, 0.133_614_403), (2, 0.045_500_264),
            (2.5, 0.012_419_331), (3, 0.002_699_796), (3.5, 0.000_465_258), (4, 0.000_063_342),
        ]
        var random = SplitMix64(seed: 11)
        let n = 1_000_000
        var beyond = [Int](repeating: 0, count: limits.count)
        var positive = 0
        for _ in 0..<n {
            let z = random.nextGaussian()
            if z > 0 { positive += 1 }
            for (k, limit) in limits.enumerated() where abs(z) > limit.z { beyond[k] += 1 }
        }
        for (k, limit) in limits.enumerated() {
            let observed = Double(beyond[k]) / Double(n)
            let standardError = (limit.p * (1 - limit.p) / Double(n)).squareRoot()
            #expect(abs(observed - limit.p) < 5 * standardError, "beyond \(limit.z): \(observed) against \(limit.p)")
        }
        #expect(abs(Double(positive) / Double(n) - 0.5) < 5 * (0.25 / Double(n)).squareRoot())
    }
}

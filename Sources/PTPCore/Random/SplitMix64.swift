/// The project's one seeded random generator (SplitMix64: Steele, Lea and Flood 2014), so every random
/// choice is reproducible from a seed: the engine's random intervals (announce receipt extension, Delay_Req
/// spacing), the simulator's oscillators and links, the virtual clock's wander, the simulated GNSS receiver's
/// jitter, and the tests' fuzzers.
///
/// 64 bits of state, full period 2^64; streams from different seeds do not overlap in practice.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var state: UInt64
    /// The second deviate of the last polar-method pair, returned by the next ``nextGaussian()``.
    @usableFromInline var spareGaussian: Double?

    @inlinable
    public init(seed: UInt64) {
        state = seed
        spareGaussian = nil
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1): the top 53 bits of ``next()``.
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal deviate (Marsaglia's polar method, which needs only a logarithm; each accepted
    /// pair gives two deviates, the second kept for the next call).
    @inlinable
    public mutating func nextGaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        while true {
            let u = 2 * nextUnit() - 1
            let v = 2 * nextUnit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * RealFunctions.log(s) / s).squareRoot()
                spareGaussian = v * factor
                return u * factor
            }
        }
    }
}

import PTPCore

/// The draws fuzz tests want from the seeded generator, so a failure repeats with the same inputs.
extension SplitMix64 {
    /// Uniform in 0..<n (0 when n ≤ 1); the modulo's bias does not matter to a fuzzer.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One random byte.
    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

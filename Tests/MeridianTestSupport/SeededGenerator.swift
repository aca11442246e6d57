import PTPEngine

/// The engine's seeded SplitMix64 with the draws fuzz tests want, so a failure repeats with the same
/// inputs.
public struct SeededGenerator: Sendable {
    private var base: SplitMix64

    public init(state: UInt64) {
        base = SplitMix64(seed: state)
    }

    public mutating func next() -> UInt64 { base.next() }

    /// Uniform in 0..<n (0 when n ≤ 1).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

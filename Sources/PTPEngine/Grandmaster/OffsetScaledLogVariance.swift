import PTPCore
import PTPServo

/// offsetScaledLogVariance (IEEE 1588-2019 7.6.3): the clock's stability as the PTP variance σ²PTP, in s²,
/// written as log2(σ²PTP)·2⁸ + 0x8000 (7.6.3.3), so 0x4E5D (G.8275.1's value for a locked T-GM) stands for
/// σPTP ≈ 34 ns. 0xFFFF means "not computed" and is what an unmeasured clock announces.
public enum OffsetScaledLogVariance {
    /// Not computed (7.6.3.3).
    public static let unknown: UInt16 = 0xFFFF

    /// The representation of a variance `secondsSquared` (7.6.3.3), clamped to 0…0xFFFE; zero or
    /// non-finite gives ``unknown``.
    public static func encode(secondsSquared variance: Double) -> UInt16 {
        guard variance.isFinite, variance > 0 else { return unknown }
        let scaled = (RealFunctions.log(variance) / 0.6931471805599453 * 256).rounded() + 0x8000
        return UInt16(max(0, min(0xFFFE, scaled)))
    }

    /// The variance (s²) a representation stands for; nil for ``unknown``.
    public static func decode(_ value: UInt16) -> Double? {
        guard value != unknown else { return nil }
        return RealFunctions.exp2((Double(value) - 0x8000) / 256)
    }

    /// The PTP variance (7.6.3.2) of time-error samples `offsets` (ns) taken every `interval` seconds:
    /// σ²PTP(τ) = τ²/6 · σ²y(τ) with the Allan variance from second differences of the phase,
    /// σ²y(τ) = Σ(x[i+2] − 2x[i+1] + x[i])² / (2τ²(N−2)), so σ²PTP = Σ(…)² / (12 (N−2)), in s².
    /// Nil with fewer than three samples.
    public static func ptpVariance(offsetsNanoseconds offsets: [Double]) -> Double? {
        guard offsets.count >= 3 else { return nil }
        var sum = 0.0
        for i in 0..<(offsets.count - 2) {
            let d = offsets[i + 2] - 2 * offsets[i + 1] + offsets[i]
            sum += d * d
        }
        let nanoseconds2 = sum / (12 * Double(offsets.count - 2))
        return nanoseconds2 * 1e-18
    }
}

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
}

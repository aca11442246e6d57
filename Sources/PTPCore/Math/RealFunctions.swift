/// The few real functions the pure targets need (natural logarithm, powers of two, `pow`),
/// written in plain Swift because the pure targets may not import Glibc or Foundation (DESIGN.md).
///
/// Accurate to a few units in the last place over the ranges used here (positive finite arguments,
/// exponents of a few hundred at most), which is far below any timing noise.
public enum RealFunctions {
    /// The natural logarithm of `x`; `-infinity` for zero, `nan` for negative or non-finite input.
    public static func log(_ x: Double) -> Double {
        guard x.isFinite, x >= 0 else { return .nan }
        if x == 0 { return -.infinity }
        // x = m · 2^e with m in [1, 2); ln x = e ln 2 + ln m, ln m = 2 atanh((m-1)/(m+1)).
        let e = Double(x.exponent)
        var m = x.significand
        var extra = 0.0
        if m > 1.4142135623730951 {  // keep (m-1)/(m+1) small: m in [0.707, 1.414)
            m /= 2
            extra = 1
        }
        let z = (m - 1) / (m + 1)
        // atanh z = z (1 + z²/3 + z⁴/5 + …): with |z| ≤ 0.1716 (z² ≤ 0.0295) the terms after z²³/23 are
        // below 10⁻¹⁸ of the sum, so a fixed Horner form in z² (no division, no loop) is as exact as the series.
        let z2 = z * z
        var sum = 1.0 / 23
        sum = sum * z2 + 1.0 / 21
        sum = sum * z2 + 1.0 / 19
        sum = sum * z2 + 1.0 / 17
        sum = sum * z2 + 1.0 / 15
        sum = sum * z2 + 1.0 / 13
        sum = sum * z2 + 1.0 / 11
        sum = sum * z2 + 1.0 / 9
        sum = sum * z2 + 1.0 / 7
        sum = sum * z2 + 1.0 / 5
        sum = sum * z2 + 1.0 / 3
        sum = sum * z2 + 1
        sum *= z
        return 2 * sum + (e + extra) * ln2
    }

    /// 2 raised to `y`.
    public static func exp2(_ y: Double) -> Double {
        guard y.isFinite else { return y > 0 ? .infinity : 0 }
        if y > 1023 { return .infinity }
        if y < -1074 { return 0 }
        let n = y.rounded(.down)
        let f = (y - n) * ln2  // in [0, ln 2)
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while k < 40 {
            term *= f / k
            sum += term
            if term < 1e-18 * sum { break }
            k += 1
        }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }

    /// `base` raised to `exponent` for positive `base`; `nan` otherwise.
    public static func pow(_ base: Double, _ exponent: Double) -> Double {
        guard base > 0 else { return base == 0 && exponent > 0 ? 0 : .nan }
        return exp2(exponent * log(base) / ln2)
    }

    static let ln2 = 0.6931471805599453
}

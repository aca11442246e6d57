/// Least-squares fits of a line or a parabola to points, with the parameters' covariance, for the holdover
/// model. x is centred on its mean before fitting so that hours of seconds do not lose precision.
///
/// The fitted curve is y = a + b·u + c·u² with u = x − ``centre``.
public struct PolynomialFit: Sendable, Hashable {
    public var centre: Double
    public var a: Double
    public var b: Double
    public var c: Double
    /// Covariance of (a, b, c), row-major 3×3 (the c row and column are zero for a line).
    public var covariance: [Double]
    /// Residual standard deviation (with n − parameters degrees of freedom).
    public var residualDeviation: Double
    public var count: Int

    /// The fitted value at `x`.
    public func value(at x: Double) -> Double {
        let u = x - centre
        return a + b * u + c * u * u
    }

    /// The fitted slope dy/dx at `x`.
    public func slope(at x: Double) -> Double {
        b + 2 * c * (x - centre)
    }

    /// The standard error of ``value(at:)``.
    public func valueDeviation(at x: Double) -> Double {
        let u = x - centre
        return quadraticForm([1, u, u * u]).squareRoot()
    }

    /// The standard error of ``slope(at:)``.
    public func slopeDeviation(at x: Double) -> Double {
        let u = x - centre
        return quadraticForm([0, 1, 2 * u]).squareRoot()
    }

    /// The standard error of the second derivative 2c.
    public var curvatureDeviation: Double { 2 * covariance[8].squareRoot() }

    private func quadraticForm(_ g: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<3 {
            for j in 0..<3 { sum += g[i] * covariance[i * 3 + j] * g[j] }
        }
        return max(0, sum)
    }

    /// Fits a line (degree 1) or parabola (degree 2); nil when there are too few distinct points.
    public static func fit(x: [Double], y: [Double], degree: Int) -> PolynomialFit? {
        let n = min(x.count, y.count)
        let parameters = degree >= 2 ? 3 : 2
        guard n > parameters else { return nil }
        var mean = 0.0
        for i in 0..<n { mean += x[i] }
        mean /= Double(n)
        // Normal equations in centred u.
        var s = [Double](repeating: 0, count: 5)  // Σu^k, k = 0…4
        var t = [Double](repeating: 0, count: 3)  // Σy·u^k, k = 0…2
        for i in 0..<n {
            let u = x[i] - mean
            var p = 1.0
            for k in 0..<5 {
                s[k] += p
                if k < 3 { t[k] += y[i] * p }
                p *= u
            }
        }
        var matrix: [Double]
        if parameters == 3 {
            matrix = [s[0], s[1], s[2], s[1], s[2], s[3], s[2], s[3], s[4]]
        } else {
            matrix = [s[0], s[1], 0, s[1], s[2], 0, 0, 0, 1]
        }
        guard let inverse = invert3(matrix) else { return nil }
        var coefficients = [0.0, 0.0, 0.0]
        for i in 0..<3 {
            for j in 0..<3 { coefficients[i] += inverse[i * 3 + j] * (j < parameters ? t[j] : 0) }
        }
        if parameters == 2 { coefficients[2] = 0 }
        var ssr = 0.0
        for i in 0..<n {
            let u = x[i] - mean
            let r = y[i] - (coefficients[0] + coefficients[1] * u + coefficients[2] * u * u)
            ssr += r * r
        }
        let variance = ssr / Double(n - parameters)
        var covariance = inverse.map { $0 * variance }
        if parameters == 2 {
            for k in [2, 5, 6, 7, 8] { covariance[k] = 0 }
        }
        return PolynomialFit(
            centre: mean, a: coefficients[0], b: coefficients[1], c: coefficients[2], covariance: covariance,
            residualDeviation: variance.squareRoot(), count: n)
    }

    /// The inverse of a symmetric 3×3 matrix, nil when it is singular.
    static func invert3(_ m: [Double]) -> [Double]? {
        let c00 = m[4] * m[8] - m[5] * m[7]
        let c01 = m[5] * m[6] - m[3] * m[8]
        let c02 = m[3] * m[7] - m[4] * m[6]
        let determinant = m[0] * c00 + m[1] * c01 + m[2] * c02
        guard determinant.isFinite, abs(determinant) > 1e-300 else { return nil }
        let r = 1 / determinant
        return [
            c00 * r, (m[2] * m[7] - m[1] * m[8]) * r, (m[1] * m[5] - m[2] * m[4]) * r,
            c01 * r, (m[0] * m[8] - m[2] * m[6]) * r, (m[2] * m[3] - m[0] * m[5]) * r,
            c02 * r, (m[1] * m[6] - m[0] * m[7]) * r, (m[0] * m[4] - m[1] * m[3]) * r,
        ]
    }
}

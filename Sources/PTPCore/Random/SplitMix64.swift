/// The project's one seeded random generator (SplitMix64: Steele, Lea and Flood 2014), so every random
/// choice is reproducible from a seed: the engine's random intervals (announce receipt extension, Delay_Req
/// spacing), the simulator's oscillators and links, the virtual clock's wander, the simulated GNSS receiver's
/// jitter, and the tests' fuzzers.
///
/// 64 bits of state, full period 2^64; streams from different seeds do not overlap in practice.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var state: UInt64

    @inlinable
    public init(seed: UInt64) {
        state = seed
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

    /// A standard normal deviate, by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000) of 256 layers of
    /// equal area under exp(-x²/2): one 64-bit draw picks the layer (its low 8 bits) and the abscissa (its top 53)
    /// and, about 98.8 % of the time, gives the deviate with one multiplication and one comparison. The rest test
    /// the layer's wedge against the density or draw from the tail beyond r (Marsaglia's method, 1964).
    public mutating func nextGaussian() -> Double {
        let bits = next()
        let layer = Int(bits & 0xFF)
        // A uniform in (-1, 1) from the top 53 bits, independent of the layer's 8.
        let u = Double(bits >> 11) * 0x1.0p-52 - 1
        let x = u * ZigguratTable.normal.x[layer]
        if abs(x) < ZigguratTable.normal.x[layer + 1] { return x }
        return gaussianOutsideTheLayers(layer: layer, u: u, x: x)
    }

    /// The rest of ``nextGaussian()`` (about 1.2 % of draws), apart so that the common path stays short: the tail
    /// beyond r for the base layer, else the wedge; a rejected point draws afresh.
    @inline(never)
    mutating func gaussianOutsideTheLayers(layer: Int, u: Double, x: Double) -> Double {
        if layer == 0 {
            // The tail beyond r: x = -ln(U1)/r, accepted when -2 ln(U2) ≥ x².
            while true {
                let t = -RealFunctions.log(1 - nextUnit()) / ZigguratTable.r
                let y = -RealFunctions.log(1 - nextUnit())
                if 2 * y >= t * t { return u < 0 ? -(ZigguratTable.r + t) : ZigguratTable.r + t }
            }
        }
        // The wedge: a height uniform between the layer's bottom and top, under the density or not.
        let bottom = ZigguratTable.normal.f[layer]
        let top = ZigguratTable.normal.f[layer + 1]
        if top + (bottom - top) * nextUnit() < ZigguratTable.density(x) { return x }
        return nextGaussian()
    }
}

/// The ziggurat of ``SplitMix64/nextGaussian()``: 256 layers of area `v` under f(x) = exp(-x²/2), the base one a
/// rectangle of width v/f(r) with the tail beyond r folded into it (Marsaglia and Tsang 2000, r and v for 256
/// layers). `x[i]` is the right edge of layer i (x[1] = r, falling to x[256] = 0) and `f[i]` = f(x[i]); the table
/// is computed once, with this module's own logarithm and exponential, so every platform draws the same values.
struct ZigguratTable: Sendable {
    static let r = 3.6541528853610088
    static let v = 4.92867323399e-3
    static let normal = ZigguratTable()

    let x: [Double]
    let f: [Double]

    init() {
        var x = [Double](repeating: 0, count: 257)
        x[0] = Self.v / Self.density(Self.r)
        x[1] = Self.r
        for i in 2..<256 {
            // The layer above x[i-1] has area v: x[i-1] · (f(x[i]) - f(x[i-1])) = v.
            x[i] = (-2 * RealFunctions.log(Self.v / x[i - 1] + Self.density(x[i - 1]))).squareRoot()
        }
        x[256] = 0
        self.x = x
        f = x.map(Self.density)
    }

    /// exp(-x²/2): 2^(-x²/(2 ln 2)).
    static func density(_ x: Double) -> Double {
        RealFunctions.exp2(-x * x / (2 * RealFunctions.ln2))
    }
}

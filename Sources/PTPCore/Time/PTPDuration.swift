/// A signed span of time on the PTP timescale.
///
/// The storage is private and exact to 2⁻¹⁶ ns, the resolution of the correction field
/// (IEEE 1588-2019 5.3.2), so a correction carried through the engine loses nothing.
/// Build one with the static constructors; never pass `Double` seconds around.
public struct PTPDuration: Sendable, Hashable, Comparable {
    /// Units of 2⁻¹⁶ nanoseconds.
    ///
    /// Kept in two words, not an `Int128` (``PackedInt128``).
    @usableFromInline
    internal var packed: PackedInt128

    @inlinable
    internal var scaled: Int128 {
        get { packed.value }
        set { packed.value = newValue }
    }

    @inlinable
    internal init(scaled: Int128) {
        packed = PackedInt128(scaled)
    }

    public static let zero = PTPDuration(scaled: 0)

    /// A duration of `value` 2⁻¹⁶ ns units, the unit of the correction field.
    @inlinable
    public static func scaledNanoseconds(_ value: Int64) -> PTPDuration {
        PTPDuration(scaled: Int128(value))
    }

    @inlinable
    public static func nanoseconds(_ value: Int64) -> PTPDuration {
        PTPDuration(scaled: Int128(value) << 16)
    }

    @inlinable
    public static func microseconds(_ value: Int64) -> PTPDuration {
        PTPDuration(scaled: Int128(value) * 1_000 << 16)
    }

    @inlinable
    public static func milliseconds(_ value: Int64) -> PTPDuration {
        PTPDuration(scaled: Int128(value) * 1_000_000 << 16)
    }

    @inlinable
    public static func seconds(_ value: Int64) -> PTPDuration {
        PTPDuration(scaled: Int128(value) * 1_000_000_000 << 16)
    }

    /// The nearest representable duration to `nanoseconds` (non-finite values give zero).
    ///
    /// Through `Int64` when the value fits (±1.6 days: every offset, delay and interval a servo or the
    /// simulator sees): the standard library's generic `Double` → `Int128` conversion costs about a
    /// thousand instructions a call, the `Int64` one a few. The results are the same.
    @_disfavoredOverload
    @inlinable
    public static func nanoseconds(_ value: Double) -> PTPDuration {
        let units = value * 65_536
        if units > -9.2e18 && units < 9.2e18 {
            // Rounded half away from zero, as `rounded()`, without its call into libm: the truncation's remainder
            // is exact (below 2⁵² both are within one of each other; above, `units` is already whole).
            let whole = Int64(units)
            let rest = units - Double(whole)
            return PTPDuration(scaled: Int128(rest >= 0.5 ? whole + 1 : rest <= -0.5 ? whole - 1 : whole))
        }
        return wideNanoseconds(value)
    }

    @usableFromInline
    static func wideNanoseconds(_ value: Double) -> PTPDuration {
        guard value.isFinite else { return .zero }
        let scaled = (value * 65_536).rounded()
        // Clamp to roughly ±2⁹⁰ units (about 600 billion years); keeps the conversion from trapping.
        let limit = 1.2e27
        return PTPDuration(scaled: Int128(max(-limit, min(limit, scaled))))
    }

    /// The nearest duration to `value` seconds (non-finite values give zero).
    @_disfavoredOverload
    public static func seconds(_ value: Double) -> PTPDuration {
        .nanoseconds(value * 1e9)
    }

    /// Whole nanoseconds, rounded toward negative infinity, saturating at the bounds of `Int64`.
    @inlinable
    public var nanoseconds: Int64 {
        let ns = scaled >> 16
        if ns > Int128(Int64.max) { return .max }
        if ns < Int128(Int64.min) { return .min }
        return Int64(ns)
    }

    /// Whole nanoseconds, rounded to nearest (ties away from zero), saturating.
    public var roundedNanoseconds: Int64 {
        let half: Int128 = 1 << 15
        let ns = scaled >= 0 ? (scaled + half) >> 16 : -((-scaled + half) >> 16)
        if ns > Int128(Int64.max) { return .max }
        if ns < Int128(Int64.min) { return .min }
        return Int64(ns)
    }

    /// The value in 2⁻¹⁶ ns units if it fits in 64 bits, as the correction field needs.
    public var scaledNanoseconds: Int64? {
        Int64(exactly: scaled)
    }

    /// Nanoseconds as a `Double`, for servo arithmetic and display (through `Int64` when the value fits,
    /// as ``nanoseconds(_:)-(Double)`` converts: the same result, without the generic `Int128` path).
    @inlinable
    public var nanosecondsDouble: Double {
        if scaled >= Int128(Int64.min) && scaled <= Int128(Int64.max) {
            return Double(Int64(truncatingIfNeeded: scaled)) / 65_536
        }
        return Double(scaled) / 65_536
    }

    /// Seconds as a `Double`, for servo arithmetic and display.
    @inlinable
    public var secondsDouble: Double {
        if scaled >= Int128(Int64.min) && scaled <= Int128(Int64.max) {
            return Double(Int64(truncatingIfNeeded: scaled)) / 65_536e9
        }
        return Double(scaled) / 65_536e9
    }

    public var magnitude: PTPDuration {
        PTPDuration(scaled: scaled < 0 ? -scaled : scaled)
    }

    public var isNegative: Bool { scaled < 0 }

    @inlinable
    public static func < (lhs: PTPDuration, rhs: PTPDuration) -> Bool {
        lhs.scaled < rhs.scaled
    }

    @inlinable
    public static func + (lhs: PTPDuration, rhs: PTPDuration) -> PTPDuration {
        PTPDuration(scaled: lhs.scaled &+ rhs.scaled)
    }

    @inlinable
    public static func - (lhs: PTPDuration, rhs: PTPDuration) -> PTPDuration {
        PTPDuration(scaled: lhs.scaled &- rhs.scaled)
    }

    @inlinable
    public static prefix func - (value: PTPDuration) -> PTPDuration {
        PTPDuration(scaled: 0 &- value.scaled)
    }

    @inlinable
    public static func += (lhs: inout PTPDuration, rhs: PTPDuration) {
        lhs = lhs + rhs
    }

    @inlinable
    public static func -= (lhs: inout PTPDuration, rhs: PTPDuration) {
        lhs = lhs - rhs
    }

    @inlinable
    public static func * (lhs: PTPDuration, rhs: Int64) -> PTPDuration {
        PTPDuration(scaled: lhs.scaled &* Int128(rhs))
    }

    /// Division rounding toward zero; dividing by zero gives zero rather than trapping.
    @inlinable
    public static func / (lhs: PTPDuration, rhs: Int64) -> PTPDuration {
        rhs == 0 ? .zero : PTPDuration(scaled: lhs.scaled / Int128(rhs))
    }

    /// Scales by a real factor (for example a frequency ratio), rounding to the nearest unit (halves away from zero).
    ///
    /// One multiplication when the product stays below 2⁵² units (68 s: a virtual clock's rate term over its
    /// segment, a transparent clock's residence time, every reading and stamp conversion of a virtual clock pays
    /// it) and the duration fits 62 bits: both roundings of the `Double` then err by under half a unit, and
    /// ``nanoseconds(_:)-(Double)``'s ×2¹⁶ undoes the ÷2¹⁶ exactly. Otherwise whole seconds and the remainder are
    /// scaled apart, so any duration keeps its precision (two 128-bit divisions and a call to libm's `round`).
    public func scaled(by factor: Double) -> PTPDuration {
        if let units = Int64(exactly: scaled), units.magnitude < 1 << 62 {
            let product = Double(units) * factor
            if product.magnitude < 0x1p52 { return .nanoseconds(product / 65_536) }
        }
        // Split to keep precision for large durations: whole seconds and the remainder separately.
        let second: Int128 = 1_000_000_000 << 16
        let whole = scaled / second
        let rest = scaled % second
        // Int128 <-> Double goes through the standard library's generic conversion; through Int64 (both parts
        // fit in practice: the remainder is below 2^46) it is one instruction, which a virtual clock's every
        // reading pays.
        let wholeSeconds = Int64(exactly: whole).map(Double.init) ?? Double(whole)
        let wholePart = PTPDuration.seconds(wholeSeconds * factor)
        let restProduct = (Double(Int64(truncatingIfNeeded: rest)) * factor).rounded()
        let restScaled: Int128
        if let small = Int64(exactly: restProduct) {
            restScaled = Int128(small)
        } else {
            restScaled = restProduct.isFinite ? Int128(restProduct) : 0
        }
        return wholePart + PTPDuration(scaled: restScaled)
    }
}

extension PTPDuration: CustomStringConvertible {
    /// Nanoseconds with the fraction when there is one, e.g. `-1500 ns` or `12.5 ns`.
    public var description: String {
        let fraction = scaled & 0xFFFF
        if fraction == 0 || scaled < 0 && (-scaled) & 0xFFFF == 0 {
            return "\(scaled >> 16) ns"
        }
        return "\(nanosecondsDouble) ns"
    }
}

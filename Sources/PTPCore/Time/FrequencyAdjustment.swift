/// A frequency offset in parts per billion, the unit of `clock_adjtime` and PHC drivers.
///
/// Positive means the clock runs faster. Stored as `Double` because servos compute fractional ppb.
public struct PartsPerBillion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Double

    @inlinable
    public init(_ value: Double) {
        self.value = value
    }

    public static let zero = PartsPerBillion(0)

    public static func ppm(_ value: Double) -> PartsPerBillion {
        PartsPerBillion(value * 1_000)
    }

    /// The ratio of clock rate to true rate minus one.
    public var ratio: Double {
        value / 1e9
    }

    /// The value clamped to ±`limit`.
    public func clamped(to limit: PartsPerBillion) -> PartsPerBillion {
        let l = abs(limit.value)
        return PartsPerBillion(max(-l, min(l, value)))
    }

    public static func < (lhs: PartsPerBillion, rhs: PartsPerBillion) -> Bool {
        lhs.value < rhs.value
    }

    public static func + (lhs: PartsPerBillion, rhs: PartsPerBillion) -> PartsPerBillion {
        PartsPerBillion(lhs.value + rhs.value)
    }

    public static func - (lhs: PartsPerBillion, rhs: PartsPerBillion) -> PartsPerBillion {
        PartsPerBillion(lhs.value - rhs.value)
    }

    public static prefix func - (value: PartsPerBillion) -> PartsPerBillion {
        PartsPerBillion(-value.value)
    }

    public var description: String {
        "\(value) ppb"
    }
}

/// Conversions between ``PTPDuration`` and `Double` nanoseconds that avoid the standard library's
/// generic `Int128` ⇄ `Double` path when the value fits in 64 bits (±1.6 days), which is every
/// offset, delay and interval a servo or the simulator sees. Same results as ``PTPDuration/nanosecondsDouble``
/// and ``PTPDuration/nanoseconds(_:)-(Double)``; outside the fast range they fall back to them.
extension PTPDuration {
    /// ``nanosecondsDouble``, computed through `Int64` when it fits.
    @inlinable
    public var nanosecondsDoubleFast: Double {
        if scaled >= Int128(Int64.min) && scaled <= Int128(Int64.max) {
            return Double(Int64(truncatingIfNeeded: scaled)) / 65_536
        }
        return nanosecondsDouble
    }

    /// ``secondsDouble``, computed through `Int64` when it fits.
    @inlinable
    public var secondsDoubleFast: Double {
        if scaled >= Int128(Int64.min) && scaled <= Int128(Int64.max) {
            return Double(Int64(truncatingIfNeeded: scaled)) / 65_536e9
        }
        return secondsDouble
    }

    /// ``nanoseconds(_:)-(Double)``, converted through `Int64` when it fits.
    @inlinable
    public static func nanosecondsFast(_ value: Double) -> PTPDuration {
        let units = (value * 65_536).rounded()
        if units > -9.2e18 && units < 9.2e18 {
            return PTPDuration(scaled: Int128(Int64(units)))
        }
        return .nanoseconds(value)
    }
}

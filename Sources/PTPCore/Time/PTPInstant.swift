/// A point on a PTP timescale: time since the PTP epoch (1970-01-01 00:00:00 TAI), exact to 2⁻¹⁶ ns.
///
/// Instant − instant is a ``PTPDuration``; instant ± duration is an instant; instant + instant does not
/// compile. Conversions to and from the wire's ``WireTimestamp`` are explicit.
public struct PTPInstant: Sendable, Hashable, Comparable {
    /// Units of 2⁻¹⁶ ns since the epoch; may be negative for instants before it.
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

    public static let epoch = PTPInstant(scaled: 0)

    /// An instant from whole seconds and nanoseconds since the epoch (nanoseconds may exceed one second).
    @inlinable
    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.init(scaled: (Int128(seconds) * 1_000_000_000 + Int128(nanoseconds)) << 16)
    }

    /// Whole seconds since the epoch (rounded toward negative infinity).
    @inlinable
    public var seconds: Int64 {
        let perSecond: Int128 = 1_000_000_000 << 16
        var s = scaled / perSecond
        if scaled < 0 && scaled % perSecond != 0 { s -= 1 }
        return Int64(truncatingIfNeeded: s)
    }

    /// Nanoseconds within the second, 0..<1_000_000_000.
    @inlinable
    public var nanoseconds: UInt32 {
        let perSecond: Int128 = 1_000_000_000 << 16
        var rest = scaled % perSecond
        if rest < 0 { rest += perSecond }
        return UInt32(truncatingIfNeeded: rest >> 16)
    }

    /// The sub-nanosecond part in 2⁻¹⁶ ns units.
    public var fractionalNanoseconds: UInt16 {
        UInt16(truncatingIfNeeded: scaled & 0xFFFF)
    }

    /// Time since the epoch as a duration.
    public var sinceEpoch: PTPDuration {
        PTPDuration(scaled: scaled)
    }

    public init(sinceEpoch: PTPDuration) {
        self.init(scaled: sinceEpoch.scaled)
    }

    @inlinable
    public static func < (lhs: PTPInstant, rhs: PTPInstant) -> Bool {
        lhs.scaled < rhs.scaled
    }

    @inlinable
    public static func - (lhs: PTPInstant, rhs: PTPInstant) -> PTPDuration {
        PTPDuration(scaled: lhs.scaled &- rhs.scaled)
    }

    @inlinable
    public static func + (lhs: PTPInstant, rhs: PTPDuration) -> PTPInstant {
        PTPInstant(scaled: lhs.scaled &+ rhs.scaled)
    }

    @inlinable
    public static func - (lhs: PTPInstant, rhs: PTPDuration) -> PTPInstant {
        PTPInstant(scaled: lhs.scaled &- rhs.scaled)
    }

    @inlinable
    public static func += (lhs: inout PTPInstant, rhs: PTPDuration) {
        lhs = lhs + rhs
    }
}

extension PTPInstant: CustomStringConvertible {
    /// `seconds.nanoseconds`, the way ptp4l and pmc print timestamps.
    public var description: String {
        var ns = String(nanoseconds)
        while ns.count < 9 { ns = "0" + ns }
        return "\(seconds).\(ns)"
    }
}

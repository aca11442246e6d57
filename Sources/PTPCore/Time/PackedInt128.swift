/// An `Int128` kept as two 64-bit words: 8-byte aligned, where `Int128` is 16-byte aligned and passes that on to
/// every type that holds one. ``PTPDuration`` and ``PTPInstant`` store their value this way: with `Int128` a port
/// engine's fields, a measurement and the engine's actions were padded to 16 bytes (an action of the clock's
/// instance took 144 bytes, now 128; a simulated zone of 10,000 clocks takes 4 % less memory). The arithmetic
/// stays the `Int128`'s: ``value`` joins the words for it and splits the result.
@usableFromInline
struct PackedInt128: Sendable, Hashable {
    @usableFromInline
    var low: UInt64
    @usableFromInline
    var high: Int64

    @inlinable
    init(_ value: Int128) {
        low = UInt64(truncatingIfNeeded: value)
        high = Int64(truncatingIfNeeded: value >> 64)
    }

    @inlinable
    var value: Int128 {
        get { Int128(high) << 64 | Int128(low) }
        set { self = PackedInt128(newValue) }
    }
}

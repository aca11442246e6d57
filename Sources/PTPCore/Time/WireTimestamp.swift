/// The wire's Timestamp: 48-bit seconds and 32-bit nanoseconds (IEEE 1588-2019 5.3.3).
///
/// It is a transport value; the engine works in ``PTPInstant``. The nanoseconds field is kept as received
/// (a peer may send 10⁹ or more); ``instant`` normalises it.
public struct WireTimestamp: Sendable, Hashable {
    /// Seconds; only the low 48 bits are carried.
    public var secondsField: UInt64
    public var nanosecondsField: UInt32

    public static let maxSeconds: UInt64 = (1 << 48) - 1
    public static let zero = WireTimestamp(secondsField: 0, nanosecondsField: 0)

    @inlinable
    public init(secondsField: UInt64, nanosecondsField: UInt32) {
        self.secondsField = secondsField & WireTimestamp.maxSeconds
        self.nanosecondsField = nanosecondsField
    }

    /// The timestamp of `instant`, truncated to whole nanoseconds; seconds wrap modulo 2⁴⁸ and instants
    /// before the epoch give zero.
    public init(_ instant: PTPInstant) {
        if instant < .epoch {
            self = .zero
        } else {
            self.init(secondsField: UInt64(instant.seconds), nanosecondsField: instant.nanoseconds)
        }
    }

    /// The instant this timestamp names.
    @inlinable
    public var instant: PTPInstant {
        PTPInstant(seconds: Int64(secondsField), nanoseconds: Int64(nanosecondsField))
    }

    /// True when the nanoseconds field is below 10⁹ as the standard requires.
    public var isNormalized: Bool {
        nanosecondsField < 1_000_000_000
    }
}

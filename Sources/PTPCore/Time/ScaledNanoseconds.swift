/// The wire's TimeInterval: a signed 64-bit count of 2⁻¹⁶ ns (IEEE 1588-2019 5.3.2), as carried in the
/// correctionField and in management data. Kept exact; conversions to ``PTPDuration`` are lossless.
public struct ScaledNanoseconds: RawRepresentable, Sendable, Hashable, Comparable {
    public var rawValue: Int64

    @inlinable
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    public static let zero = ScaledNanoseconds(rawValue: 0)

    /// The value a transparent clock writes when the correction is too big to represent (7.3.3 note).
    public static let tooBig = ScaledNanoseconds(rawValue: 0x7FFF_FFFF_FFFF_FFFF)

    /// The exact duration this field carries.
    @inlinable
    public var duration: PTPDuration {
        .scaledNanoseconds(rawValue)
    }

    /// The field for `duration`, saturating at ``tooBig`` (and its negative) when it does not fit.
    public init(saturating duration: PTPDuration) {
        if let value = duration.scaledNanoseconds {
            self.rawValue = value
        } else {
            self.rawValue = duration.isNegative ? Int64.min : Int64.max
        }
    }

    /// Whole nanoseconds (rounded toward negative infinity), as ptp4l's `correction_to_tmv` does.
    public var nanoseconds: Int64 {
        rawValue >> 16
    }

    @inlinable
    public static func < (lhs: ScaledNanoseconds, rhs: ScaledNanoseconds) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// An EUI-64 clock identity (IEEE 1588-2019 7.5.2.2), stored big-endian in a `UInt64`.
public struct ClockIdentity: RawRepresentable, Sendable, Hashable, Comparable {
    public var rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The wildcard identity (all ones) that management uses to address every clock (15.3.1).
    public static let all = ClockIdentity(rawValue: .max)
    public static let zero = ClockIdentity(rawValue: 0)

    /// The identity from exactly eight bytes, first byte most significant; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            value = value << 8 | UInt64(byte)
        }
        self.rawValue = value
    }

    /// The identity ptp4l derives from a 48-bit MAC address: the OUI, then FF FE, then the rest
    /// (`769927.fffe.71c27a` for 76:99:27:71:c2:7a). Nil unless `mac` has six bytes.
    public init?(mac: some Collection<UInt8>) {
        guard mac.count == 6 else { return nil }
        let m = Array(mac)
        self.init(bytes: [m[0], m[1], m[2], 0xFF, 0xFE, m[3], m[4], m[5]])
    }

    /// The eight bytes, most significant first.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> (56 - 8 * $0)) }
    }

    @inlinable
    public static func < (lhs: ClockIdentity, rhs: ClockIdentity) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension ClockIdentity: CustomStringConvertible {
    /// linuxptp's spelling: `769927.fffe.71c27a`.
    public var description: String {
        let b = bytes
        return hex(b[0..<3]) + "." + hex(b[3..<5]) + "." + hex(b[5..<8])
    }

    /// Parses linuxptp's spelling (`769927.fffe.71c27a`); nil when it is not that shape.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 6, parts[1].count == 4, parts[2].count == 6,
            let value = UInt64(parts.joined(), radix: 16)
        else { return nil }
        self.rawValue = value
    }
}

/// Lower-case hex of bytes with no separators.
@usableFromInline
func hex(_ bytes: some Collection<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0xF)])
    }
    return out
}

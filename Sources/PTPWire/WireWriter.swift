import PTPCore

/// Appends big-endian PTP fields to a byte array.
///
/// Writing into an array whose capacity was reserved beforehand does not allocate, which is how the
/// event-message hot path uses it (`removeAll(keepingCapacity: true)` between messages).
public struct WireWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(reusing bytes: [UInt8]) {
        self.bytes = bytes
        self.bytes.removeAll(keepingCapacity: true)
    }

    public var count: Int { bytes.count }

    @inlinable
    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    @inlinable
    public mutating func write(_ value: Int8) {
        bytes.append(UInt8(bitPattern: value))
    }

    @inlinable
    public mutating func write(_ value: UInt16) {
        appendBigEndian(value)
    }

    @inlinable
    public mutating func write(_ value: Int16) {
        write(UInt16(bitPattern: value))
    }

    @inlinable
    public mutating func write(_ value: UInt32) {
        appendBigEndian(value)
    }

    @inlinable
    public mutating func write(_ value: Int32) {
        write(UInt32(bitPattern: value))
    }

    @inlinable
    public mutating func writeUInt48(_ value: UInt64) {
        // The low six octets of the big-endian eight.
        appendOctets(of: value.bigEndian, 2..<8)
    }

    @inlinable
    public mutating func write(_ value: UInt64) {
        appendBigEndian(value)
    }

    /// One append (one capacity and uniqueness check, one copy) per field instead of one per octet: the
    /// encoder's cost on the send path.
    @inlinable
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends the octets `range` of `value`'s memory as one buffer (a slice of one is copied octet by octet).
    @inlinable
    mutating func appendOctets<T>(of value: T, _ range: Range<Int>) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    @inlinable
    public mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: value))
    }

    @inlinable
    public mutating func writeZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: max(0, count)))
    }

    public mutating func write(contentsOf other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }

    /// Overwrites a big-endian `UInt16` already written at `index` (used to patch lengths).
    @inlinable
    public mutating func patch(_ value: UInt16, at index: Int) {
        guard index >= 0, index + 1 < bytes.count else { return }
        bytes[index] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[index + 1] = UInt8(truncatingIfNeeded: value)
    }

    // MARK: PTP primitive types

    /// The ten octets (48-bit seconds, 32-bit nanoseconds, 5.3.3) in one append: every event message carries one.
    @inlinable
    public mutating func write(_ value: WireTimestamp) {
        let seconds = value.secondsField & WireTimestamp.maxSeconds
        let octets = (
            ((seconds << 16) | UInt64(value.nanosecondsField >> 16)).bigEndian,
            UInt16(truncatingIfNeeded: value.nanosecondsField).bigEndian
        )
        appendOctets(of: octets, 0..<10)
    }

    @inlinable
    public mutating func write(_ value: ClockIdentity) {
        write(value.rawValue)
    }

    /// The ten octets (clockIdentity, portNumber) in one append.
    @inlinable
    public mutating func write(_ value: PortIdentity) {
        appendOctets(of: (value.clockIdentity.rawValue.bigEndian, value.portNumber.bigEndian), 0..<10)
    }

    @inlinable
    public mutating func write(_ value: ClockQuality) {
        write(value.clockClass)
        write(value.clockAccuracy.rawValue)
        write(value.offsetScaledLogVariance)
    }

    @inlinable
    public mutating func write(_ value: ScaledNanoseconds) {
        write(value.rawValue)
    }

    public mutating func write(_ text: PTPText) {
        write(UInt8(truncatingIfNeeded: text.bytes.count))
        bytes.append(contentsOf: text.bytes)
    }

    public mutating func write(_ address: PortAddress) {
        write(address.networkProtocol.rawValue)
        write(UInt16(truncatingIfNeeded: address.address.count))
        bytes.append(contentsOf: address.address)
    }
}

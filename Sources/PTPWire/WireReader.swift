import PTPCore

/// Reads big-endian PTP fields from received bytes without copying and without trapping.
///
/// It works on a borrowed buffer, so it must not outlive the `withUnsafeBytes` scope that made it.
/// Every read names its field, so a short buffer becomes ``WireError/truncated(field:offset:needed:available:)``.
/// `base` is the offset of the buffer's first byte in the whole message, for error reporting.
public struct WireReader {
    @usableFromInline let buffer: UnsafeRawBufferPointer
    @usableFromInline let base: Int
    @usableFromInline var cursor: Int

    /// Position of the next read, relative to the buffer.
    @inlinable
    public var position: Int { cursor }

    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer, base: Int = 0) {
        self.buffer = buffer
        self.base = base
        self.cursor = 0
    }

    /// Bytes not read yet.
    @inlinable
    public var remaining: Int { buffer.count - position }

    /// The message offset of the next read.
    @inlinable
    public var offset: Int { base + position }

    /// Throws unless `count` more bytes are there. Inlined into every read (two compares), the error built out
    /// of line: called out of line, with the error's construction in it, it was 4 % of the simulator's
    /// instructions.
    @inlinable @inline(__always)
    mutating func need(_ count: Int, _ field: String) throws(WireError) {
        guard _fastPath(count >= 0 && buffer.count - cursor >= count) else {
            throw truncated(count, field)
        }
    }

    @usableFromInline @inline(never)
    func truncated(_ count: Int, _ field: String) -> WireError {
        .truncated(field: field, offset: offset, needed: count, available: remaining)
    }

    @inlinable
    public mutating func readUInt8(_ field: String) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { cursor += 1 }
        return buffer[position]
    }

    @inlinable
    public mutating func readInt8(_ field: String) throws(WireError) -> Int8 {
        Int8(bitPattern: try readUInt8(field))
    }

    @inlinable
    public mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 {
        try need(2, field)
        defer { cursor += 2 }
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: cursor, as: UInt16.self))
    }

    @inlinable
    public mutating func readInt16(_ field: String) throws(WireError) -> Int16 {
        Int16(bitPattern: try readUInt16(field))
    }

    @inlinable
    public mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 {
        try need(4, field)
        defer { cursor += 4 }
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: cursor, as: UInt32.self))
    }

    @inlinable
    public mutating func readInt32(_ field: String) throws(WireError) -> Int32 {
        Int32(bitPattern: try readUInt32(field))
    }

    /// A 48-bit unsigned integer.
    @inlinable
    public mutating func readUInt48(_ field: String) throws(WireError) -> UInt64 {
        try need(6, field)
        defer { cursor += 6 }
        let high = UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: cursor, as: UInt16.self))
        let low = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: cursor + 2, as: UInt32.self))
        return UInt64(high) << 32 | UInt64(low)
    }

    @inlinable
    public mutating func readUInt64(_ field: String) throws(WireError) -> UInt64 {
        try need(8, field)
        defer { cursor += 8 }
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: cursor, as: UInt64.self))
    }

    @inlinable
    public mutating func readInt64(_ field: String) throws(WireError) -> Int64 {
        Int64(bitPattern: try readUInt64(field))
    }

    /// Skips `count` bytes (reserved fields).
    @inlinable
    public mutating func skip(_ count: Int, _ field: String) throws(WireError) {
        try need(count, field)
        cursor += count
    }

    /// Copies `count` bytes out.
    public mutating func readBytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        try need(count, field)
        defer { cursor += count }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)]))
    }

    /// A reader over the next `count` bytes, advancing this one past them.
    @inlinable
    public mutating func subReader(_ count: Int, _ field: String) throws(WireError) -> WireReader {
        try need(count, field)
        defer { cursor += count }
        return WireReader(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)]), base: offset)
    }

    // MARK: PTP primitive types

    @inlinable
    public mutating func readTimestamp(_ field: String) throws(WireError) -> WireTimestamp {
        let seconds = try readUInt48(field)
        let nanoseconds = try readUInt32(field)
        return WireTimestamp(secondsField: seconds, nanosecondsField: nanoseconds)
    }

    @inlinable
    public mutating func readClockIdentity(_ field: String) throws(WireError) -> ClockIdentity {
        ClockIdentity(rawValue: try readUInt64(field))
    }

    @inlinable
    public mutating func readPortIdentity(_ field: String) throws(WireError) -> PortIdentity {
        let clock = try readClockIdentity(field)
        let port = try readUInt16(field)
        return PortIdentity(clockIdentity: clock, portNumber: port)
    }

    @inlinable
    public mutating func readClockQuality(_ field: String) throws(WireError) -> ClockQuality {
        let clockClass = try readUInt8(field)
        let accuracy = try readUInt8(field)
        let variance = try readUInt16(field)
        return ClockQuality(
            clockClass: clockClass, clockAccuracy: ClockAccuracy(rawValue: accuracy), offsetScaledLogVariance: variance)
    }

    @inlinable
    public mutating func readScaledNanoseconds(_ field: String) throws(WireError) -> ScaledNanoseconds {
        ScaledNanoseconds(rawValue: try readInt64(field))
    }

    /// A PTPText: a length byte and that many bytes.
    public mutating func readText(_ field: String) throws(WireError) -> PTPText {
        let length = try readUInt8(field)
        return PTPText(bytes: try readBytes(Int(length), field))
    }

    /// A PortAddress: protocol, length, address bytes.
    public mutating func readPortAddress(_ field: String) throws(WireError) -> PortAddress {
        let networkProtocol = try readUInt16(field)
        let length = try readUInt16(field)
        let address = try readBytes(Int(length), field)
        return PortAddress(networkProtocol: NetworkProtocol(rawValue: networkProtocol), address: address)
    }
}

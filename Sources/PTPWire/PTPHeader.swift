import PTPCore

/// The common message header (IEEE 1588-2019 13.3, table 35), 34 bytes.
public struct PTPHeader: Sendable, Hashable {
    // Stored widest first: laid out in the wire's order the header took 46 bytes with padding, this way 38; every
    // message, outgoing message and engine action holds one.
    public var correctionField: ScaledNanoseconds
    public var sourcePortIdentity: PortIdentity
    /// messageTypeSpecific (13.3.2.10), reserved in most messages.
    public var messageTypeSpecific: UInt32
    /// messageLength as received; on encoding it is computed from the content, and equality ignores it.
    public var messageLength: UInt16
    public var flags: PTPFlags
    public var sequenceId: UInt16
    /// majorSdoId (13.3.2.1): the high nibble of byte 0 (transportSpecific in 2008).
    public var majorSdoId: UInt8
    public var messageType: MessageType
    /// minorVersionPTP (13.3.2.3): 1 for IEEE 1588-2019; 0 (IEEE 1588-2008) is accepted on input.
    public var minorVersionPTP: UInt8
    /// versionPTP (13.3.2.4): always 2.
    public var versionPTP: UInt8
    public var domainNumber: UInt8
    /// minorSdoId (13.3.2.6).
    public var minorSdoId: UInt8
    /// controlField (13.3.2.13): obsolete, but sent per table 42 for version 1 hardware.
    public var controlField: UInt8
    /// logMessageInterval (13.3.2.14).
    public var logMessageInterval: Int8

    public static let length = 34

    public init(
        messageType: MessageType, sourcePortIdentity: PortIdentity, sequenceId: UInt16,
        domainNumber: UInt8 = 0, flags: PTPFlags = [], correctionField: ScaledNanoseconds = .zero,
        logMessageInterval: Int8 = 0x7F, majorSdoId: UInt8 = 0, minorSdoId: UInt8 = 0,
        minorVersionPTP: UInt8 = 1, versionPTP: UInt8 = 2, messageTypeSpecific: UInt32 = 0,
        controlField: UInt8? = nil
    ) {
        self.majorSdoId = majorSdoId & 0x0F
        self.messageType = messageType
        self.minorVersionPTP = minorVersionPTP & 0x0F
        self.versionPTP = versionPTP & 0x0F
        self.messageLength = UInt16(messageType.baseLength)
        self.domainNumber = domainNumber
        self.minorSdoId = minorSdoId
        self.flags = flags
        self.correctionField = correctionField
        self.messageTypeSpecific = messageTypeSpecific
        self.sourcePortIdentity = sourcePortIdentity
        self.sequenceId = sequenceId
        self.controlField = controlField ?? messageType.controlField
        self.logMessageInterval = logMessageInterval
    }

    /// Decodes the header at the reader's position.
    public static func decode(from reader: inout WireReader) throws(WireError) -> PTPHeader {
        // A whole header (all but a truncated message): every field read after one bounds check. A shorter
        // buffer is read field by field, so that the error names the field that is cut.
        guard reader.remaining >= length else { return try decodeFieldByField(from: &reader) }
        let bytes = reader.buffer
        let at = reader.cursor
        let typeOffset = reader.offset
        func u16(_ offset: Int) -> UInt16 {
            UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: UInt16.self))
        }
        func u32(_ offset: Int) -> UInt32 {
            UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: UInt32.self))
        }
        func u64(_ offset: Int) -> UInt64 {
            UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: UInt64.self))
        }
        let byte0 = bytes[at]
        guard let messageType = MessageType(rawValue: byte0 & 0x0F) else {
            throw .invalidValue(field: "messageType", offset: typeOffset, value: UInt64(byte0 & 0x0F))
        }
        let byte1 = bytes[at + 1]
        guard byte1 & 0x0F == 2 else {
            throw .invalidValue(field: "versionPTP", offset: typeOffset + 1, value: UInt64(byte1 & 0x0F))
        }
        var header = PTPHeader(
            messageType: messageType,
            sourcePortIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: u64(20)), portNumber: u16(28)),
            sequenceId: u16(30), domainNumber: bytes[at + 4], flags: PTPFlags(rawValue: u16(6)),
            correctionField: ScaledNanoseconds(rawValue: Int64(bitPattern: u64(8))),
            logMessageInterval: Int8(bitPattern: bytes[at + 33]), majorSdoId: byte0 >> 4, minorSdoId: bytes[at + 5],
            minorVersionPTP: byte1 >> 4, versionPTP: byte1 & 0x0F, messageTypeSpecific: u32(16),
            controlField: bytes[at + 32])
        header.messageLength = u16(2)
        reader.cursor = at + length
        return header
    }

    /// ``decode(from:)`` one field at a time, each checked: for a buffer shorter than a header.
    static func decodeFieldByField(from reader: inout WireReader) throws(WireError) -> PTPHeader {
        let typeOffset = reader.offset
        let byte0 = try reader.readUInt8("messageType")
        guard let messageType = MessageType(rawValue: byte0 & 0x0F) else {
            throw .invalidValue(field: "messageType", offset: typeOffset, value: UInt64(byte0 & 0x0F))
        }
        let versionOffset = reader.offset
        let byte1 = try reader.readUInt8("versionPTP")
        guard byte1 & 0x0F == 2 else {
            throw .invalidValue(field: "versionPTP", offset: versionOffset, value: UInt64(byte1 & 0x0F))
        }
        let messageLength = try reader.readUInt16("messageLength")
        let domainNumber = try reader.readUInt8("domainNumber")
        let minorSdoId = try reader.readUInt8("minorSdoId")
        let flags = PTPFlags(rawValue: try reader.readUInt16("flagField"))
        let correction = try reader.readScaledNanoseconds("correctionField")
        let specific = try reader.readUInt32("messageTypeSpecific")
        let source = try reader.readPortIdentity("sourcePortIdentity")
        let sequenceId = try reader.readUInt16("sequenceId")
        let control = try reader.readUInt8("controlField")
        let interval = try reader.readInt8("logMessageInterval")
        var header = PTPHeader(
            messageType: messageType, sourcePortIdentity: source, sequenceId: sequenceId,
            domainNumber: domainNumber, flags: flags, correctionField: correction, logMessageInterval: interval,
            majorSdoId: byte0 >> 4, minorSdoId: minorSdoId, minorVersionPTP: byte1 >> 4, versionPTP: byte1 & 0x0F,
            messageTypeSpecific: specific, controlField: control)
        header.messageLength = messageLength
        return header
    }

    /// Encodes the header with `messageLength` as given.
    ///
    /// The 34 octets (table 35) are laid out in a buffer on the stack and appended at once: thirteen appends,
    /// each checking the array's capacity and uniqueness, cost more than the encoding itself.
    public func encode(into writer: inout WireWriter, messageLength: UInt16) {
        var raw: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { p in
            p[0] = majorSdoId << 4 | messageType.rawValue
            p[1] = minorVersionPTP << 4 | (versionPTP & 0x0F)
            p.storeBytes(of: messageLength.bigEndian, toByteOffset: 2, as: UInt16.self)
            p[4] = domainNumber
            p[5] = minorSdoId
            p.storeBytes(of: flags.rawValue.bigEndian, toByteOffset: 6, as: UInt16.self)
            p.storeBytes(of: correctionField.rawValue.bigEndian, toByteOffset: 8, as: Int64.self)
            p.storeBytes(of: messageTypeSpecific.bigEndian, toByteOffset: 16, as: UInt32.self)
            p.storeBytes(of: sourcePortIdentity.clockIdentity.rawValue.bigEndian, toByteOffset: 20, as: UInt64.self)
            p.storeBytes(of: sourcePortIdentity.portNumber.bigEndian, toByteOffset: 28, as: UInt16.self)
            p.storeBytes(of: sequenceId.bigEndian, toByteOffset: 30, as: UInt16.self)
            p[32] = controlField
            p[33] = UInt8(bitPattern: logMessageInterval)
        }
        withUnsafeBytes(of: &raw) { writer.write(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<PTPHeader.length])) }
    }

    /// Equality ignores ``messageLength``: it is derived from the content when a message is encoded.
    public static func == (lhs: PTPHeader, rhs: PTPHeader) -> Bool {
        lhs.majorSdoId == rhs.majorSdoId && lhs.messageType == rhs.messageType
            && lhs.minorVersionPTP == rhs.minorVersionPTP && lhs.versionPTP == rhs.versionPTP
            && lhs.domainNumber == rhs.domainNumber && lhs.minorSdoId == rhs.minorSdoId && lhs.flags == rhs.flags
            && lhs.correctionField == rhs.correctionField && lhs.messageTypeSpecific == rhs.messageTypeSpecific
            && lhs.sourcePortIdentity == rhs.sourcePortIdentity && lhs.sequenceId == rhs.sequenceId
            && lhs.controlField == rhs.controlField && lhs.logMessageInterval == rhs.logMessageInterval
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(messageType)
        hasher.combine(sourcePortIdentity)
        hasher.combine(sequenceId)
        hasher.combine(correctionField)
        hasher.combine(flags)
    }

    /// sdoId (7.1.4): majorSdoId in bits 8–11, minorSdoId in bits 0–7.
    public var sdoId: UInt16 {
        UInt16(majorSdoId) << 8 | UInt16(minorSdoId)
    }
}

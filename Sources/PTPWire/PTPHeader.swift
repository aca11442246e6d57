import PTPCore

/// The common message header (IEEE 1588-2019 13.3, table 35), 34 bytes.
public struct PTPHeader: Sendable, Hashable {
    /// majorSdoId (13.3.2.1): the high nibble of byte 0 (transportSpecific in 2008).
    public var majorSdoId: UInt8
    public var messageType: MessageType
    /// minorVersionPTP (13.3.2.3): 1 for IEEE 1588-2019; 0 (IEEE 1588-2008) is accepted on input.
    public var minorVersionPTP: UInt8
    /// versionPTP (13.3.2.4): always 2.
    public var versionPTP: UInt8
    /// messageLength as received; on encoding it is computed from the content, and equality ignores it.
    public var messageLength: UInt16
    public var domainNumber: UInt8
    /// minorSdoId (13.3.2.6).
    public var minorSdoId: UInt8
    public var flags: PTPFlags
    public var correctionField: ScaledNanoseconds
    /// messageTypeSpecific (13.3.2.10), reserved in most messages.
    public var messageTypeSpecific: UInt32
    public var sourcePortIdentity: PortIdentity
    public var sequenceId: UInt16
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
    public func encode(into writer: inout WireWriter, messageLength: UInt16) {
        writer.write(majorSdoId << 4 | messageType.rawValue)
        writer.write(minorVersionPTP << 4 | (versionPTP & 0x0F))
        writer.write(messageLength)
        writer.write(domainNumber)
        writer.write(minorSdoId)
        writer.write(flags.rawValue)
        writer.write(correctionField)
        writer.write(messageTypeSpecific)
        writer.write(sourcePortIdentity)
        writer.write(sequenceId)
        writer.write(controlField)
        writer.write(logMessageInterval)
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

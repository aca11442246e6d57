import PTPCore

/// A type-length-value extension (IEEE 1588-2019 14.1). Known types are decoded; any other is kept
/// byte for byte so it can be forwarded or re-encoded unchanged.
public enum TLV: Sendable, Hashable {
    case management(ManagementTLV)
    case managementErrorStatus(ManagementErrorStatusTLV)
    case organizationExtension(OrganizationExtensionTLV)
    case requestUnicastTransmission(UnicastTransmissionTLV)
    case grantUnicastTransmission(UnicastTransmissionTLV)
    case cancelUnicastTransmission(CancelUnicastTransmissionTLV)
    case acknowledgeCancelUnicastTransmission(CancelUnicastTransmissionTLV)
    case pathTrace([ClockIdentity])
    case alternateTimeOffsetIndicator(AlternateTimeOffsetIndicatorTLV)
    case unknown(type: TLVType, value: [UInt8])

    /// The tlvType this TLV is sent with.
    public var tlvType: TLVType {
        switch self {
        case .management: .management
        case .managementErrorStatus: .managementErrorStatus
        case .organizationExtension(let tlv): tlv.tlvType
        case .requestUnicastTransmission: .requestUnicastTransmission
        case .grantUnicastTransmission: .grantUnicastTransmission
        case .cancelUnicastTransmission: .cancelUnicastTransmission
        case .acknowledgeCancelUnicastTransmission: .acknowledgeCancelUnicastTransmission
        case .pathTrace: .pathTrace
        case .alternateTimeOffsetIndicator: .alternateTimeOffsetIndicator
        case .unknown(let type, _): type
        }
    }
}

extension TLV {
    /// Decodes every TLV until the reader is empty.
    static func decodeAll(from reader: inout WireReader) throws(WireError) -> [TLV] {
        var tlvs: [TLV] = []
        while reader.remaining > 0 {
            tlvs.append(try decode(from: &reader))
        }
        return tlvs
    }

    /// Decodes one TLV. The value must be consumed exactly, allowing one zero pad byte after odd content.
    static func decode(from reader: inout WireReader) throws(WireError) -> TLV {
        let type = TLVType(rawValue: try reader.readUInt16("tlvType"))
        let lengthOffset = reader.offset
        let length = Int(try reader.readUInt16("lengthField"))
        guard reader.remaining >= length else {
            throw .lengthMismatch(field: "lengthField", offset: lengthOffset, declared: length, actual: reader.remaining)
        }
        var value = try reader.subReader(length, "valueField")
        let tlv: TLV
        switch type {
        case .management:
            let id = ManagementID(rawValue: try value.readUInt16("managementId"))
            tlv = .management(ManagementTLV(managementId: id, data: try value.readBytes(value.remaining, "dataField")))
        case .managementErrorStatus:
            let error = ManagementErrorID(rawValue: try value.readUInt16("managementErrorId"))
            let id = ManagementID(rawValue: try value.readUInt16("managementId"))
            try value.skip(4, "reserved")
            let text: PTPText? = value.remaining > 0 ? try value.readText("displayData") : nil
            tlv = .managementErrorStatus(
                ManagementErrorStatusTLV(managementErrorId: error, managementId: id, displayData: text))
        case .organizationExtension, .organizationExtensionPropagate, .organizationExtensionDoNotPropagate:
            let id = UInt32(try value.readUInt16("organizationId")) << 8 | UInt32(try value.readUInt8("organizationId"))
            let sub =
                UInt32(try value.readUInt16("organizationSubType")) << 8
                | UInt32(try value.readUInt8("organizationSubType"))
            let data = try value.readBytes(value.remaining, "dataField")
            tlv = .organizationExtension(
                OrganizationExtensionTLV(tlvType: type, organizationId: id, organizationSubType: sub, dataField: data))
        case .requestUnicastTransmission, .grantUnicastTransmission:
            let messageType = try value.readUInt8("messageType") >> 4
            let period = try value.readInt8("logInterMessagePeriod")
            let duration = try value.readUInt32("durationField")
            if type == .grantUnicastTransmission {
                try value.skip(1, "reserved")
                let renewal = try value.readUInt8("renewal") & 0x01 != 0
                tlv = .grantUnicastTransmission(
                    UnicastTransmissionTLV(
                        messageType: messageType, logInterMessagePeriod: period, duration: duration,
                        renewalInvited: renewal))
            } else {
                tlv = .requestUnicastTransmission(
                    UnicastTransmissionTLV(messageType: messageType, logInterMessagePeriod: period, duration: duration))
            }
        case .cancelUnicastTransmission, .acknowledgeCancelUnicastTransmission:
            let cancel = CancelUnicastTransmissionTLV(messageTypeAndFlags: try value.readUInt8("messageType"))
            try value.skip(1, "reserved")
            tlv =
                type == .cancelUnicastTransmission
                ? .cancelUnicastTransmission(cancel) : .acknowledgeCancelUnicastTransmission(cancel)
        case .pathTrace:
            guard length % 8 == 0 else {
                throw .lengthMismatch(field: "lengthField", offset: lengthOffset, declared: length, actual: length / 8 * 8)
            }
            var path: [ClockIdentity] = []
            path.reserveCapacity(length / 8)
            while value.remaining > 0 {
                path.append(try value.readClockIdentity("pathSequence"))
            }
            tlv = .pathTrace(path)
        case .alternateTimeOffsetIndicator:
            let key = try value.readUInt8("keyField")
            let current = try value.readInt32("currentOffset")
            let jump = try value.readInt32("jumpSeconds")
            let next = try value.readUInt48("timeOfNextJump")
            let name = try value.readText("displayName")
            tlv = .alternateTimeOffsetIndicator(
                AlternateTimeOffsetIndicatorTLV(
                    keyField: key, currentOffset: current, jumpSeconds: jump, timeOfNextJump: next, displayName: name))
        default:
            tlv = .unknown(type: type, value: try value.readBytes(value.remaining, "valueField"))
        }
        // What is left must be the single pad byte that makes odd content even, or nothing.
        let padOffset = value.offset
        if value.remaining == 1, length % 2 == 0 {
            let pad = try value.readUInt8("pad")
            if pad != 0 { throw .invalidValue(field: "pad", offset: padOffset, value: UInt64(pad)) }
        }
        if value.remaining != 0 {
            throw .lengthMismatch(
                field: "lengthField", offset: lengthOffset, declared: length, actual: length - value.remaining)
        }
        return tlv
    }

    /// Encodes the TLV; text-ending content of odd length gets one zero pad byte (see `isPadded`).
    func encode(into writer: inout WireWriter) {
        writer.write(tlvType.rawValue)
        let lengthIndex = writer.count
        writer.write(UInt16(0))
        let start = writer.count
        switch self {
        case .management(let tlv):
            writer.write(tlv.managementId.rawValue)
            writer.write(contentsOf: tlv.data)
        case .managementErrorStatus(let tlv):
            writer.write(tlv.managementErrorId.rawValue)
            writer.write(tlv.managementId.rawValue)
            writer.writeZeros(4)
            if let text = tlv.displayData { writer.write(text) }
        case .organizationExtension(let tlv):
            writer.write(UInt16(truncatingIfNeeded: tlv.organizationId >> 8))
            writer.write(UInt8(truncatingIfNeeded: tlv.organizationId))
            writer.write(UInt16(truncatingIfNeeded: tlv.organizationSubType >> 8))
            writer.write(UInt8(truncatingIfNeeded: tlv.organizationSubType))
            writer.write(contentsOf: tlv.dataField)
        case .requestUnicastTransmission(let tlv):
            writer.write(tlv.messageType << 4)
            writer.write(tlv.logInterMessagePeriod)
            writer.write(tlv.duration)
        case .grantUnicastTransmission(let tlv):
            writer.write(tlv.messageType << 4)
            writer.write(tlv.logInterMessagePeriod)
            writer.write(tlv.duration)
            writer.write(UInt8(0))
            writer.write(UInt8(tlv.renewalInvited ? 1 : 0))
        case .cancelUnicastTransmission(let tlv), .acknowledgeCancelUnicastTransmission(let tlv):
            writer.write(tlv.messageTypeAndFlags)
            writer.write(UInt8(0))
        case .pathTrace(let path):
            for identity in path { writer.write(identity) }
        case .alternateTimeOffsetIndicator(let tlv):
            writer.write(tlv.keyField)
            writer.write(tlv.currentOffset)
            writer.write(tlv.jumpSeconds)
            writer.writeUInt48(tlv.timeOfNextJump)
            writer.write(tlv.displayName)
        case .unknown(_, let value):
            writer.write(contentsOf: value)
        }
        if (writer.count - start) % 2 == 1, isPadded {
            writer.write(UInt8(0))
        }
        writer.patch(UInt16(truncatingIfNeeded: writer.count - start), at: lengthIndex)
    }

    /// Types whose odd content gets a pad byte: those that end in a PTPText. Raw data (management data,
    /// organization data, unknown values) is written exactly as given, so whatever was decoded re-encodes
    /// unchanged; the typed management encoders pad their data themselves, as linuxptp does.
    private var isPadded: Bool {
        switch self {
        case .managementErrorStatus, .alternateTimeOffsetIndicator: true
        default: false
        }
    }
}

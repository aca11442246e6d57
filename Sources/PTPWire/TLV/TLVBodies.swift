import PTPCore

/// A MANAGEMENT TLV (IEEE 1588-2019 15.5.2): the management ID and its data, kept as bytes.
///
/// The data is decoded in a second step (``ManagementData``) because a server must answer a
/// malformed request with WRONG_LENGTH rather than drop the whole message.
public struct ManagementTLV: Sendable, Hashable {
    public var managementId: ManagementID
    public var data: [UInt8]

    public init(managementId: ManagementID, data: [UInt8] = []) {
        self.managementId = managementId
        self.data = data
    }
}

/// A MANAGEMENT_ERROR_STATUS TLV (15.5.4).
public struct ManagementErrorStatusTLV: Sendable, Hashable {
    public var managementErrorId: ManagementErrorID
    public var managementId: ManagementID
    /// Optional text; nil when the TLV ends after the reserved field (as ptp4l sends it).
    public var displayData: PTPText?

    public init(managementErrorId: ManagementErrorID, managementId: ManagementID, displayData: PTPText? = nil) {
        self.managementErrorId = managementErrorId
        self.managementId = managementId
        self.displayData = displayData
    }
}

/// An organization extension TLV (14.3): which of the three organization TLV types, the OUI or CID,
/// the subtype and the data.
public struct OrganizationExtensionTLV: Sendable, Hashable {
    public var tlvType: TLVType
    /// 24-bit organizationId.
    public var organizationId: UInt32
    /// 24-bit organizationSubType.
    public var organizationSubType: UInt32
    public var dataField: [UInt8]

    public init(
        tlvType: TLVType = .organizationExtension, organizationId: UInt32, organizationSubType: UInt32,
        dataField: [UInt8]
    ) {
        self.tlvType = tlvType
        self.organizationId = organizationId & 0xFF_FFFF
        self.organizationSubType = organizationSubType & 0xFF_FFFF
        self.dataField = dataField
    }
}

/// REQUEST_UNICAST_TRANSMISSION (16.1.4.1) and, with `renewalInvited`, GRANT_UNICAST_TRANSMISSION (16.1.4.2).
public struct UnicastTransmissionTLV: Sendable, Hashable {
    /// The message type asked for or granted (high nibble on the wire).
    public var messageType: UInt8
    public var logInterMessagePeriod: Int8
    /// durationField, seconds.
    public var duration: UInt32
    /// The R flag of a grant; always false in a request.
    public var renewalInvited: Bool

    public init(messageType: UInt8, logInterMessagePeriod: Int8, duration: UInt32, renewalInvited: Bool = false) {
        self.messageType = messageType & 0x0F
        self.logInterMessagePeriod = logInterMessagePeriod
        self.duration = duration
        self.renewalInvited = renewalInvited
    }
}

/// CANCEL_UNICAST_TRANSMISSION (16.1.4.3) and ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION (16.1.4.4).
///
/// The octet that carries messageType in its high nibble carries two flags in its low one (linuxptp tlv.h
/// `CANCEL_UNICAST_MAINTAIN_REQUEST` bit 0, `CANCEL_UNICAST_MAINTAIN_GRANT` bit 1). Between two nodes that each
/// grant to and request from the other (two boundary clocks, a P2P link), one CANCEL could mean either direction:
/// the flags say which one the sender keeps. An ACKNOWLEDGE echoes the flags of the CANCEL it answers (linuxptp
/// `attach_ack`). Bits 2 and 3 are reserved; they are dropped on decode and sent as zero.
public struct CancelUnicastTransmissionTLV: Sendable, Hashable {
    public var messageType: UInt8
    /// R (bit 0): the sender cancels the service it grants and keeps its own request of that type, so a
    /// grantor receiving it keeps serving the sender (linuxptp `unicast_service_remove` returns early).
    public var maintainRequest: Bool
    /// G (bit 1): the sender cancels its request and keeps the service it grants to the receiver, so the
    /// receiver's own grant from the sender stands (linuxptp `unicast_client_cancel` returns early).
    public var maintainGrant: Bool

    public init(messageType: UInt8, maintainRequest: Bool = false, maintainGrant: Bool = false) {
        self.messageType = messageType & 0x0F
        self.maintainRequest = maintainRequest
        self.maintainGrant = maintainGrant
    }

    /// The wire octet: messageType in the high nibble, the flags in the low one.
    var messageTypeAndFlags: UInt8 {
        messageType << 4 | (maintainRequest ? 0x01 : 0) | (maintainGrant ? 0x02 : 0)
    }

    init(messageTypeAndFlags octet: UInt8) {
        self.init(messageType: octet >> 4, maintainRequest: octet & 0x01 != 0, maintainGrant: octet & 0x02 != 0)
    }
}

/// ALTERNATE_TIME_OFFSET_INDICATOR (16.3.3).
public struct AlternateTimeOffsetIndicatorTLV: Sendable, Hashable {
    public var keyField: UInt8
    public var currentOffset: Int32
    public var jumpSeconds: Int32
    /// 48-bit seconds.
    public var timeOfNextJump: UInt64
    public var displayName: PTPText

    public init(keyField: UInt8, currentOffset: Int32, jumpSeconds: Int32, timeOfNextJump: UInt64, displayName: PTPText) {
        self.keyField = keyField
        self.currentOffset = currentOffset
        self.jumpSeconds = jumpSeconds
        self.timeOfNextJump = timeOfNextJump & WireTimestamp.maxSeconds
        self.displayName = displayName
    }
}

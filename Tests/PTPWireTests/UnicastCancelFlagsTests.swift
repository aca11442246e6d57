import PTPCore
import Testing

@testable import PTPWire

/// The flags of CANCEL_UNICAST_TRANSMISSION and ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION (IEEE 1588-2019 16.1.4.3,
/// 16.1.4.4): the low nibble of the messageType octet, laid out as linuxptp's tlv.h (`CANCEL_UNICAST_MAINTAIN_REQUEST`
/// bit 0, `CANCEL_UNICAST_MAINTAIN_GRANT` bit 1). Before, the codec kept only the high nibble, so a peer's
/// "cancel my request, keep your grant" arrived as a plain cancel of both.
struct UnicastCancelFlagsTests {
    /// A Signaling message with one TLV, as bytes.
    static func signaling(tlvType: UInt16, value: [UInt8]) -> [UInt8] {
        let message = PTPMessage(
            header: PTPHeader(
                messageType: .signaling,
                sourcePortIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: 7), portNumber: 1),
                sequenceId: 3, domainNumber: 0, flags: [.unicast], logMessageInterval: 0x7F),
            body: .signaling(SignalingBody(targetPortIdentity: PortIdentity(clockIdentity: .all, portNumber: 0xFFFF))),
            tlvs: [])
        var bytes = message.encoded()
        bytes += [UInt8(tlvType >> 8), UInt8(tlvType & 0xFF), 0, UInt8(value.count)] + value
        let length = UInt16(bytes.count)
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xFF)
        return bytes
    }

    @Test(arguments: [
        (UInt8(0x00), false, false), (0x01, true, false), (0x02, false, true), (0x03, true, true),
    ])
    func cancelFlagsDecodeAndEncodeAsLinuxptpLaysThemOut(_ flags: UInt8, _ request: Bool, _ grant: Bool) throws {
        // CANCEL of Sync (messageType 0) and of Announce (0xB), each with the flags in the low nibble.
        for type: UInt8 in [0x0, 0xB] {
            for tlvType: UInt16 in [0x0006, 0x0007] {
                let bytes = Self.signaling(tlvType: tlvType, value: [type << 4 | flags, 0])
                let decoded = try PTPMessage.decode(bytes)
                let expected = CancelUnicastTransmissionTLV(messageType: type, maintainRequest: request, maintainGrant: grant)
                #expect(
                    decoded.tlvs
                        == [tlvType == 6 ? .cancelUnicastTransmission(expected) : .acknowledgeCancelUnicastTransmission(expected)]
                )
                #expect(decoded.encoded() == bytes, "flags \(flags) of type \(type) did not survive a round trip")
            }
        }
    }

    @Test func reservedBitsOfTheNibbleAreDroppedAndSentAsZero() throws {
        // Bits 2 and 3 are reserved: accepted on receipt, zero on the wire.
        let decoded = try PTPMessage.decode(Self.signaling(tlvType: 0x0006, value: [0xBE, 0]))
        #expect(
            decoded.tlvs
                == [
                    .cancelUnicastTransmission(
                        CancelUnicastTransmissionTLV(messageType: 0xB, maintainRequest: false, maintainGrant: true))
                ])
        #expect(decoded.encoded().suffix(2) == [0xB2, 0])
    }
}

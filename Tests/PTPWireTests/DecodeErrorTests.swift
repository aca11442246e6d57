import PTPCore
import Testing

@testable import PTPWire

/// Bad input gives a typed error naming the field and offset; nothing traps.
struct DecodeErrorTests {
    func sample(_ type: MessageType) -> [UInt8] {
        var generator = MessageGenerator(seed: 3, tsharkSafe: true)
        return generator.message(type).encoded()
    }

    @Test func emptyInputIsTruncatedAtTheFirstField() {
        #expect(throws: WireError.truncated(field: "messageType", offset: 0, needed: 1, available: 0)) {
            try PTPMessage.decode([])
        }
    }

    @Test func truncatedHeaderNamesTheFieldItStoppedIn() {
        let bytes = Array(sample(.sync).prefix(20))
        #expect(throws: WireError.truncated(field: "sourcePortIdentity", offset: 20, needed: 8, available: 0)) {
            try PTPMessage.decode(bytes)
        }
    }

    @Test func versionOtherThanTwoIsRejected() {
        var bytes = sample(.sync)
        bytes[1] = 0x13
        #expect(throws: WireError.invalidValue(field: "versionPTP", offset: 1, value: 3)) { try PTPMessage.decode(bytes) }
    }

    @Test func reservedMessageTypeIsRejected() {
        var bytes = sample(.sync)
        bytes[0] = 0x05
        #expect(throws: WireError.invalidValue(field: "messageType", offset: 0, value: 5)) { try PTPMessage.decode(bytes) }
    }

    @Test func messageLengthLongerThanTheDatagramIsRejected() {
        let bytes = Array(sample(.delayResp).prefix(50))
        #expect(throws: WireError.lengthMismatch(field: "messageLength", offset: 2, declared: 54, actual: 50)) {
            try PTPMessage.decode(bytes)
        }
    }

    @Test func messageLengthShorterThanTheTypeIsRejected() {
        var bytes = sample(.announce)
        bytes[2] = 0
        bytes[3] = 44
        #expect(throws: WireError.lengthMismatch(field: "messageLength", offset: 2, declared: 44, actual: 64)) {
            try PTPMessage.decode(bytes)
        }
    }

    @Test func tlvLengthPastTheMessageIsRejected() {
        let message = PTPMessage(
            header: PTPHeader(messageType: .signaling, sourcePortIdentity: .zero, sequenceId: 1),
            body: .signaling(SignalingBody(targetPortIdentity: .all)),
            tlvs: [.cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: 0))])
        var bytes = message.encoded()
        bytes[46] = 0
        bytes[47] = 9  // lengthField of the TLV at offset 44
        #expect(throws: WireError.lengthMismatch(field: "lengthField", offset: 46, declared: 9, actual: 2)) {
            try PTPMessage.decode(bytes)
        }
    }

    @Test func aKnownTLVWithTheWrongLengthIsRejected() {
        let message = PTPMessage(
            header: PTPHeader(messageType: .signaling, sourcePortIdentity: .zero, sequenceId: 1),
            body: .signaling(SignalingBody(targetPortIdentity: .all)),
            tlvs: [.unknown(type: .grantUnicastTransmission, value: [0xB0, 0, 0, 0, 0, 60, 0, 1, 0, 0])])
        #expect(throws: WireError.lengthMismatch(field: "lengthField", offset: 46, declared: 10, actual: 8)) {
            try PTPMessage.decode(message.encoded())
        }
    }

    @Test func errorsDescribeThemselves() {
        let error = WireError.truncated(field: "originTimestamp", offset: 34, needed: 6, available: 2)
        #expect(error.description == "truncated at originTimestamp (offset 34): needs 6 bytes, 2 left")
        #expect(error.field == "originTimestamp")
        #expect(error.offset == 34)
    }
}

import PTPCore
import Testing

@testable import PTPWire

/// Property tests: encode then decode is the identity on valid messages of every type.
struct RoundTripTests {
    @Test(arguments: MessageType.allCases)
    func encodeThenDecodeIsIdentity(_ type: MessageType) throws {
        var generator = MessageGenerator(seed: 0x5EED_0000 + UInt64(type.rawValue))
        for _ in 0..<2_000 {
            let message = generator.message(type)
            let bytes = message.encoded()
            let decoded = try PTPMessage.decode(bytes)
            #expect(decoded == message)
            #expect(Int(decoded.header.messageLength) == bytes.count)
            #expect(decoded.encoded() == bytes)
        }
    }

    @Test func eventMessagesHaveTheirStandardLengths() {
        var generator = MessageGenerator(seed: 7, tsharkSafe: true)
        for type in MessageType.allCases where type != .signaling && type != .management {
            #expect(generator.message(type).encoded().count == type.baseLength, "\(type)")
        }
    }

    @Test func trailingEthernetPaddingIsIgnored() throws {
        var generator = MessageGenerator(seed: 11, tsharkSafe: true)
        let message = generator.message(.sync)
        let padded = message.encoded() + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(try PTPMessage.decode(padded) == message)
    }

    @Test func minorVersionZeroFromIEEE1588_2008IsAccepted() throws {
        var generator = MessageGenerator(seed: 12, tsharkSafe: true)
        var message = generator.message(.announce)
        message.header.minorVersionPTP = 0
        #expect(try PTPMessage.decode(message.encoded()).header.minorVersionPTP == 0)
    }

    @Test func scaledNanosecondsAndDurationsConvertExactly() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<10_000 {
            let raw = Int64.random(in: .min ... .max, using: &rng)
            let field = ScaledNanoseconds(rawValue: raw)
            #expect(ScaledNanoseconds(saturating: field.duration) == field)
            #expect(field.duration.scaledNanoseconds == raw)
        }
        #expect(ScaledNanoseconds(saturating: .seconds(1_000_000)) == ScaledNanoseconds(rawValue: .max))
        #expect(ScaledNanoseconds(saturating: -.seconds(1_000_000)) == ScaledNanoseconds(rawValue: .min))
    }
}

import PTPCore
import PTPWire
import Testing

@testable import PTPSimulation

/// The simulator's frames in flight: shared by their deliveries, freed after the last, slots reused.
@Suite struct FrameStoreTests {
    static func message(_ sequenceId: UInt16) -> PTPMessage {
        let source = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x1122_33FF_FE44_5566), portNumber: 1)
        return PTPMessage(
            header: PTPHeader(messageType: .sync, sourcePortIdentity: source, sequenceId: sequenceId),
            body: .sync(OriginTimestampBody(originTimestamp: WireTimestamp(secondsField: 1, nanosecondsField: 2))))
    }

    @Test func everyDeliveryGetsTheEncodedFrameAndTheSlotIsReusedAfterTheLast() throws {
        var store = FrameStore()
        let first = store.add(Self.message(7), deliveries: 2)
        let second = store.add(Self.message(8), deliveries: 1)
        #expect(first != second)
        #expect(store.inFlight == 2)

        #expect(try PTPMessage.decode(store.take(first)).header.sequenceId == 7)
        #expect(store.inFlight == 2)  // one delivery of the first frame still to come
        #expect(try PTPMessage.decode(store.take(second)).header.sequenceId == 8)
        #expect(store.inFlight == 1)
        let last = store.take(first)
        #expect(store.inFlight == 0)

        // The freed slot takes the next frame; what a delivery already holds is its own value.
        let third = store.add(Self.message(9), deliveries: 1)
        #expect(third == first)
        #expect(try PTPMessage.decode(last).header.sequenceId == 7)
        #expect(try PTPMessage.decode(store.take(third)).header.sequenceId == 9)
        #expect(last == Self.message(7).encoded())
    }
}

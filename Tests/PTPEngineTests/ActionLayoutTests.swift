import PTPCore
import PTPWire
import Testing

@testable import PTPEngine

/// The sizes the hot paths rely on. Every event's actions are appended to a list and taken out of it again, a
/// simulated zone holds 10,000 port engines, and a time's alignment is every such value's alignment: an `Int128`
/// field (16-byte aligned) or a header laid out in the wire's order padded them all.
@Suite struct ActionLayoutTests {
    @Test func timesAreEightByteAligned() {
        #expect(MemoryLayout<PTPDuration>.alignment == 8 && MemoryLayout<PTPDuration>.size == 16)
        #expect(MemoryLayout<PTPInstant>.alignment == 8 && MemoryLayout<PTPInstant>.size == 16)
        #expect(MemoryLayout<PortEngine>.alignment == 8)
    }

    @Test func anInstanceActionFitsInOneHundredTwentyEightBytes() {
        #expect(MemoryLayout<PTPHeader>.size <= 40, "\(MemoryLayout<PTPHeader>.size)")
        #expect(MemoryLayout<OutgoingMessage>.size <= 120, "\(MemoryLayout<OutgoingMessage>.size)")
        #expect(MemoryLayout<InstanceAction>.stride <= 128, "\(MemoryLayout<InstanceAction>.stride)")
    }
}

import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Issue #17: ~16 spoofed identities per announce interval used to evict the real master from the foreign
/// master table (the stalest record went). The parent and qualified records now stay; unqualified newcomers
/// are dropped and counted.
struct ForeignMasterFloodTests {
    static let me = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x01), portNumber: 1)
    static let t0 = PTPInstant(seconds: 1000)
    static let master = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xAA), portNumber: 1)

    func announce(from sender: PortIdentity, p1: UInt8 = 128) -> (PTPHeader, AnnounceBody) {
        let header = PTPHeader(messageType: .announce, sourcePortIdentity: sender, sequenceId: 0, logMessageInterval: 1)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: p1, grandmasterClockQuality: .default, grandmasterPriority2: 128,
            grandmasterIdentity: sender.clockIdentity, stepsRemoved: 0, timeSource: .internalOscillator)
        return (header, body)
    }

    func spoofed(_ n: Int) -> PortIdentity {
        PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xBAD0_0000 + UInt64(n)), portNumber: 1)
    }

    @Test func theParentIsNeverEvictedByAFloodOfNewIdentities() throws {
        var table = ForeignMasterTable(receiver: Self.me, logAnnounceInterval: LogInterval(1))
        let (h, b) = announce(from: Self.master, p1: 200)
        _ = try table.add(header: h, announce: b, at: Self.t0).get()
        // The parent has a single receipt in the window here (unqualified by count), and it is the newest-but-stalest.
        var now = Self.t0
        for n in 0..<1_000 {
            now = now + .milliseconds(10)
            let (sh, sb) = announce(from: spoofed(n), p1: 1)
            _ = table.add(header: sh, announce: sb, at: now, parent: Self.master)
        }
        #expect(table.record(for: Self.master) != nil, "the parent was evicted")
        #expect(table.records.count == ForeignMasterTable.capacity)
        // Each spoofed newcomer replaced another unqualified one (15 slots rotate); none was dropped: all unqualified.
        #expect(table.evicted == 1_000 - (ForeignMasterTable.capacity - 1))
        #expect(table.dropped == 0)
    }

    @Test func qualifiedRecordsStayAndUnqualifiedNewcomersAreDroppedAndCounted() throws {
        var table = ForeignMasterTable(receiver: Self.me, logAnnounceInterval: LogInterval(1))
        var now = Self.t0
        // Sixteen honest senders, each qualified (two Announce messages within the window).
        for n in 0..<ForeignMasterTable.capacity {
            let sender = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x100 + UInt64(n)), portNumber: 1)
            let (h, b) = announce(from: sender)
            _ = try table.add(header: h, announce: b, at: now).get()
            _ = try table.add(header: h, announce: b, at: now + .milliseconds(100)).get()
        }
        now = now + .seconds(1)
        for n in 0..<500 {
            let (h, b) = announce(from: spoofed(n), p1: 0)
            let result = table.add(header: h, announce: b, at: now)
            #expect({ if case .failure(.tableFull) = result { true } else { false } }())
        }
        #expect(table.dropped == 500)
        #expect(table.evicted == 0)
        #expect(table.records.allSatisfy { table.isQualified($0, now: now) })
        #expect(
            table.best(now: now).map { $0.sender.clockIdentity.rawValue >= 0x100 && $0.sender.clockIdentity.rawValue < 0x110 }
                == true)
        // Once the honest records go stale, newcomers get their slots again.
        let later = now + .seconds(20)
        let (h, b) = announce(from: spoofed(9_999))
        #expect((try? table.add(header: h, announce: b, at: later).get()) != nil)
        #expect(table.evicted == 1)
    }

    @Test func aQualifiedParentStaysTheBestThroughAFlood() {
        // A port following 0xAA keeps it as its best foreign master while 200 spoofed (better) identities arrive.
        var table = ForeignMasterTable(receiver: Self.me, logAnnounceInterval: LogInterval(1))
        let (h, b) = announce(from: Self.master)
        _ = table.add(header: h, announce: b, at: Self.t0, parent: Self.master)
        _ = table.add(header: h, announce: b, at: Self.t0 + .seconds(2), parent: Self.master)
        for n in 0..<200 {
            let (sh, sb) = announce(from: spoofed(n), p1: 1)
            _ = table.add(header: sh, announce: sb, at: Self.t0 + .seconds(2) + .milliseconds(Int64(n)), parent: Self.master)
        }
        #expect(table.best(now: Self.t0 + .seconds(3))?.sender == Self.master)
    }
}

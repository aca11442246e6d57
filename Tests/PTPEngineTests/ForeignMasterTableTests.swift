import PTPCore
import PTPEngine
import PTPWire
import Testing

/// Foreign master records and Announce qualification (IEEE 1588-2019 9.3.2.4, 9.3.2.5).
@Suite struct ForeignMasterTableTests {
    static let me = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x01), portNumber: 1)
    static let t0 = PTPInstant(seconds: 1000)

    func announce(from clock: UInt64, p1: UInt8 = 128, steps: UInt16 = 0, sequence: UInt16 = 0) -> (PTPHeader, AnnounceBody) {
        let sender = PortIdentity(clockIdentity: ClockIdentity(rawValue: clock), portNumber: 1)
        let header = PTPHeader(messageType: .announce, sourcePortIdentity: sender, sequenceId: sequence, logMessageInterval: 1)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: p1, grandmasterClockQuality: .default,
            grandmasterPriority2: 128, grandmasterIdentity: ClockIdentity(rawValue: clock),
            stepsRemoved: steps, timeSource: .internalOscillator)
        return (header, body)
    }

    func table() -> ForeignMasterTable {
        ForeignMasterTable(receiver: Self.me, logAnnounceInterval: LogInterval(1))
    }

    @Test func qualifiesAfterTwoWithinTheWindow() throws {
        var t = table()
        let (h, b) = announce(from: 0x10)
        let first = try t.add(header: h, announce: b, at: Self.t0).get()
        #expect(first.qualified == false)
        #expect(t.best(now: Self.t0) == nil)
        let second = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(2))).get()
        #expect(second.qualified && second.changed)
        #expect(t.best(now: Self.t0 + .seconds(Int64(2)))?.sender.clockIdentity == ClockIdentity(rawValue: 0x10))
    }

    @Test func twoTooFarApartDoNotQualify() throws {
        var t = table()
        let (h, b) = announce(from: 0x10)
        _ = try t.add(header: h, announce: b, at: Self.t0).get()
        // The window is 4 × 2 s = 8 s.
        let late = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(9))).get()
        #expect(late.qualified == false)
    }

    @Test func qualificationLapsesAndRecordsExpire() throws {
        var t = table()
        let (h, b) = announce(from: 0x10)
        _ = try t.add(header: h, announce: b, at: Self.t0).get()
        _ = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(2))).get()
        #expect(t.best(now: Self.t0 + .seconds(Int64(8))) != nil)
        #expect(t.best(now: Self.t0 + .seconds(Int64(9))) == nil)
        let lost = t.prune(now: Self.t0 + .seconds(Int64(11)))
        #expect(lost)
        #expect(t.records.isEmpty)
    }

    @Test func rejectsOwnAndTooManySteps() {
        var t = table()
        let (own, ownBody) = announce(from: 0x01)
        let ownResult = t.add(header: own, announce: ownBody, at: Self.t0)
        #expect(throws: ForeignMasterTable.Rejection.fromSelf) { try ownResult.get() }
        let (far, farBody) = announce(from: 0x10, steps: 255)
        let farResult = t.add(header: far, announce: farBody, at: Self.t0)
        #expect(throws: ForeignMasterTable.Rejection.stepsRemovedLimit) { try farResult.get() }
        #expect(t.records.isEmpty)
    }

    @Test func bestIsChosenByComparison() throws {
        var t = table()
        for (clock, p1) in [(UInt64(0x10), UInt8(128)), (0x20, 100), (0x30, 120)] {
            let (h, b) = announce(from: clock, p1: p1)
            _ = try t.add(header: h, announce: b, at: Self.t0).get()
            _ = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(1))).get()
        }
        #expect(t.best(now: Self.t0 + .seconds(Int64(1)))?.sender.clockIdentity == ClockIdentity(rawValue: 0x20))
    }

    @Test func changeInContentIsReported() throws {
        var t = table()
        let (h, b) = announce(from: 0x10)
        _ = try t.add(header: h, announce: b, at: Self.t0).get()
        _ = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(1))).get()
        let same = try t.add(header: h, announce: b, at: Self.t0 + .seconds(Int64(2))).get()
        #expect(same.changed == false)
        let (h2, b2) = announce(from: 0x10, p1: 50)
        let changed = try t.add(header: h2, announce: b2, at: Self.t0 + .seconds(Int64(3))).get()
        #expect(changed.changed)
    }
}

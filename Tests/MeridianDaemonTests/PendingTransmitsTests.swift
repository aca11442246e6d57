import PTPEngine
import PTPWire
import Testing

@testable import MeridianDaemon

@Suite struct PendingTransmitsTests {
    private func token(_ sequence: Int) -> TransmitToken {
        TransmitToken(messageType: .sync, sequenceId: UInt16(truncatingIfNeeded: sequence))
    }

    @Test func stampsInSendOrderAndOutOfOrderFindTheirTokens() {
        var pending = PendingTransmits()
        for id in 1...5 { pending.insert(token(id), id: UInt64(id * 10)) }
        #expect(pending.remove(10)?.sequenceId == 1)
        #expect(pending.remove(40)?.sequenceId == 4)
        #expect(pending.remove(40) == nil)
        #expect(pending.remove(35) == nil)
        #expect(pending.remove(60) == nil)
        #expect(pending.count == 3)
        #expect(pending.remove(20)?.sequenceId == 2)
        #expect(pending.remove(50)?.sequenceId == 5)
        #expect(pending.remove(30)?.sequenceId == 3)
        #expect(pending.count == 0)
        #expect(pending.remove(30) == nil)
    }

    @Test func anOldestStampThatNeverComesDoesNotKeepTheHolesBehindIt() {
        var pending = PendingTransmits()
        pending.insert(token(0), id: 1)
        // A grandmaster's day of Syncs, each stamped, behind one that never was.
        for id in 2..<100_000 {
            pending.insert(token(id), id: UInt64(id))
            #expect(pending.remove(UInt64(id))?.sequenceId == UInt16(truncatingIfNeeded: id))
        }
        #expect(pending.count == 1)
        #expect(pending.storage <= 64)
        #expect(pending.remove(1)?.sequenceId == 0)
    }

    @Test func aUnicastTickOfManyClientsComesBackInOrder() {
        var pending = PendingTransmits()
        for round in 0..<3 {
            for client in 0..<2_000 { pending.insert(token(client), id: UInt64(round * 10_000 + client + 1)) }
            for client in 0..<2_000 {
                #expect(pending.remove(UInt64(round * 10_000 + client + 1))?.sequenceId == UInt16(client))
            }
            #expect(pending.count == 0)
        }
    }

    @Test func anIdThatRepeatsForgetsTheOlderOnes() {
        var pending = PendingTransmits()
        pending.insert(token(1), id: 5)
        pending.insert(token(2), id: 5)
        #expect(pending.count == 1)
        #expect(pending.remove(5)?.sequenceId == 2)
    }
}

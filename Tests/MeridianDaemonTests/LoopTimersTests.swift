import Testing

@testable import MeridianDaemon

/// The clock loop's timer table (`LoopTimers`): a key armed again keeps one deadline, a cancelled key is gone,
/// and what is due is exactly the timers at or before the time asked.
@Suite struct LoopTimersTests {
    @Test func armingAgainReplacesTheDeadlineAndCancellingRemovesIt() {
        var timers = LoopTimers()
        #expect(timers.earliest == nil)
        timers.set(7, 300)
        timers.set(-500, 100)
        timers.set(3, 200)
        timers.set(7, 50)  // re-armed: earlier now
        #expect(timers.deadline(of: 7) == 50)
        #expect(timers.earliest == 50)
        timers.remove(7)
        #expect(timers.deadline(of: 7) == nil)
        #expect(timers.earliest == 100)
        #expect(timers.deadline(of: 3) == 200 && timers.deadline(of: -500) == 100)
        timers.remove(42)  // not armed: nothing changes
        #expect(timers.earliest == 100)
        timers.removeAll()
        #expect(timers.earliest == nil && timers.deadline(of: 3) == nil)
    }

    @Test func dueTimersAreThoseAtOrBeforeNow() {
        var timers = LoopTimers()
        for key in 0..<40 { timers.set(key, Int64(1_000 + 10 * key)) }
        var due: [(key: Int, deadline: Int64)] = []
        timers.collectDue(notAfter: 1_050, into: &due)
        #expect(due.map(\.key).sorted() == [0, 1, 2, 3, 4, 5])
        #expect(due.allSatisfy { timers.deadline(of: $0.key) == $0.deadline })
    }
}

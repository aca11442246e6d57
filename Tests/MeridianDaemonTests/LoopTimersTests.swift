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

    /// A timer with slack is due at its deadline (a pass then fires it) but the loop need not wake for it before
    /// the deadline plus the slack.
    @Test func slackMovesTheWakeNotTheDeadline() {
        var timers = LoopTimers()
        timers.set(1, 1_000, slack: 500)
        timers.set(2, 1_200)
        #expect(timers.earliest == 1_000)
        #expect(timers.earliestWake == 1_200)
        var due: [(key: Int, deadline: Int64)] = []
        timers.collectDue(notAfter: 1_200, into: &due)
        #expect(due.map(\.key).sorted() == [1, 2])
        timers.remove(2)
        #expect(timers.earliestWake == 1_500)
        timers.set(1, 1_000)  // re-armed without slack
        #expect(timers.earliestWake == 1_000)
        timers.set(3, Int64.max - 10, slack: 100)  // no overflow
        #expect(timers.earliestWake == 1_000)
        timers.remove(1)
        #expect(timers.earliestWake == Int64.max)
        timers.removeAll()
        #expect(timers.earliestWake == nil)
    }

    @Test func dueTimersAreThoseAtOrBeforeNow() {
        var timers = LoopTimers()
        for key in 0..<40 { timers.set(key, Int64(1_000 + 10 * key)) }
        var due: [(key: Int, deadline: Int64)] = []
        timers.collectDue(notAfter: 1_050, into: &due)
        #expect(due.map(\.key).sorted() == [0, 1, 2, 3, 4, 5])
        #expect(due.allSatisfy { timers.deadline(of: $0.key) == $0.deadline })
    }

    /// A re-armed timer keeps its cadence: `delay` after when it was due, not after its handling ended. Late by
    /// more than its period, a long timer starts afresh from now; a short one (a unicast server's 3.9-ms slot
    /// timer) late by under 50 ms fires at once and keeps its cadence, so a scheduling delay does not shift every
    /// later slot.
    @Test func aReArmedTimerKeepsItsCadenceAndAShortOneCatchesUp() {
        let ms: Int64 = 1_000_000
        // Not re-armed in its own firing: from now.
        #expect(LoopTimers.deadline(after: 10 * ms, reArmedFrom: nil, now: 1_000 * ms) == 1_010 * ms)
        // Handled 2 ms after it was due: the next is one period after the due time.
        #expect(LoopTimers.deadline(after: 62 * ms, reArmedFrom: 1_000 * ms, now: 1_002 * ms) == 1_062 * ms)
        // A 62-ms timer handled 70 ms late: starts afresh (a multicast Sync does not burst to catch up).
        #expect(LoopTimers.deadline(after: 62 * ms, reArmedFrom: 1_000 * ms, now: 1_070 * ms) == 1_132 * ms)
        // A 4-ms slot timer handled 10 ms late: due in the past, so it fires at once and keeps its cadence.
        #expect(LoopTimers.deadline(after: 4 * ms, reArmedFrom: 1_000 * ms, now: 1_010 * ms) == 1_004 * ms)
        // ... but not after a stall of more than 50 ms past its next due time: then from now.
        #expect(LoopTimers.deadline(after: 4 * ms, reArmedFrom: 1_000 * ms, now: 1_060 * ms) == 1_064 * ms)
    }

    /// Aligned timers (a master port's Sync and Announce): the deadline moves to the nearest grid point of the period,
    /// by at most half of it, and a grid point stays where it is; so ports whose Sync timers were first armed at
    /// different moments fire together from then on, and an Announce every 2 s with a Sync of 16 a second.
    @Test func alignedTimersShareTheirDeadlines() {
        let ms: Int64 = 1_000_000
        let sync = 62_500_000 as Int64
        // Eight ports entering MASTER at different moments within one interval.
        let armed = (0..<8).map { LoopTimers.aligned(1_000 * ms + Int64($0) * 7 * ms, period: sync) }
        // On at most two grid points one interval apart: from the later on, every port's Sync is due at the same
        // instants (each re-armed from its own deadline, a grid point, one period on).
        #expect(Set(armed).count <= 2 && (armed.max() ?? 0) - (armed.min() ?? 0) <= sync, "\(armed)")
        for (k, deadline) in armed.enumerated() {
            #expect(deadline % sync == 0)
            #expect(abs(deadline - (1_000 * ms + Int64(k) * 7 * ms)) <= sync / 2)
        }
        // Re-armed from its deadline, one period later: the next grid point, unchanged by the alignment.
        #expect(LoopTimers.aligned(armed[0] + sync, period: sync) == armed[0] + sync)
        // A 2-s Announce lands on a Sync deadline.
        let announce = LoopTimers.aligned(1_234 * ms + 2_000 * ms, period: 2_000 * ms)
        #expect(announce % sync == 0)
        // Halfway: the later grid point; just below: the earlier.
        #expect(LoopTimers.aligned(sync + sync / 2, period: sync) == 2 * sync)
        #expect(LoopTimers.aligned(sync + sync / 2 - 1, period: sync) == sync)
        // Periods below 1 ms or above a day, and deadlines out of range, are left alone.
        #expect(LoopTimers.aligned(1_234_567, period: 999_999) == 1_234_567)
        #expect(LoopTimers.aligned(Int64.max - 5, period: sync) == Int64.max - 5)
        #expect(LoopTimers.aligned(-5, period: sync) == -5)
        // Another loop's grid (its own phase): the same rules about its points; re-armed, unchanged.
        let phase: Int64 = 123_456_789_012
        let other = LoopTimers.aligned(1_000 * ms, period: sync, phase: phase)
        #expect((other - phase) % sync == 0 && abs(other - 1_000 * ms) <= sync / 2)
        #expect(LoopTimers.aligned(other + sync, period: sync, phase: phase) == other + sync)
        #expect(LoopTimers.aligned(other + 2_000 * ms + 5 * ms, period: 2_000 * ms, phase: phase) % sync == other % sync)
    }
}

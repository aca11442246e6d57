import PTPCore
import PTPSimulation
import Testing

/// The event queue (a near heap, a calendar of 1 ms buckets over 8 s, an overflow heap) gives events in the one
/// order a simulation's determinism rests on: by time, then by the order they were scheduled.
@Suite struct EventQueueTests {
    /// Events scheduled while others are taken, at delays from 0 to 30 s (the near heap, every bucket of the
    /// ring, the overflow beyond it, equal times), and a few at the end of representable time, come out in
    /// (time, schedule order), compared with a sort of the same events; `peek` names the event `pop` takes next
    /// whenever it names one.
    @Test func eventsComeOutByTimeThenScheduleOrder() {
        let origin = PTPInstant(seconds: 1_700_000_000)
        var queue = EventQueue<Int>(origin: origin)
        var random = SplitMix64(seed: 7)
        var pending: [(time: PTPInstant, id: Int)] = []
        var taken: [(time: PTPInstant, id: Int)] = []
        var now = origin
        var id = 0
        var peeked = 0
        func schedule(_ delay: PTPDuration) {
            queue.schedule(id, at: now + delay)
            pending.append((now + delay, id))
            id += 1
        }
        for round in 0..<20_000 {
            // A mix of delays: on the wire (µs), Sync timers (62.5 ms), Announce (1–2 s), receipt timeouts (3–6 s),
            // beyond the ring (8–30 s), and exact repeats of a time already scheduled.
            switch round % 7 {
            case 0: schedule(.nanoseconds(random.nextUnit() * 20_000))
            case 1: schedule(.milliseconds(62).scaled(by: 1 + random.nextUnit() * 0.01))
            case 2: schedule(.seconds(1 + random.nextUnit()))
            case 3: schedule(.seconds(3 + 3 * random.nextUnit()))
            case 4: schedule(.seconds(8 + 22 * random.nextUnit()))
            case 5: if let same = pending.last, same.time >= now { schedule(same.time - now) }
            default: schedule(.zero)
            }
            let next = queue.peek()
            if round % 3 != 0, let (time, event) = queue.pop() {
                if let next {
                    #expect(next == event, "peek named \(next), pop took \(event)")
                    peeked += 1
                }
                #expect(time >= now)
                now = time
                taken.append((time, event))
            }
        }
        queue.schedule(-1, at: origin + .seconds(Int64(4e9)))  // beyond the queue's 1.6 days: saturates, last
        pending.append((origin + .seconds(Int64(4e9)), -1))
        // peek names the next event whenever it is at hand, which is most of the time.
        #expect(peeked > taken.count / 2, "peek named \(peeked) of \(taken.count) events")
        #expect(queue.count == pending.count - taken.count)
        #expect(queue.nextTime != nil)
        while let (time, event) = queue.pop() { taken.append((time, event)) }
        #expect(queue.isEmpty)
        let expected = pending.enumerated().sorted {
            ($0.element.time, $0.offset) < ($1.element.time, $1.offset)
        }.map(\.element.id)
        #expect(taken.count == expected.count)
        #expect(taken.map(\.id) == expected)
    }
}

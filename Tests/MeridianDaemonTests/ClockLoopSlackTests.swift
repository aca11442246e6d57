import Glibc
import PTPCore
import Synchronization
import Testing

@testable import MeridianDaemon

/// A timer armed with slack (`ClockLoop.arm(_:after:aligned:slack:)`): it fires in the first pass at or after its
/// deadline, and the loop wakes for it alone only when its slack has run out. A port polled on a pipe
/// (`ClockLoopFlushTests.PipePort`) lets the test arm timers on the loop's thread: a byte 1 arms timer 7 in
/// 100 ms with no slack and timer 9 in 10 ms with 500 ms of slack; a byte 2 arms timer 9 alone, in 10 ms with
/// 100 ms of slack.
@Suite struct ClockLoopSlackTests {
    final class Rig: @unchecked Sendable {
        // Safety of @unchecked Sendable: `loop` and `port` are used as the loop's own tests use them; `fired` is
        // locked.
        let loop: ClockLoop
        let port: ClockLoopFlushTests.PipePort
        /// Each timer that fired, with the ms since the byte that armed it was read.
        let fired = Mutex<[(key: Int, ms: Double)]>([])
        let armedAt = Mutex<Int64>(0)

        init() throws {
            loop = try ClockLoop()
            port = try ClockLoopFlushTests.PipePort(loop: loop)
            loop.setHandler { [weak self] event in self?.handle(event) }
            loop.add(port, index: 0)
        }

        private func handle(_ event: ClockLoop.Event) {
            let ms: Int64 = 1_000_000
            switch event {
            case .timer(let key):
                let since = Double(ClockLoop.monotonicNow() - armedAt.withLock { $0 }) / 1e6
                fired.withLock { $0.append((key, since)) }
            case .input(_, .message(let bytes, _, _, _)) where bytes == [1]:
                armedAt.withLock { $0 = ClockLoop.monotonicNow() }
                loop.arm(7, after: .nanoseconds(100 * ms))
                loop.arm(9, after: .nanoseconds(10 * ms), slack: .nanoseconds(500 * ms))
            case .input(_, .message(let bytes, _, _, _)) where bytes == [2]:
                armedAt.withLock { $0 = ClockLoop.monotonicNow() }
                loop.arm(9, after: .nanoseconds(10 * ms), slack: .nanoseconds(100 * ms))
            default:
                break
            }
        }

        func write(_ byte: UInt8) {
            var byte = byte
            #expect(Glibc.write(port.writeEnds[0], &byte, 1) == 1)
        }

        /// Waits (at most 5 s) until `count` timers have fired; returns them.
        func waitFor(_ count: Int) -> [(key: Int, ms: Double)] {
            let deadline = ContinuousClock.now + .seconds(5)
            // Bounded: at most 5 s.
            while fired.withLock({ $0.count }) < count && ContinuousClock.now < deadline { usleep(1_000) }
            return fired.withLock { $0 }
        }
    }

    /// Timer 9 is due at 10 ms, but nothing wakes the loop before timer 7 at 100 ms: 9 fires in that pass, first
    /// (the earlier deadline), not at 10 ms and not at its 510-ms wake.
    @Test func aSlackTimerRidesOnTheNextPass() throws {
        let rig = try Rig()
        rig.write(1)
        let fired = rig.waitFor(2)
        try #require(fired.count == 2, "\(fired)")
        #expect(fired.map(\.key) == [9, 7])
        #expect(fired[0].ms >= 100, "timer 9 fired before timer 7's pass: \(fired)")
        #expect(fired[0].ms < 500, "timer 9 waited for its own wake: \(fired)")
    }

    /// Alone, the slack timer wakes the loop when its slack runs out: 110 ms after it was armed, not 10.
    @Test func aloneASlackTimerWakesTheLoopAtDeadlinePlusSlack() throws {
        let rig = try Rig()
        rig.write(2)
        let fired = rig.waitFor(1)
        try #require(fired.count == 1, "\(fired)")
        #expect(fired[0].key == 9)
        #expect(fired[0].ms >= 110, "fired before its slack ran out: \(fired)")
    }
}

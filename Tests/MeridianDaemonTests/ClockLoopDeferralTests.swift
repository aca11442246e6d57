import Glibc
import PTPCore
import Synchronization
import Testing

@testable import MeridianDaemon

/// How the clock's loop leaves a master's event socket out of its poll (`ClockLoop.deferEventInput`): what comes
/// on it between two timers is read in the pass of the next timer, after that timer, when the timer is due within
/// `ClockLoop.eventInputDeferLimit`; a full read brings the rest at once; a port no longer deferring, or a timer
/// further away than the limit, means the socket is read when something comes. A port polled on pipes stands for
/// the sockets (`ClockLoopFlushTests.PipePort`): pipe 0 the event socket, pipe 1 the general one, on which a byte
/// 0xFF arms a periodic timer and defers pipe 0, and 0xFE stops deferring it.
@Suite struct ClockLoopDeferralTests {
    /// The loop, its port, what the clock saw (in order), and how many timers fired.
    final class Rig: @unchecked Sendable {
        // Safety of @unchecked Sendable: `loop` and `port` are used as the loop's own tests use them; `events`
        // and `timers` are locked or atomic.
        let loop: ClockLoop
        let port: ClockLoopFlushTests.PipePort
        let events = Mutex<[String]>([])
        let timers = Atomic<Int>(0)

        let period: Int64

        init(period: Int64, readLimit: Int = 16) throws {
            self.period = period
            loop = try ClockLoop()
            port = try ClockLoopFlushTests.PipePort(loop: loop, pipes: 2, readLimit: readLimit, deferrable: 0)
            loop.setHandler { [weak self] event in self?.handle(event) }
            loop.add(port, index: 0)
        }

        /// The clock's part, on the loop's thread.
        private func handle(_ event: ClockLoop.Event) {
            switch event {
            case .timer(key: 7):
                let n = timers.add(1, ordering: .acquiringAndReleasing).newValue
                events.withLock { $0.append("timer \(n)") }
                loop.arm(7, after: .nanoseconds(period))
            case .input(_, .message(let bytes, _, _, _)) where bytes == [0xFF]:
                loop.deferEventInput(port: 0, true)
                loop.arm(7, after: .nanoseconds(period))
            case .input(_, .message(let bytes, _, _, _)) where bytes == [0xFE]:
                loop.deferEventInput(port: 0, false)
            case .input(_, .message(let bytes, _, _, _)):
                events.withLock { $0.append("message \(bytes[0])") }
            default:
                break
            }
        }

        func write(_ bytes: [UInt8], pipe: Int) {
            var bytes = bytes
            #expect(Glibc.write(port.writeEnds[pipe], &bytes, bytes.count) == bytes.count)
        }

        /// Waits (at most 5 s) until `condition` holds.
        func wait(_ condition: () -> Bool) {
            let deadline = ContinuousClock.now + .seconds(5)
            // Bounded: at most 5 s.
            while !condition() && ContinuousClock.now < deadline { usleep(1_000) }
        }

        /// Waits for a timer to fire, then writes `bytes` on the event pipe; returns that timer's number.
        func writeAfterATimer(_ bytes: [UInt8]) -> Int {
            let before = timers.load(ordering: .acquiring)
            wait { timers.load(ordering: .acquiring) > before }
            let fired = timers.load(ordering: .acquiring)
            write(bytes, pipe: 0)
            return fired
        }

        /// What the clock saw just before `message`, or nil if it has not seen it.
        func before(_ message: String) -> String? {
            events.withLock { events in
                events.firstIndex(of: message).flatMap { $0 > 0 ? events[$0 - 1] : nil }
            }
        }

        func seen(_ message: String) -> Bool { events.withLock { $0.contains(message) } }

        deinit { loop.removePorts() }
    }

    /// The number of a "timer N" entry.
    static func timerNumber(_ entry: String?) -> Int? {
        guard let entry, entry.hasPrefix("timer ") else { return nil }
        return Int(entry.dropFirst(6))
    }

    @Test func aDelayReqBetweenTwoTimersIsReadInTheNextTimersPassAfterIt() throws {
        let rig = try Rig(period: 100_000_000)
        rig.write([0xFF], pipe: 1)
        let fired = rig.writeAfterATimer([1])
        rig.wait { rig.seen("message 1") }
        // Written after timer `fired`: read after a later timer, in that timer's pass (nothing between them).
        let after = Self.timerNumber(rig.before("message 1"))
        #expect(after != nil && after! > fired, "\(rig.events.withLock { $0 })")
    }

    @Test func aFullReadOfTheLeftOutSocketBringsTheRestAtOnce() throws {
        // One message per read: the first read, in the timer's pass, comes back full.
        let rig = try Rig(period: 100_000_000, readLimit: 1)
        rig.write([0xFF], pipe: 1)
        let fired = rig.writeAfterATimer([1, 2, 3])
        rig.wait { rig.seen("message 3") }
        let events = rig.events.withLock { $0 }
        // All three after the next timer, before the one after it.
        let first = events.firstIndex(of: "message 1")
        let timer = first.flatMap { $0 > 0 ? Self.timerNumber(events[$0 - 1]) : nil }
        #expect(timer != nil && timer! > fired, "\(events)")
        if let first, first + 2 < events.count {
            #expect(Array(events[first...(first + 2)]) == ["message 1", "message 2", "message 3"], "\(events)")
        } else {
            Issue.record("not all three were read: \(events)")
        }
    }

    @Test func aPortNoLongerDeferringIsReadWhenAMessageComes() throws {
        let rig = try Rig(period: 100_000_000)
        rig.write([0xFF], pipe: 1)
        rig.write([0xFE], pipe: 1)
        let fired = rig.writeAfterATimer([1])
        rig.wait { rig.seen("message 1") }
        // Read before the next timer: the entry before it is the timer it was written after.
        #expect(Self.timerNumber(rig.before("message 1")) == fired, "\(rig.events.withLock { $0 })")
    }

    @Test func aTimerFurtherThanTheLimitLeavesTheSocketPolled() throws {
        // A Sync interval of 1 s: longer than `eventInputDeferLimit`, the socket is polled and read at once.
        let rig = try Rig(period: 1_000_000_000)
        rig.write([0xFF], pipe: 1)
        let fired = rig.writeAfterATimer([1])
        rig.wait { rig.seen("message 1") }
        #expect(Self.timerNumber(rig.before("message 1")) == fired, "\(rig.events.withLock { $0 })")
    }
}

import Glibc
import LinuxPlatform
import PTPCore
import Synchronization
import Testing

@Suite("VirtualClock")
struct VirtualClockTests {
    @Test("starts at system time plus the configured offset")
    func initialOffset() throws {
        let time = ManualTime()
        let clock = try VirtualClock(configuration: .init(offsetSeconds: 1.5, frequencyPPM: 0), baseTime: time.source)
        #expect(try clock.now() == time.now + .milliseconds(1500))
        #expect(try clock.trueError() == .milliseconds(1500))
    }

    @Test("its own frequency error accumulates exactly; an adjustment cancels it")
    func rate() throws {
        let time = ManualTime()
        let clock = try VirtualClock(configuration: .init(offsetSeconds: 0, frequencyPPM: 100), baseTime: time.source)
        time.advance(by: .seconds(Int64(10)))
        // 100 ppm over 10 s is 1 ms.
        #expect(try clock.trueError() == .milliseconds(1))
        try clock.adjustFrequency(.ppm(-100))
        #expect(try clock.frequency() == .ppm(-100))
        #expect(clock.effectiveFrequency == .zero)
        time.advance(by: .seconds(Int64(1000)))
        #expect(try clock.trueError() == .milliseconds(1))
        try clock.adjustFrequency(PartsPerBillion(-100_500))
        time.advance(by: .seconds(Int64(2)))
        // Now 500 ppb slow for 2 s: 1 µs lost.
        #expect(try clock.trueError() == .milliseconds(1) - .microseconds(1))
    }

    @Test("frequency beyond max_adj is refused and leaves the clock alone")
    func frequencyLimit() throws {
        let time = ManualTime()
        let clock = try VirtualClock(
            configuration: .init(frequencyError: .zero, maxFrequency: PartsPerBillion(100_000)), baseTime: time.source)
        #expect(clock.maxFrequency == PartsPerBillion(100_000))
        try clock.adjustFrequency(PartsPerBillion(100_000))
        #expect(throws: ClockError.frequencyOutOfRange(requested: PartsPerBillion(100_001), limit: PartsPerBillion(100_000))) {
            try clock.adjustFrequency(PartsPerBillion(100_001))
        }
        #expect(throws: ClockError.self) { try clock.adjustFrequency(PartsPerBillion(.nan)) }
        #expect(try clock.frequency() == PartsPerBillion(100_000))
    }

    @Test("steps move the phase both ways")
    func steps() throws {
        let time = ManualTime()
        let clock = try VirtualClock(configuration: .init(offsetSeconds: -2, frequencyPPM: 0), baseTime: time.source)
        try clock.step(by: .seconds(Int64(2)))
        #expect(try clock.trueError() == .zero)
        try clock.step(by: .nanoseconds(Int64(-37)))
        #expect(try clock.trueError() == .nanoseconds(Int64(-37)))
    }

    @Test("kernel stamps convert with the phase and rate in force when they were taken")
    func stampConversion() throws {
        let time = ManualTime()
        let clock = try VirtualClock(configuration: .init(offsetSeconds: 5, frequencyPPM: 10), baseTime: time.source)
        let start = time.now
        time.advance(by: .seconds(Int64(1)))
        let before = time.now
        time.advance(by: .nanoseconds(Int64(1)))
        try clock.step(by: .seconds(Int64(-1)))
        time.advance(by: .seconds(Int64(1)) - .nanoseconds(Int64(1)))
        let after = time.now
        // Converted after the step, a stamp from before it still gets the old phase.
        #expect(clock.convert(systemTimestamp: before) == before + .seconds(Int64(5)) + .microseconds(10))
        #expect(clock.convert(systemTimestamp: after) == after + .seconds(Int64(4)) + .microseconds(20))
        #expect(
            clock.convert(systemTimestamp: start + .milliseconds(500)) == start + .milliseconds(500) + .seconds(Int64(5))
                + .microseconds(5))
    }

    @Test("wander stays within its bound, moves, and repeats with the same seed")
    func wanderIsBounded() throws {
        let wander = VirtualClockConfiguration.Wander(
            interval: .milliseconds(1000), stepDeviation: PartsPerBillion(5), bound: PartsPerBillion(40), seed: 42)
        func run() throws -> [Double] {
            let time = ManualTime()
            let clock = try VirtualClock(configuration: .init(wander: wander), baseTime: time.source)
            var seen: [Double] = []
            for _ in 0..<5_000 {
                time.advance(by: .milliseconds(1000))
                _ = try clock.now()
                seen.append(clock.wanderFrequency.value)
            }
            return seen
        }
        let first = try run()
        #expect(first.allSatisfy { abs($0) <= 40 })
        #expect(first.contains { abs($0) > 20 }, "the walk should wander well away from zero in 5,000 steps")
        #expect(Set(first).count > 1_000)
        #expect(try run() == first)
    }

    @Test("wander changes the true error as its frequency says")
    func wanderIntegrates() throws {
        let time = ManualTime()
        let wander = VirtualClockConfiguration.Wander(
            interval: .milliseconds(10), stepDeviation: PartsPerBillion(100), bound: PartsPerBillion(1_000), seed: 7)
        let clock = try VirtualClock(configuration: .init(wander: wander), baseTime: time.source)
        var expected = PTPDuration.zero
        for _ in 0..<1_000 {
            time.advance(by: .milliseconds(10))
            let frequency = clock.wanderFrequency  // in force over the next interval
            _ = try clock.now()
            expected += PTPDuration.milliseconds(10).scaled(by: frequency.ratio)
        }
        let error = try clock.trueError()
        #expect((error - expected).magnitude < .nanoseconds(Int64(1)), "true error \(error), integrated \(expected)")
    }

    @Test("over the real system clock: offset holds without sleeping")
    func overRealtime() throws {
        let clock = try VirtualClock(configuration: .init(offsetSeconds: 3, frequencyPPM: 0))
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let system = PTPInstant(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
        let difference = try clock.now() - system - .seconds(Int64(3))
        #expect(difference.magnitude < .milliseconds(50))
        #expect((try clock.trueError() - .seconds(Int64(3))).magnitude < .nanoseconds(Int64(1)))
    }
}

import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A software clock laid over `CLOCK_REALTIME` with its own phase and rate (DESIGN.md, "Time").
///
/// It starts at system time + `virtual_clock_offset` and runs at `virtual_clock_freq_ppm` plus whatever the
/// servo sets (limited by a `max_adj` like a PHC) plus an optional seeded random-walk wander. Kernel software
/// timestamps (on `CLOCK_REALTIME`) are turned into its time with ``convert(systemTimestamp:)``, so many
/// independent clocks can run on one machine with real packets. ``trueError()`` is virtual − system time,
/// the lab's ground truth. It never touches the system clock.
public final class VirtualClock: PTPClock {
    /// Where base time comes from: `CLOCK_REALTIME` in a lab, a manual source in unit tests.
    public typealias BaseTime = @Sendable () throws(ClockError) -> PTPInstant

    public let name: String
    public let maxFrequency: PartsPerBillion
    private let baseTime: BaseTime
    private let timeline: Mutex<VirtualClockTimeline>

    /// Reads `CLOCK_REALTIME`. The corresponding C function is `clock_gettime`.
    public static let realtime: BaseTime = { () throws(ClockError) in
        switch Result(catching: { () throws(Errno) in try readClock(CLOCK_REALTIME) }) {
        case .success(let instant):
            return instant
        case .failure(let error):
            throw .system(operation: "clock_gettime(CLOCK_REALTIME)", errno: error.rawValue)
        }
    }

    public init(configuration: VirtualClockConfiguration, baseTime: @escaping BaseTime = VirtualClock.realtime) throws(ClockError)
    {
        self.name = configuration.name
        self.maxFrequency = PartsPerBillion(abs(configuration.maxFrequency.value))
        self.baseTime = baseTime
        self.timeline = Mutex(VirtualClockTimeline(configuration: configuration, start: try baseTime()))
    }

    public func now() throws(ClockError) -> PTPInstant {
        let base = try baseTime()
        return timeline.withLock { timeline in
            timeline.advance(to: base)
            return timeline.virtual(at: base)
        }
    }

    /// The servo's adjustment now in force (not the clock's own error or wander).
    public func frequency() throws(ClockError) -> PartsPerBillion {
        timeline.withLock { $0.adjustment }
    }

    public func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        guard adjustment.value.isFinite, abs(adjustment.value) <= maxFrequency.value else {
            throw .frequencyOutOfRange(requested: adjustment, limit: maxFrequency)
        }
        let base = try baseTime()
        timeline.withLock { $0.setAdjustment(adjustment, at: base) }
    }

    public func step(by offset: PTPDuration) throws(ClockError) {
        let base = try baseTime()
        timeline.withLock { $0.step(by: offset, at: base) }
    }

    /// The virtual time of a kernel software timestamp (a `CLOCK_REALTIME` instant), with the phase and rate
    /// that held when it was taken.
    public func convert(systemTimestamp: PTPInstant) -> PTPInstant {
        timeline.withLock { timeline in
            timeline.advance(to: systemTimestamp)
            return timeline.virtual(at: systemTimestamp)
        }
    }

    /// Virtual − system time now: how wrong the clock truly is (the lab's ground truth).
    public func trueError() throws(ClockError) -> PTPDuration {
        let base = try baseTime()
        return timeline.withLock { timeline in
            timeline.advance(to: base)
            return timeline.virtual(at: base) - base
        }
    }

    /// The rate of the clock against system time: own error + adjustment + wander.
    public var effectiveFrequency: PartsPerBillion {
        timeline.withLock { $0.effectiveFrequency }
    }

    /// The wander part of the frequency error now.
    public var wanderFrequency: PartsPerBillion {
        timeline.withLock { $0.wanderFrequency }
    }
}

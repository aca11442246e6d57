import Glibc
import LinuxPlatform
import PTPCore

/// `reference simulated`: ``SimulatedGNSS`` on a thread that wakes just after each second of the system
/// clock and hands the pulse of that second to the clock as a sample. The edge is the computed instant
/// (second + jitter) converted to the disciplined clock, not the wake-up time, so the thread's latency adds
/// no error.
public final class SimulatedGNSSReference: ReferenceSource {
    public let name = "simulated GNSS"
    private let simulation: Locked<SimulatedGNSS>
    private let systemToClock: @Sendable (PTPInstant) -> PTPInstant
    private let onEvent: @Sendable (ReferenceEvent) -> Void
    private let stopping = StopFlag()
    private let thread = Locked<PlatformThread?>(nil)

    public init(
        configuration: SimulatedGNSS.Configuration, systemToClock: @escaping @Sendable (PTPInstant) -> PTPInstant,
        onEvent: @escaping @Sendable (ReferenceEvent) -> Void
    ) {
        simulation = Locked(SimulatedGNSS(configuration: configuration, start: systemNow().seconds))
        self.systemToClock = systemToClock
        self.onEvent = onEvent
    }

    public func start() throws(ReferenceError) {
        let started: Bool = thread.withLock { $0 != nil }
        guard !started else { return }
        do {
            let spawned = try PlatformThread.spawn(name: "meridian-gnss") { [self] in run() }
            thread.withLock { $0 = spawned }
        } catch {
            throw ReferenceError("cannot start the simulated GNSS thread: \(error)")
        }
    }

    public func stop() {
        stopping.stop()
        let handle: PlatformThread? = thread.withLock { handle in
            defer { handle = nil }
            return handle
        }
        handle?.join()
    }

    private func run() {
        var second = systemNow().seconds + 1
        while !stopping.isStopped {
            // Wake 1 ms after the edge, in steps of at most 100 ms so stop() is quick.
            let target = PTPInstant(seconds: second, nanoseconds: 1_000_000)
            while !stopping.isStopped {
                let left = target - systemNow()
                if left <= .zero { break }
                usleep(UInt32(clamping: min(left.nanoseconds, 100_000_000) / 1_000 + 1))
            }
            if stopping.isStopped { break }
            let current = second
            let pulse = simulation.withLock { $0.pulse(second: current) }
            if let pulse {
                let sample = simulation.withLock { $0.sample(pulse, systemToClock: systemToClock) }
                onEvent(.sample(sample))
            }
            // A late wake (suspended laptop) skips to the current second rather than replaying the past.
            second = max(second + 1, systemNow().seconds)
        }
    }
}

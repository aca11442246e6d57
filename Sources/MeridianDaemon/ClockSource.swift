import LinuxPlatform
import PTPCore
import PTPServo

/// The clock the daemon disciplines, and how a kernel timestamp becomes a reading of it.
struct ClockSource: Sendable {
    let clock: any PTPClock
    /// The virtual clock, when that is what runs (for its true error in logs and management).
    let virtual: VirtualClock?
    /// Whether the daemon may adjust the clock at all (`free_running 0` and a steerable clock).
    let steerable: Bool
    let description: String

    /// True for clocks that keep UTC (the system clock, a virtual clock over it); a PHC keeps TAI.
    var keepsUTC: Bool { !(clock is PHCClock) }

    /// Converts a transport timestamp (CLOCK_REALTIME for software stamps) to this clock's time.
    func convert(_ timestamp: PTPInstant) -> PTPInstant {
        virtual?.convert(systemTimestamp: timestamp) ?? timestamp
    }

    /// Opens the configured clock. Errors name the device and what to do.
    static func open(_ choice: DaemonSettings.ClockChoice, settings: DaemonSettings) throws(ClockError) -> ClockSource {
        switch choice {
        case .virtual(let configuration):
            let clock = try VirtualClock(configuration: configuration)
            let offset = configuration.initialOffset
            return ClockSource(
                clock: clock, virtual: clock, steerable: !settings.freeRunning,
                description: "virtual clock (offset \(offset.secondsDouble) s, \(configuration.frequencyError.value / 1000) ppm)")
        case .system:
            let steering: SystemClock.Steering = settings.freeRunning ? .forbidden : .allowed
            let clock = try SystemClock(steering: steering)
            return ClockSource(clock: clock, virtual: nil, steerable: !settings.freeRunning, description: "CLOCK_REALTIME")
        case .phc(let path):
            let clock = try PHCClock(path: path)
            return ClockSource(clock: clock, virtual: nil, steerable: !settings.freeRunning, description: path)
        case .automatic:
            if settings.servo.timestamping == .hardware, let first = settings.ports.first {
                let clock = try PHCClock.forInterface(first.interface)
                return ClockSource(clock: clock, virtual: nil, steerable: !settings.freeRunning, description: clock.name)
            }
            // Software stamps: the system clock, read but never steered unless `clock_device system` says so.
            let clock = try SystemClock(steering: .forbidden)
            return ClockSource(
                clock: clock, virtual: nil, steerable: false,
                description: "CLOCK_REALTIME (not steered: set clock_device system to let meridiand adjust it)")
        }
    }
}

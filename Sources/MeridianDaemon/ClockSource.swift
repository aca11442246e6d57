import LinuxPlatform
import PTPCore
import PTPEngine
import PTPServo

/// The clock the daemon disciplines, and how a transport timestamp becomes a reading of it.
struct ClockSource: Sendable {
    let clock: any PTPClock
    /// The timescale the clock counts in: a PHC keeps TAI; the system clock and a virtual clock over it
    /// keep UTC (so engine time is shifted to TAI when the PTP timescale is in use, 8.2.4).
    let timescale: ClockTimescale
    /// Whether the daemon may adjust the clock at all (`free_running 0` and a steerable clock).
    let steerable: Bool
    let description: String
    /// Converts a transport or reference timestamp (CLOCK_REALTIME for software stamps) to this clock's time.
    let convert: @Sendable (PTPInstant) -> PTPInstant
    /// The clock's error against true time where it can know it (a virtual clock against the system clock).
    let trueError: (@Sendable () -> PTPDuration?)?
    /// How the clock relates to CLOCK_REALTIME, for reference stamps and feeds: exact for the system and a
    /// virtual clock, measured (sys-offset, with its window as uncertainty) for a PHC, real or emulated.
    let relation: SystemClockRelation

    init(
        clock: any PTPClock, timescale: ClockTimescale, steerable: Bool, description: String,
        convert: @escaping @Sendable (PTPInstant) -> PTPInstant = { $0 },
        trueError: (@Sendable () -> PTPDuration?)? = nil, relation: SystemClockRelation? = nil
    ) {
        self.relation = relation ?? SystemClockRelation(.timeline(convert))
        self.clock = clock
        self.timescale = timescale
        self.steerable = steerable
        self.description = description
        self.convert = convert
        self.trueError = trueError
    }

    /// True for clocks that keep UTC (the system clock, a virtual clock over it); a PHC keeps TAI.
    var keepsUTC: Bool { timescale == .utc }

    /// The virtual clock's true error in ns (labs), for log lines and MERIDIAN_STATUS_NP.
    var trueErrorNanoseconds: Int64? { trueError?()?.roundedNanoseconds }

    /// Opens the configured clock. Errors name the device and what to do.
    static func open(_ choice: DaemonSettings.ClockChoice, settings: DaemonSettings) throws(ClockError) -> ClockSource {
        switch choice {
        case .virtual(let configuration):
            let clock = try VirtualClock(configuration: configuration)
            let offset = configuration.initialOffset
            return ClockSource(
                clock: clock, timescale: .utc, steerable: !settings.freeRunning,
                description: "virtual clock (offset \(offset.secondsDouble) s, \(configuration.frequencyError.value / 1000) ppm)",
                convert: { clock.convert(systemTimestamp: $0) }, trueError: { try? clock.trueError() })
        case .emulatedPHC(let configuration, let taiMinusUTC):
            // The emulation's sys-offset reads are the PHC path under test; packets are stamped as a NIC with
            // this PHC would stamp them (its reading at the kernel's software stamp).
            let device = try EmulatedPHCDevice(configuration: configuration, taiMinusUTC: taiMinusUTC)
            let clock = try PHCClock(device: device)
            return ClockSource(
                clock: clock, timescale: .tai, steerable: !settings.freeRunning,
                description:
                    "emulated PHC (TAI, offset \(configuration.initialOffset.secondsDouble) s, \(configuration.frequencyError.value / 1000) ppm)",
                convert: { device.hardwareStamp(systemTimestamp: $0) }, trueError: { try? device.trueError() },
                relation: SystemClockRelation(.measured(clock, samples: 5)))
        case .system:
            let steering: SystemClock.Steering = settings.freeRunning ? .forbidden : .allowed
            let clock = try SystemClock(steering: steering)
            return ClockSource(
                clock: clock, timescale: .utc, steerable: !settings.freeRunning, description: "CLOCK_REALTIME",
                relation: SystemClockRelation(.identity))
        case .phc(let path):
            let clock = try PHCClock(path: path)
            return ClockSource(
                clock: clock, timescale: .tai, steerable: !settings.freeRunning, description: path,
                relation: SystemClockRelation(.measured(clock, samples: 5)))
        case .automatic:
            if settings.servo.timestamping == .hardware, let first = settings.ports.first {
                // The first port's PHC: its phc_index when set (linuxptp 4), else the interface's own.
                let clock: PHCClock
                if let index = first.phcIndex {
                    clock = try PHCClock(index: index)
                } else {
                    clock = try PHCClock.forInterface(first.interface)
                }
                return ClockSource(
                    clock: clock, timescale: .tai, steerable: !settings.freeRunning, description: clock.name,
                    relation: SystemClockRelation(.measured(clock, samples: 5)))
            }
            // Software stamps: the system clock is the PTP clock and the servo steers it unless free_running, as
            // ptp4l -S does (clock.c: with no PHC the clock is CLOCK_REALTIME, adjusted through clockadj).
            let clock = try SystemClock(steering: settings.freeRunning ? .forbidden : .allowed)
            return ClockSource(
                clock: clock, timescale: .utc, steerable: !settings.freeRunning,
                description: settings.freeRunning
                    ? "CLOCK_REALTIME (software stamps; free_running 1: read, never adjusted)"
                    : "CLOCK_REALTIME (software stamps: steered, as ptp4l -S)",
                relation: SystemClockRelation(.identity))
        }
    }
}

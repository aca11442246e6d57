import CLinuxShims
import Glibc
import PTPCore
import SystemPackage

/// `CLOCK_REALTIME` through `clock_adjtime` (linuxptp's clockadj.c), steered only when the configuration
/// says so.
///
/// Opening it with steering allowed checks `CAP_SYS_TIME` at once, so a daemon that may not steer the clock
/// fails at start-up with a clear message rather than at its first adjustment. Readings are `CLOCK_REALTIME`
/// as the kernel keeps it (UTC); the daemon applies the UTC offset.
public final class SystemClock: PTPClock {
    /// Whether the daemon may adjust the system clock.
    public enum Steering: Sendable, Hashable {
        /// Read only: steps and frequency changes are refused.
        case forbidden
        /// The servo may step and slew it (needs `CAP_SYS_TIME`).
        case allowed
    }

    /// The kernel's limit on `ADJ_FREQUENCY` (`MAXFREQ`, 500 ppm).
    public static let kernelMaxFrequency = PartsPerBillion(500_000)

    public let name = "CLOCK_REALTIME"
    public let maxFrequency = SystemClock.kernelMaxFrequency
    public let steering: Steering

    /// Opens the system clock. With `.allowed`, fails with ``ClockError/notPermitted(_:)`` when the process
    /// lacks `CAP_SYS_TIME`.
    ///
    /// The corresponding C function is `capget`.
    public init(steering: Steering) throws(ClockError) {
        if steering == .allowed {
            let has = CLinuxShims_has_capability(CLinuxShims_CAP_SYS_TIME)
            if has < 0 {
                throw .system(operation: "capget", errno: errno)
            }
            if has == 0 {
                throw .notPermitted(
                    "steering CLOCK_REALTIME needs CAP_SYS_TIME, which this process lacks; "
                        + "run as root or grant it (systemd AmbientCapabilities=CAP_SYS_TIME), "
                        + "or configure the daemon not to steer the system clock")
            }
        }
        self.steering = steering
    }

    /// The corresponding C function is `clock_gettime`.
    public func now() throws(ClockError) -> PTPInstant {
        do {
            return try readClock(CLOCK_REALTIME)
        } catch {
            throw .system(operation: "clock_gettime(CLOCK_REALTIME)", errno: error.rawValue)
        }
    }

    /// The kernel's frequency correction now in force (a read: `modes` 0 changes nothing).
    ///
    /// The corresponding C function is `clock_adjtime`.
    public func frequency() throws(ClockError) -> PartsPerBillion {
        var ppb = 0.0
        do {
            _ = try retryingSyscall { CLinuxShims_clock_get_frequency(CLOCK_REALTIME, &ppb) }
        } catch {
            throw .system(operation: "clock_adjtime(CLOCK_REALTIME)", errno: error.rawValue)
        }
        return PartsPerBillion(ppb)
    }

    /// Checks an adjustment before any syscall: the range first, then whether steering is allowed.
    func validate(frequency adjustment: PartsPerBillion) throws(ClockError) {
        guard adjustment.value.isFinite, abs(adjustment.value) <= maxFrequency.value else {
            throw .frequencyOutOfRange(requested: adjustment, limit: maxFrequency)
        }
        try requireSteering("frequency adjustment")
    }

    func requireSteering(_ what: String) throws(ClockError) {
        guard steering == .allowed else {
            throw .notPermitted(
                "\(what) of CLOCK_REALTIME refused: the configuration does not let the daemon steer the system clock")
        }
    }

    /// The corresponding C function is `clock_adjtime` with `ADJ_FREQUENCY`.
    public func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        try validate(frequency: adjustment)
        do {
            _ = try retryingSyscall { CLinuxShims_clock_set_frequency(CLOCK_REALTIME, adjustment.value) }
        } catch {
            throw .system(operation: "clock_adjtime(CLOCK_REALTIME, ADJ_FREQUENCY)", errno: error.rawValue)
        }
    }

    /// The corresponding C function is `clock_adjtime` with `ADJ_SETOFFSET`.
    public func step(by offset: PTPDuration) throws(ClockError) {
        try requireSteering("step")
        do {
            _ = try retryingSyscall { CLinuxShims_clock_step(CLOCK_REALTIME, offset.roundedNanoseconds) }
        } catch {
            throw .system(operation: "clock_adjtime(CLOCK_REALTIME, ADJ_SETOFFSET)", errno: error.rawValue)
        }
    }
}

import CLinuxShims
import Glibc
import PTPCore
import SystemPackage

extension PTPInstant {
    /// The instant a kernel `timespec` names, on the clock that produced it (no timescale conversion).
    init(_ ts: timespec) {
        self.init(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}

/// Reads a POSIX clock.
///
/// The corresponding C function is `clock_gettime`.
func readClock(_ clock: clockid_t) throws(Errno) -> PTPInstant {
    var ts = timespec()
    _ = try retryingSyscall { clock_gettime(clock, &ts) }
    return PTPInstant(ts)
}

extension PTPInstant {
    /// The instant a `struct ptp_clock_time` names (PHC ioctls and events).
    init(_ time: ptp_clock_time) {
        self.init(seconds: time.sec, nanoseconds: Int64(time.nsec))
    }
}

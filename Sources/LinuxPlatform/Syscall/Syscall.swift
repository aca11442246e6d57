import CLinuxShims
import Glibc
import SystemPackage

/// The one loop every syscall wrapper goes through (swift-system's `valueOrErrno`, NIO's `syscall`).
///
/// Calls `body` until it returns something other than -1 with `EINTR` (when `retryOnInterrupt`), and turns
/// any other failure into the `Errno` the call left behind. `errno` is read right after the call, before
/// anything else can overwrite it.
@inline(never)
func retryingSyscall<Result: FixedWidthInteger>(
    retryOnInterrupt: Bool = true,
    _ body: () -> Result
) throws(Errno) -> Result {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let error = Errno(rawValue: errno)
        if error == .interrupted && retryOnInterrupt {
            continue
        }
        throw error
    }
}

/// The monotonic clock in nanoseconds, for deadlines and timeouts (never for timestamps).
///
/// The corresponding C function is `clock_gettime` with `CLOCK_MONOTONIC`.
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

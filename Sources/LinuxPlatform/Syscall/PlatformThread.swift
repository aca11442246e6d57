import CLinuxShims
import Glibc
import SystemPackage

/// A dedicated OS thread for blocking work (poll, recvmsg, the error queue, netlink), so that blocking never
/// happens on the Swift cooperative pool (DESIGN.md, "Concurrency").
public final class PlatformThread: Sendable {
    private final class Start: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let thread: pthread_t

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Starts `body` on a new thread, named `name` when given (what `top -H` and `/proc/PID/task/*/comm` show;
    /// Linux keeps 15 bytes of it). Unnamed, a thread inherits its creator's name (a Dispatch worker's).
    ///
    /// The corresponding C functions are `pthread_create` and `pthread_setname_np` (`CLinuxShims_name_thread`).
    public static func spawn(name: String? = nil, _ body: @escaping @Sendable () -> Void) throws(Errno) -> PlatformThread {
        let start = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                start.body()
                return nil
            }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw Errno(rawValue: result)
        }
        if let name { _ = CLinuxShims_name_thread(thread, name) }
        return PlatformThread(thread: thread)
    }

    /// Pins the calling thread to one CPU (benchmarks on one core; isolating a port's receive thread).
    ///
    /// The corresponding C function is `sched_setaffinity`.
    public static func pinCurrentThread(toCPU cpu: Int) throws(Errno) {
        _ = try retryingSyscall { CLinuxShims_pin_thread_to_cpu(CInt(clamping: cpu)) }
    }

    /// Waits for the thread to finish. Call once.
    ///
    /// The corresponding C function is `pthread_join`.
    public func join() {
        pthread_join(thread, nil)
    }
}

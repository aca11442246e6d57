import Glibc
import Synchronization
import SystemPackage

/// A dedicated thread that runs blocking jobs one at a time for async callers, so that waiting for a
/// transmit stamp (or any other blocking call) never holds a thread of the cooperative pool.
///
/// A port actor sends, then awaits its stamp with
/// ``PTPTransport/transmitTimestamp(for:using:)``; the wait happens here.
public final class BlockingWorker: Sendable {
    /// The worker was stopped before the job ran.
    public struct Stopped: Error, Sendable, Hashable {}

    private final class Queue: @unchecked Sendable {
        // Guarded by `mutex`; the pointers are allocated once and never move.
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        var jobs: [@Sendable (Bool) -> Void] = []
        var stopped = false

        init() {
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            condition.deallocate()
            mutex.deallocate()
        }

        /// Adds a job; false when stopped (the job is not taken).
        func push(_ job: @escaping @Sendable (Bool) -> Void) -> Bool {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            guard !stopped else { return false }
            jobs.append(job)
            pthread_cond_signal(condition)
            return true
        }

        /// Waits for the next job; `nil` once stopped and empty.
        func pop() -> (@Sendable (Bool) -> Void)? {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while jobs.isEmpty && !stopped {
                pthread_cond_wait(condition, mutex)
            }
            return jobs.isEmpty ? nil : jobs.removeFirst()
        }

        /// Stops taking jobs and returns those not yet run.
        func stop() -> [@Sendable (Bool) -> Void] {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            stopped = true
            let pending = jobs
            jobs = []
            pthread_cond_broadcast(condition)
            return pending
        }
    }

    private let queue = Queue()
    private let thread: PlatformThread
    private let stopped = Atomic<Bool>(false)

    /// Starts the thread.
    public init() throws(Errno) {
        let queue = self.queue
        thread = try PlatformThread.spawn {
            while let job = queue.pop() {
                job(true)
            }
        }
    }

    /// Runs `body` on the worker thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(Stopped) -> T {
        let result: T? = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let accepted = queue.push { runs in
                continuation.resume(returning: runs ? body() : nil)
            }
            if !accepted {
                continuation.resume(returning: nil)
            }
        }
        guard let result else { throw Stopped() }
        return result
    }

    /// Stops the thread after the running job; jobs still queued fail with ``Stopped``. Safe to call more
    /// than once; never call it from a job.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for job in queue.stop() {
            job(false)
        }
        thread.join()
    }

    deinit {
        stop()
    }
}

extension PTPTransport {
    /// Waits for the transmit stamp of `token` on `worker`'s thread, not on the cooperative pool.
    public func transmitTimestamp(for token: TransmitToken, using worker: BlockingWorker) async throws(BlockingWorker.Stopped) -> TransmitTimestampOutcome {
        try await worker.run { self.transmitTimestamp(for: token) }
    }
}

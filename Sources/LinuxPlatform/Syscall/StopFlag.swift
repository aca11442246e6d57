import Synchronization

/// The one way a dedicated thread (``PlatformThread``) learns that it is to stop: its owner calls ``stop()``
/// from any thread; the thread's loop checks ``isStopped`` between two bounded waits. A thread that sleeps in a
/// long wait registers how to wake it (``onStop(_:)``), so its waits need no short timeout to notice the stop.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    private let wakers = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public func stop() {
        flag.store(true, ordering: .releasing)
        for wake in wakers.withLock({ $0 }) { wake() }
    }

    public var isStopped: Bool { flag.load(ordering: .acquiring) }

    /// Runs `wake` on ``stop()`` (at once when already stopped): it should make the stopping thread's wait
    /// return, e.g. ``UnixDatagramSocket/wakeReceiver()``.
    public func onStop(_ wake: @escaping @Sendable () -> Void) {
        wakers.withLock { $0.append(wake) }
        if isStopped { wake() }
    }
}

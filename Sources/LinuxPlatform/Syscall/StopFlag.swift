import Synchronization

/// The one way a dedicated thread (``PlatformThread``) learns that it is to stop: its owner calls ``stop()``
/// from any thread; the thread's loop checks ``isStopped`` between two bounded waits.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func stop() { flag.store(true, ordering: .releasing) }

    public var isStopped: Bool { flag.load(ordering: .acquiring) }
}

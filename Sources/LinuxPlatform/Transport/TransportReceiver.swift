import PTPCore
import Synchronization
import SystemPackage

/// Runs a transport's blocking receive loop on a dedicated thread and hands its events to async code
/// through an `AsyncThrowingStream` (DESIGN.md, "Concurrency": never block the cooperative pool).
///
/// Timestamps come from the kernel, so the hop to an actor adds no error. The stream ends when ``stop()``
/// is called or the transport is closed; any other transport error ends it with that error.
public final class TransportReceiver: Sendable {
    public let events: AsyncThrowingStream<TransportEvent, any Error>
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    private let stopping = Flag()
    private let thread: Mutex<PlatformThread?>

    /// Starts the thread. `bufferLimit` bounds the events held for a slow consumer (the oldest are dropped,
    /// as a full socket buffer would drop them).
    public init(transport: any PTPTransport, pollInterval: PTPDuration = .milliseconds(100), bufferLimit: Int = 4096) throws(Errno) {
        let (stream, continuation) = AsyncThrowingStream<TransportEvent, any Error>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferLimit))
        self.events = stream
        let stopping = self.stopping
        let spawned = try PlatformThread.spawn {
            while !stopping.isSet {
                let result = Result { () throws(TransportError) in try transport.nextEvent(timeout: pollInterval) }
                switch result {
                case .success(let event):
                    if let event { continuation.yield(event) }
                case .failure(.closed):
                    continuation.finish()
                    return
                case .failure(let error):
                    continuation.finish(throwing: error)
                    return
                }
            }
            continuation.finish()
        }
        self.thread = Mutex(spawned)
    }

    /// Stops the thread (within one poll interval) and ends the stream. Safe to call more than once.
    public func stop() {
        stopping.set()
        let thread = self.thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        thread?.join()
    }

    deinit {
        stop()
    }
}

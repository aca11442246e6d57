import LinuxPlatform
import PTPCore

/// The thread of a reference whose edges come from a device (kernel PPS, PHC external timestamps): started
/// and stopped with gpsd's time of day, it waits for edges, labels each with its second from gpsd
/// (``GPSDTimeOfDay``) and emits the sample, until stopped or the device fails.
final class EdgeReferenceThread: Sendable {
    let timeOfDay: GPSDTimeOfDay
    private let onEvent: @Sendable (ReferenceEvent) -> Void
    private let stopping = StopFlag()
    private let thread = Locked<PlatformThread?>(nil)

    init(gpsdHost: String, gpsdPort: String, onEvent: @escaping @Sendable (ReferenceEvent) -> Void) {
        self.onEvent = onEvent
        timeOfDay = GPSDTimeOfDay(host: gpsdHost, port: gpsdPort, onEvent: onEvent)
    }

    /// Starts gpsd's client and a thread running `body` (which calls ``run(devicePath:nextEdge:)``); if the
    /// thread cannot start, stops the client again and throws, naming the thread `what`.
    func start(_ what: String, body: @escaping @Sendable () -> Void) throws(ReferenceError) {
        timeOfDay.client.start()
        do {
            let spawned = try PlatformThread.spawn(name: "meridian-ref", body)
            thread.withLock { $0 = spawned }
        } catch {
            timeOfDay.client.stop()
            throw ReferenceError("cannot start the \(what) thread: \(error)")
        }
    }

    /// Stops and joins the thread, then gpsd's client.
    func stop() {
        stopping.stop()
        let handle: PlatformThread? = thread.withLock { handle in
            defer { handle = nil }
            return handle
        }
        handle?.join()
        timeOfDay.client.stop()
    }

    /// The loop, on the thread: until stopped, `nextEdge` waits for the next edge and returns it on the
    /// disciplined clock with the system time to label it by (`nil` when none came or it is to be skipped).
    /// An error from it emits `.disconnected` naming `devicePath` and ends the loop.
    func run(devicePath: String, nextEdge: () throws(ClockError) -> (edge: PTPInstant, system: PTPInstant)?) {
        while !stopping.isStopped {
            let next: (edge: PTPInstant, system: PTPInstant)?
            do {
                next = try nextEdge()
            } catch {
                onEvent(.disconnected(reason: "\(devicePath): \(error)"))
                return
            }
            guard let next else { continue }
            onEvent(timeOfDay.sample(edge: next.edge, system: next.system))
        }
    }
}

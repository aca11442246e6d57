import LinuxPlatform
import PTPCore
import Synchronization

/// `reference pps`: assert edges of a kernel PPS device (`pps_device`, `/dev/ppsN`), timestamped by the
/// kernel on the system clock, labelled with their second from gpsd's time of day (``TimeOfDayLabeller``).
/// `systemToClock` turns the kernel's stamp into the disciplined clock's time.
public final class KernelPPSReference: ReferenceSource {
    public let name: String
    public let devicePath: String
    private let timeOfDay: GPSDTimeOfDay
    private let systemToClock: @Sendable (PTPInstant) -> PTPInstant
    private let onEvent: @Sendable (ReferenceEvent) -> Void
    private let stopping = Atomic<Bool>(false)
    private let thread = Locked<PlatformThread?>(nil)

    public init(devicePath: String, gpsdHost: String, gpsdPort: String,
                systemToClock: @escaping @Sendable (PTPInstant) -> PTPInstant,
                onEvent: @escaping @Sendable (ReferenceEvent) -> Void) {
        name = "pps \(devicePath)"
        self.devicePath = devicePath
        self.systemToClock = systemToClock
        self.onEvent = onEvent
        timeOfDay = GPSDTimeOfDay(host: gpsdHost, port: gpsdPort, onEvent: onEvent)
    }

    /// Opens the device and asks for assert edges; throws when it is missing or cannot capture them.
    public func start() throws(ReferenceError) {
        let device: PPSDevice
        do {
            device = try PPSDevice(path: devicePath)
            try device.configure(capturing: .captureAssert)
        } catch {
            throw ReferenceError("pps_device \(devicePath): \(error) (is the pps-gpio or pps-ldisc driver loaded?)")
        }
        timeOfDay.client.start()
        do {
            let spawned = try PlatformThread.spawn { [self] in run(device) }
            thread.withLock { $0 = spawned }
        } catch {
            timeOfDay.client.stop()
            throw ReferenceError("cannot start the PPS thread: \(error)")
        }
    }

    public func stop() {
        stopping.store(true, ordering: .releasing)
        let handle: PlatformThread? = thread.withLock { handle in
            defer { handle = nil }
            return handle
        }
        handle?.join()
        timeOfDay.client.stop()
    }

    private func run(_ device: PPSDevice) {
        defer { device.close() }
        var lastSequence: UInt32?
        while !stopping.load(ordering: .acquiring) {
            let event: PPSEvent?
            do {
                event = try device.fetch(timeout: .milliseconds(500))
            } catch {
                onEvent(.disconnected(reason: "\(devicePath): \(error)"))
                return
            }
            guard let event, let assert = event.assertTime, event.assertSequence != lastSequence else { continue }
            lastSequence = event.assertSequence
            onEvent(timeOfDay.sample(edge: systemToClock(assert), system: assert))
        }
    }
}

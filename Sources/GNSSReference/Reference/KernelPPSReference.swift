import LinuxPlatform
import PTPCore

/// `reference pps`: assert edges of a kernel PPS device (`pps_device`, `/dev/ppsN`), timestamped by the
/// kernel on the system clock, labelled with their second from gpsd's time of day (``TimeOfDayLabeller``).
/// `systemToClock` turns the kernel's stamp into the disciplined clock's time.
public final class KernelPPSReference: ReferenceSource {
    public let name: String
    public let devicePath: String
    private let systemToClock: @Sendable (PTPInstant) -> PTPInstant
    private let thread: EdgeReferenceThread

    public init(
        devicePath: String, gpsdHost: String, gpsdPort: String,
        systemToClock: @escaping @Sendable (PTPInstant) -> PTPInstant,
        onEvent: @escaping @Sendable (ReferenceEvent) -> Void
    ) {
        name = "pps \(devicePath)"
        self.devicePath = devicePath
        self.systemToClock = systemToClock
        thread = EdgeReferenceThread(gpsdHost: gpsdHost, gpsdPort: gpsdPort, onEvent: onEvent)
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
        try thread.start("PPS") { [self] in run(device) }
    }

    public func stop() {
        thread.stop()
    }

    private func run(_ device: PPSDevice) {
        defer { device.close() }
        var lastSequence: UInt32?
        thread.run(devicePath: devicePath) { () throws(ClockError) in
            guard let event = try device.fetch(timeout: .milliseconds(500)), let assert = event.assertTime,
                event.assertSequence != lastSequence
            else { return nil }
            lastSequence = event.assertSequence
            return (systemToClock(assert), assert)
        }
    }
}

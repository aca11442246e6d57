import LinuxPlatform
import PTPCore
import Synchronization

/// `reference extts`: the receiver's PPS wired into a NIC pin and timestamped by its PHC
/// (`PTP_EXTTS_REQUEST`), labelled with the second from gpsd's time of day — ts2phc's design, in process.
/// Options as ts2phc names them: `pin_index`, `extts_polarity`, `extts_correction`, and the channel.
///
/// The edge is on the PHC's timescale; `phcToClock` maps it to the disciplined clock (the identity when the
/// PHC is that clock). The label uses the system time the timestamp was read at.
public final class PHCExternalTimestampReference: ReferenceSource {
    public let name: String
    public let devicePath: String
    public let pinIndex: UInt32
    public let channel: UInt32
    private let filter: Locked<ExternalTimestampFilter>
    private let timeOfDay: GPSDTimeOfDay
    private let phcToClock: @Sendable (PTPInstant) -> PTPInstant
    private let onEvent: @Sendable (ReferenceEvent) -> Void
    private let stopping = Atomic<Bool>(false)
    private let thread = Locked<PlatformThread?>(nil)

    public init(devicePath: String, pinIndex: UInt32, channel: UInt32, polarity: ExternalTimestampFilter.Polarity,
                correction: PTPDuration, gpsdHost: String, gpsdPort: String,
                phcToClock: @escaping @Sendable (PTPInstant) -> PTPInstant = { $0 },
                onEvent: @escaping @Sendable (ReferenceEvent) -> Void) {
        name = "extts \(devicePath) pin \(pinIndex)"
        self.devicePath = devicePath
        self.pinIndex = pinIndex
        self.channel = channel
        filter = Locked(ExternalTimestampFilter(polarity: polarity, correction: correction))
        self.phcToClock = phcToClock
        self.onEvent = onEvent
        timeOfDay = GPSDTimeOfDay(host: gpsdHost, port: gpsdPort, onEvent: onEvent)
    }

    /// Opens the PHC, gives the pin the external-timestamp function and enables the channel.
    public func start() throws(ReferenceError) {
        let phc: PHCClock
        do {
            phc = try PHCClock(path: devicePath)
        } catch {
            throw ReferenceError("clock_device \(devicePath): \(error) (reference extts needs a PTP hardware clock with an input pin)")
        }
        let edges = filter.withLock { $0.edges }
        do {
            // As ts2phc: only clocks with programmable pins get PTP_PIN_SETFUNC; others have fixed inputs.
            if phc.capabilities.pins > 0 {
                guard pinIndex < UInt32(phc.capabilities.pins) else {
                    throw ClockError.unavailable("\(devicePath) has \(phc.capabilities.pins) pins; pin_index \(pinIndex) does not exist")
                }
                try phc.setPinFunction(pin: pinIndex, function: .externalTimestamp, channel: channel)
            }
            try phc.setExternalTimestamps(channel: channel, edges: edges, enabled: true)
        } catch {
            phc.close()
            throw ReferenceError("\(devicePath) pin_index \(pinIndex) channel \(channel): \(error)")
        }
        timeOfDay.client.start()
        do {
            let spawned = try PlatformThread.spawn { [self] in run(phc) }
            thread.withLock { $0 = spawned }
        } catch {
            timeOfDay.client.stop()
            throw ReferenceError("cannot start the external timestamp thread: \(error)")
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

    private func run(_ phc: PHCClock) {
        defer {
            try? phc.setExternalTimestamps(channel: channel, enabled: false)
            phc.close()
        }
        while !stopping.load(ordering: .acquiring) {
            let stamp: ExternalTimestamp?
            do {
                stamp = try phc.nextExternalTimestamp(timeout: .milliseconds(500))
            } catch {
                onEvent(.disconnected(reason: "\(devicePath): \(error)"))
                return
            }
            let arrival = systemNow()
            guard let stamp, stamp.channel == channel, let edge = filter.withLock({ $0.edge(stamp.time) }) else { continue }
            onEvent(timeOfDay.sample(edge: phcToClock(edge), system: arrival))
        }
    }
}

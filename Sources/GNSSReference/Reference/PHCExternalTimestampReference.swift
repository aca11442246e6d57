import LinuxPlatform
import PTPCore

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
    private let phcToClock: @Sendable (PTPInstant) -> PTPInstant
    private let thread: EdgeReferenceThread

    public init(
        devicePath: String, pinIndex: UInt32, channel: UInt32, polarity: ExternalTimestampFilter.Polarity,
        correction: PTPDuration, gpsdHost: String, gpsdPort: String,
        phcToClock: @escaping @Sendable (PTPInstant) -> PTPInstant = { $0 },
        onEvent: @escaping @Sendable (ReferenceEvent) -> Void
    ) {
        name = "extts \(devicePath) pin \(pinIndex)"
        self.devicePath = devicePath
        self.pinIndex = pinIndex
        self.channel = channel
        filter = Locked(ExternalTimestampFilter(polarity: polarity, correction: correction))
        self.phcToClock = phcToClock
        thread = EdgeReferenceThread(gpsdHost: gpsdHost, gpsdPort: gpsdPort, onEvent: onEvent)
    }

    /// Opens the PHC, gives the pin the external-timestamp function and enables the channel.
    public func start() throws(ReferenceError) {
        let phc: PHCClock
        do {
            phc = try PHCClock(path: devicePath)
        } catch {
            throw ReferenceError(
                "clock_device \(devicePath): \(error) (reference extts needs a PTP hardware clock with an input pin)")
        }
        let edges = filter.withLock { $0.edges }
        do {
            // As ts2phc: only clocks with programmable pins get PTP_PIN_SETFUNC; others have fixed inputs.
            if phc.capabilities.pins > 0 {
                guard pinIndex < UInt32(phc.capabilities.pins) else {
                    throw ClockError.unavailable(
                        "\(devicePath) has \(phc.capabilities.pins) pins; pin_index \(pinIndex) does not exist")
                }
                try phc.setPinFunction(pin: pinIndex, function: .externalTimestamp, channel: channel)
            }
            try phc.setExternalTimestamps(channel: channel, edges: edges, enabled: true)
        } catch {
            phc.close()
            throw ReferenceError("\(devicePath) pin_index \(pinIndex) channel \(channel): \(error)")
        }
        try thread.start("external timestamp") { [self] in run(phc) }
    }

    public func stop() {
        thread.stop()
    }

    private func run(_ phc: PHCClock) {
        defer {
            try? phc.setExternalTimestamps(channel: channel, enabled: false)
            phc.close()
        }
        thread.run(devicePath: devicePath) { () throws(ClockError) in
            let stamp = try phc.nextExternalTimestamp(timeout: .milliseconds(500))
            let arrival = systemNow()
            guard let stamp, stamp.channel == channel, let edge = filter.withLock({ $0.edge(stamp.time) }) else { return nil }
            return (phcToClock(edge), arrival)
        }
    }
}

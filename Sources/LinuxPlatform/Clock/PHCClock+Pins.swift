import CLinuxShims
import Glibc
import PTPCore
import SystemPackage

extension PHCClock {
    /// What a PHC pin does (`enum ptp_pin_function`).
    public enum PinFunction: UInt32, Sendable, Hashable {
        case none = 0
        case externalTimestamp = 1
        case periodicOutput = 2
        case physicalSync = 3
    }

    /// Assigns a function and channel to a pin (on NICs whose pins are programmable, e.g. the i210's SDPs).
    ///
    /// The corresponding C function is `ioctl(PTP_PIN_SETFUNC)`.
    public func setPinFunction(pin: UInt32, function: PinFunction, channel: UInt32) throws(ClockError) {
        do {
            try device.setPinFunction(pin: pin, function: function.rawValue, channel: channel)
        } catch {
            throw failure("ioctl(PTP_PIN_SETFUNC pin \(pin))", error)
        }
    }

    /// Enables or disables timestamping of edges on an external-timestamp channel.
    ///
    /// The corresponding C function is `ioctl(PTP_EXTTS_REQUEST)`.
    public func setExternalTimestamps(channel: UInt32, edges: ExternalTimestamp.Edges = .rising, enabled: Bool) throws(ClockError)
    {
        guard channel < UInt32(max(0, capabilities.externalTimestampChannels)) else {
            throw .unavailable(
                "\(path) has \(capabilities.externalTimestampChannels) external timestamp channels; channel \(channel) does not exist"
            )
        }
        var request = ExternalTimestamp.request(channel: channel, edges: edges, enable: enabled)
        let fd = try pinDescriptor("ioctl(PTP_EXTTS_REQUEST)")
        do {
            _ = try retryingSyscall { CLinuxShims_ptp_extts_request(fd.rawValue, &request) }
        } catch {
            throw failure("ioctl(PTP_EXTTS_REQUEST channel \(channel))", error)
        }
    }

    /// Waits up to `timeout` for the next external timestamp; `nil` when none came. Blocking: call it from a
    /// dedicated thread.
    ///
    /// The corresponding C functions are `poll` and `read`.
    public func nextExternalTimestamp(timeout: PTPDuration) throws(ClockError) -> ExternalTimestamp? {
        let descriptor = try pinDescriptor("read(external timestamp)")
        var pfd = pollfd(fd: descriptor.rawValue, events: CShort(POLLIN), revents: 0)
        let milliseconds = CInt(clamping: max(0, timeout.nanoseconds / 1_000_000))
        do {
            let ready = try retryingSyscall { poll(&pfd, 1, milliseconds) }
            guard ready > 0 else { return nil }
            var event = ptp_extts_event()
            let size = MemoryLayout<ptp_extts_event>.size
            let n = try retryingSyscall { read(descriptor.rawValue, &event, size) }
            guard n == size else { return nil }
            return ExternalTimestamp(event)
        } catch {
            throw failure("read(external timestamp)", error)
        }
    }

    /// Starts (or, with a zero period, stops) a periodic output such as 1 PPS.
    ///
    /// The corresponding C function is `ioctl(PTP_PEROUT_REQUEST)`.
    public func setPeriodicOutput(_ output: PeriodicOutput) throws(ClockError) {
        guard output.channel < UInt32(max(0, capabilities.periodicOutputs)) else {
            throw .unavailable(
                "\(path) has \(capabilities.periodicOutputs) periodic outputs; channel \(output.channel) does not exist")
        }
        do {
            try device.periodicOutput(output.cValue)
        } catch {
            throw failure("ioctl(PTP_PEROUT_REQUEST channel \(output.channel))", error)
        }
    }
}

extension PHCClock {
    /// The front panel's 1 PPS: programs `pin` (when given) for periodic output on `channel`, then asks for a
    /// 1 s period whose first edge is a whole second of this PHC two seconds ahead, so every edge marks a
    /// second of the disciplined clock (ts2phc's and phc_ctl's way). Returns what was requested.
    ///
    /// The corresponding C functions are `ioctl(PTP_PIN_SETFUNC)` and `ioctl(PTP_PEROUT_REQUEST)`.
    @discardableResult
    public func startPulsePerSecond(channel: UInt32, pin: UInt32?) throws(ClockError) -> PeriodicOutput {
        if let pin {
            guard pin < UInt32(max(0, capabilities.pins)) else {
                throw .unavailable("\(path) has \(capabilities.pins) programmable pins; pin \(pin) does not exist")
            }
            try setPinFunction(pin: pin, function: .periodicOutput, channel: channel)
        }
        let output = PeriodicOutput.pulsePerSecond(channel: channel, after: try now())
        try setPeriodicOutput(output)
        return output
    }
}

import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A PTP hardware clock, `/dev/ptpN` (linuxptp's phc.c and clockadj.c), or the lab's emulation of one.
///
/// Read with `clock_gettime` on its dynamic clock id, stepped with `ADJ_SETOFFSET`, slewed with
/// `ADJ_FREQUENCY` up to the driver's `max_adj`. Its relation to the system clock is in
/// ``systemOffset(samples:)``; external timestamps and periodic outputs are in `PHCClock+Pins.swift`.
/// Everything goes through a ``PHCDevice``, so an emulated PHC (`virtual_clock_mode phc`) and injected
/// ioctls in unit tests run exactly this code.
public final class PHCClock: PTPClock {
    public let device: any PHCDevice
    public var path: String { device.path }
    public var name: String { device.path }
    public let capabilities: PHCCapabilities
    public let maxFrequency: PartsPerBillion
    /// The sys-offset ioctl that last worked (phc2sys probes once and keeps it): precise, extended, basic.
    private let offsetMethod: Atomic<Int>

    /// Opens the clock and reads its capabilities.
    ///
    /// The corresponding C functions are `open` and `ioctl(PTP_CLOCK_GETCAPS)`.
    public convenience init(path: String) throws(ClockError) {
        try self.init(device: try KernelPHCDevice(path: path))
    }

    /// Reads the capabilities of an opened device (closing it when it is not a PHC).
    public init(device: any PHCDevice) throws(ClockError) {
        let caps: PHCCapabilities
        do {
            caps = try device.capabilities()
        } catch {
            device.close()
            if error == .inappropriateIOCTLForDevice {
                throw .unavailable("\(device.path) is not a PTP hardware clock (PTP_CLOCK_GETCAPS refused)")
            }
            throw .system(operation: "ioctl(\(device.path), PTP_CLOCK_GETCAPS)", errno: error.rawValue)
        }
        self.device = device
        self.capabilities = caps
        self.maxFrequency = PartsPerBillion(Double(caps.maxAdjustment))
        self.offsetMethod = Atomic(caps.crossTimestamping ? 0 : 1)
    }

    /// Opens `/dev/ptp<index>`.
    public convenience init(index: Int32) throws(ClockError) {
        try self.init(path: "/dev/ptp\(index)")
    }

    /// Opens the PHC of a network interface, found with `ETHTOOL_GET_TS_INFO`.
    public static func forInterface(_ interface: String) throws(ClockError) -> PHCClock {
        let capabilities: TimestampingCapabilities
        do {
            capabilities = try TimestampingCapabilities.query(interface)
        } catch {
            throw .unavailable("\(interface): cannot ask for its PTP hardware clock: \(error)")
        }
        guard let index = capabilities.phcIndex else {
            throw .unavailable("\(interface) has no PTP hardware clock (\(capabilities.summary))")
        }
        return try PHCClock(index: index)
    }

    deinit {
        close()
    }

    public func close() {
        device.close()
    }

    /// The descriptor for pin ioctls; an emulated PHC has no pins.
    func pinDescriptor(_ operation: String) throws(ClockError) -> FileDescriptor {
        guard let descriptor = device.descriptor else {
            throw .unavailable("\(path): \(operation) needs a real PTP hardware clock (this one is emulated)")
        }
        return descriptor
    }

    func failure(_ operation: String, _ error: Errno) -> ClockError {
        if error == .notPermitted || error == .permissionDenied {
            return .notPermitted("\(path): \(operation) not permitted (needs CAP_SYS_TIME or write access)")
        }
        if error == .notSupported || error == .operationNotSupportedByDevice || error == .inappropriateIOCTLForDevice {
            return .unavailable("\(path): \(operation) not supported by this clock's driver")
        }
        return .system(operation: "\(operation) on \(path)", errno: error.rawValue)
    }

    /// The corresponding C function is `clock_gettime`.
    public func now() throws(ClockError) -> PTPInstant {
        do {
            return try device.readTime()
        } catch {
            throw failure("clock_gettime", error)
        }
    }

    /// The corresponding C function is `clock_adjtime` (read only).
    public func frequency() throws(ClockError) -> PartsPerBillion {
        do {
            return PartsPerBillion(try device.readFrequency())
        } catch {
            throw failure("clock_adjtime", error)
        }
    }

    /// Refuses adjustments beyond the driver's `max_adj` rather than letting the kernel answer `ERANGE`.
    ///
    /// The corresponding C function is `clock_adjtime` with `ADJ_FREQUENCY`.
    public func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        guard adjustment.value.isFinite, abs(adjustment.value) <= maxFrequency.value else {
            throw .frequencyOutOfRange(requested: adjustment, limit: maxFrequency)
        }
        do {
            try device.setFrequency(ppb: adjustment.value)
        } catch {
            throw failure("clock_adjtime(ADJ_FREQUENCY)", error)
        }
    }

    /// The corresponding C function is `clock_adjtime` with `ADJ_SETOFFSET`.
    public func step(by offset: PTPDuration) throws(ClockError) {
        do {
            try device.setOffset(nanoseconds: offset.roundedNanoseconds)
        } catch {
            throw failure("clock_adjtime(ADJ_SETOFFSET)", error)
        }
    }

    /// Whether a sys-offset failure means "this driver lacks that ioctl; try the next one".
    static func isUnsupported(_ error: Errno) -> Bool {
        error == .notSupported || error == .operationNotSupportedByDevice || error == .inappropriateIOCTLForDevice
            || error == .notSupportedOnSocket || error == .invalidArgument
    }

    /// PHC − system time, measured the best way the driver offers (phc2sys's order, `sysoff.c`):
    /// `PTP_SYS_OFFSET_PRECISE` when the capabilities say it can cross-timestamp, else
    /// `PTP_SYS_OFFSET_EXTENDED`, else `PTP_SYS_OFFSET`; of `samples` (clamped to 1...25) reads the one with
    /// the narrowest system-time window is used, and that window is the measurement's uncertainty
    /// (``PHCSystemOffset/delay``). A method the driver refuses as unsupported is not tried again.
    public func systemOffset(samples: Int = 5) throws(ClockError) -> PHCSystemOffset {
        let count = min(max(samples, 1), Int(PTP_MAX_SAMPLES))
        while true {
            let method = offsetMethod.load(ordering: .relaxed)
            let name = ["PTP_SYS_OFFSET_PRECISE", "PTP_SYS_OFFSET_EXTENDED", "PTP_SYS_OFFSET"][min(max(method, 0), 2)]
            let outcome = Result { () throws(Errno) -> PHCSystemOffset? in
                switch method {
                case 0: return PHCSystemOffset.estimate([try device.systemOffsetPrecise()], method: .precise)
                case 1: return PHCSystemOffset.estimate(try device.systemOffsetExtended(samples: count), method: .extended)
                default: return PHCSystemOffset.estimate(try device.systemOffsetBasic(samples: count), method: .basic)
                }
            }
            switch outcome {
            case .success(let estimate?):
                return estimate
            case .success(nil):
                throw .system(operation: "\(name) on \(path) returned no usable sample", errno: 0)
            case .failure(let error):
                guard Self.isUnsupported(error), method < 2 else {
                    throw failure("ioctl(\(name))", error)
                }
                offsetMethod.store(method + 1, ordering: .relaxed)
            }
        }
    }
}

import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A PTP hardware clock, `/dev/ptpN` (linuxptp's phc.c and clockadj.c).
///
/// Read with `clock_gettime` on its dynamic clock id, stepped with `ADJ_SETOFFSET`, slewed with
/// `ADJ_FREQUENCY` up to the driver's `max_adj`. Its offset from the system clock, external timestamps and
/// periodic outputs are in `PHCClock+Pins.swift` and `PHCClock+SystemOffset.swift`.
public final class PHCClock: PTPClock {
    public let path: String
    public var name: String { path }
    public let capabilities: PHCCapabilities
    public let maxFrequency: PartsPerBillion
    let descriptor: FileDescriptor
    let clockID: clockid_t
    private let closed = Atomic<Bool>(false)

    /// Opens the clock and reads its capabilities.
    ///
    /// The corresponding C functions are `open` and `ioctl(PTP_CLOCK_GETCAPS)`.
    public init(path: String) throws(ClockError) {
        let fd = try DeviceFile.open(path, kind: "PTP hardware clock", writable: true)
        var caps = ptp_clock_caps()
        let result = Result { () throws(Errno) in try retryingSyscall { CLinuxShims_ptp_get_caps(fd.rawValue, &caps) } }
        if case .failure(let error) = result {
            try? fd.close()
            if error == .inappropriateIOCTLForDevice {
                throw .unavailable("\(path) is not a PTP hardware clock (PTP_CLOCK_GETCAPS refused)")
            }
            throw .system(operation: "ioctl(\(path), PTP_CLOCK_GETCAPS)", errno: error.rawValue)
        }
        self.path = path
        self.descriptor = fd
        self.clockID = CLinuxShims_FD_TO_CLOCKID(fd.rawValue)
        self.capabilities = PHCCapabilities(caps)
        self.maxFrequency = PartsPerBillion(Double(caps.max_adj))
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
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? descriptor.close()
        }
    }

    func failure(_ operation: String, _ error: Errno) -> ClockError {
        if error == .notPermitted || error == .permissionDenied {
            return .notPermitted("\(path): \(operation) not permitted (needs CAP_SYS_TIME or write access)")
        }
        return .system(operation: "\(operation) on \(path)", errno: error.rawValue)
    }

    /// The corresponding C function is `clock_gettime`.
    public func now() throws(ClockError) -> PTPInstant {
        do {
            return try readClock(clockID)
        } catch {
            throw failure("clock_gettime", error)
        }
    }

    /// The corresponding C function is `clock_adjtime` (read only).
    public func frequency() throws(ClockError) -> PartsPerBillion {
        var ppb = 0.0
        do {
            _ = try retryingSyscall { CLinuxShims_clock_get_frequency(clockID, &ppb) }
        } catch {
            throw failure("clock_adjtime", error)
        }
        return PartsPerBillion(ppb)
    }

    /// Refuses adjustments beyond the driver's `max_adj` rather than letting the kernel answer `ERANGE`.
    ///
    /// The corresponding C function is `clock_adjtime` with `ADJ_FREQUENCY`.
    public func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        guard adjustment.value.isFinite, abs(adjustment.value) <= maxFrequency.value else {
            throw .frequencyOutOfRange(requested: adjustment, limit: maxFrequency)
        }
        do {
            _ = try retryingSyscall { CLinuxShims_clock_set_frequency(clockID, adjustment.value) }
        } catch {
            throw failure("clock_adjtime(ADJ_FREQUENCY)", error)
        }
    }

    /// The corresponding C function is `clock_adjtime` with `ADJ_SETOFFSET`.
    public func step(by offset: PTPDuration) throws(ClockError) {
        do {
            _ = try retryingSyscall { CLinuxShims_clock_step(clockID, offset.roundedNanoseconds) }
        } catch {
            throw failure("clock_adjtime(ADJ_SETOFFSET)", error)
        }
    }
}

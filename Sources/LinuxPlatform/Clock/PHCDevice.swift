import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// The whole surface of a PTP hardware clock as the kernel offers it: `PTP_CLOCK_GETCAPS`, `clock_gettime`
/// and `clock_adjtime` on its dynamic clock id, and the three ways to relate it to `CLOCK_REALTIME`
/// (`PTP_SYS_OFFSET_PRECISE`, `PTP_SYS_OFFSET_EXTENDED`, `PTP_SYS_OFFSET`).
///
/// ``PHCClock`` is written against this protocol only, so the same code drives a real `/dev/ptpN`
/// (``KernelPHCDevice``), the lab's emulated PHC (``EmulatedPHCDevice``, `virtual_clock_mode phc`) and the
/// unit tests' injected ioctls. Errors are the `errno` the kernel would give.
public protocol PHCDevice: AnyObject, Sendable {
    /// `/dev/ptpN`, or the emulation's name.
    var path: String { get }
    /// The descriptor for pin, external-timestamp and periodic-output ioctls; nil on an emulation.
    var descriptor: FileDescriptor? { get }
    /// `ioctl(PTP_CLOCK_GETCAPS)`.
    func capabilities() throws(Errno) -> PHCCapabilities
    /// `clock_gettime` on the PHC.
    func readTime() throws(Errno) -> PTPInstant
    /// `clock_adjtime` with `modes` 0: the frequency adjustment in force, in ppb.
    func readFrequency() throws(Errno) -> Double
    /// `clock_adjtime` with `ADJ_FREQUENCY`.
    func setFrequency(ppb: Double) throws(Errno)
    /// `clock_adjtime` with `ADJ_SETOFFSET | ADJ_NANO`.
    func setOffset(nanoseconds: Int64) throws(Errno)
    /// `ioctl(PTP_SYS_OFFSET_PRECISE)`: one cross-timestamp, PHC and system time latched together (its
    /// window is zero: `systemBefore == systemAfter`).
    func systemOffsetPrecise() throws(Errno) -> PHCSystemOffset.Sample
    /// `ioctl(PTP_SYS_OFFSET_EXTENDED)` with `samples` samples.
    func systemOffsetExtended(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample]
    /// `ioctl(PTP_SYS_OFFSET)` with `samples` samples.
    func systemOffsetBasic(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample]
    /// `ioctl(PTP_PIN_SETFUNC)`: pin `pin` to `function` (`enum ptp_pin_function`) on `channel`.
    func setPinFunction(pin: UInt32, function: UInt32, channel: UInt32) throws(Errno)
    /// `ioctl(PTP_PEROUT_REQUEST)`.
    func periodicOutput(_ request: ptp_perout_request) throws(Errno)
    func close()
}

/// A real PHC: `/dev/ptpN` opened read-write, its dynamic clock id (`FD_TO_CLOCKID`).
public final class KernelPHCDevice: PHCDevice {
    public let path: String
    let fd: FileDescriptor
    let clockID: clockid_t
    private let closed = Atomic<Bool>(false)

    /// The corresponding C function is `open`.
    public init(path: String) throws(ClockError) {
        self.fd = try DeviceFile.open(path, kind: "PTP hardware clock", writable: true)
        self.path = path
        self.clockID = CLinuxShims_FD_TO_CLOCKID(fd.rawValue)
    }

    deinit { close() }

    public var descriptor: FileDescriptor? { fd }

    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? fd.close()
        }
    }

    public func capabilities() throws(Errno) -> PHCCapabilities {
        var caps = ptp_clock_caps()
        _ = try retryingSyscall { CLinuxShims_ptp_get_caps(fd.rawValue, &caps) }
        return PHCCapabilities(caps)
    }

    public func readTime() throws(Errno) -> PTPInstant {
        try readClock(clockID)
    }

    public func readFrequency() throws(Errno) -> Double {
        var ppb = 0.0
        _ = try retryingSyscall { CLinuxShims_clock_get_frequency(clockID, &ppb) }
        return ppb
    }

    public func setFrequency(ppb: Double) throws(Errno) {
        _ = try retryingSyscall { CLinuxShims_clock_set_frequency(clockID, ppb) }
    }

    public func setOffset(nanoseconds: Int64) throws(Errno) {
        _ = try retryingSyscall { CLinuxShims_clock_step(clockID, nanoseconds) }
    }

    public func systemOffsetPrecise() throws(Errno) -> PHCSystemOffset.Sample {
        var precise = ptp_sys_offset_precise()
        _ = try retryingSyscall { CLinuxShims_ptp_sys_offset_precise(fd.rawValue, &precise) }
        let system = PTPInstant(precise.sys_realtime)
        return PHCSystemOffset.Sample(systemBefore: system, phc: PTPInstant(precise.device), systemAfter: system)
    }

    public func systemOffsetExtended(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        var extended = ptp_sys_offset_extended()
        extended.n_samples = UInt32(min(max(samples, 1), Int(PTP_MAX_SAMPLES)))
        _ = try retryingSyscall { CLinuxShims_ptp_sys_offset_extended(fd.rawValue, &extended) }
        return PHCSystemOffset.samples(extended)
    }

    public func setPinFunction(pin: UInt32, function: UInt32, channel: UInt32) throws(Errno) {
        var desc = ptp_pin_desc()
        desc.index = pin
        desc.func = function
        desc.chan = channel
        _ = try retryingSyscall { CLinuxShims_ptp_pin_setfunc(fd.rawValue, &desc) }
    }

    public func periodicOutput(_ request: ptp_perout_request) throws(Errno) {
        var request = request
        _ = try retryingSyscall { CLinuxShims_ptp_perout_request(fd.rawValue, &request) }
    }

    public func systemOffsetBasic(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        var basic = ptp_sys_offset()
        basic.n_samples = UInt32(min(max(samples, 1), Int(PTP_MAX_SAMPLES)))
        _ = try retryingSyscall { CLinuxShims_ptp_sys_offset(fd.rawValue, &basic) }
        return PHCSystemOffset.samples(basic)
    }
}

import CLinuxShims
import PTPCore

/// The offset of a PHC from the system clock, measured by the kernel (`PTP_SYS_OFFSET_PRECISE` on drivers
/// that cross-timestamp, `PTP_SYS_OFFSET_EXTENDED`, or `PTP_SYS_OFFSET` on older drivers): phc2sys's
/// measurement, and the one relation between a PHC and `CLOCK_REALTIME` the daemon uses (reference stamps,
/// feeds).
public struct PHCSystemOffset: Sendable, Hashable {
    /// Which ioctl measured it.
    public enum Method: Sendable, Hashable {
        /// `PTP_SYS_OFFSET_PRECISE`: a hardware cross-timestamp (window zero).
        case precise
        /// `PTP_SYS_OFFSET_EXTENDED`: system reads taken by the driver right around the PHC read.
        case extended
        /// `PTP_SYS_OFFSET`: system reads taken by the core around the driver call (wider windows).
        case basic
    }

    /// One sample: system time before, PHC time, system time after.
    public struct Sample: Sendable, Hashable {
        public var systemBefore: PTPInstant
        public var phc: PTPInstant
        public var systemAfter: PTPInstant

        public init(systemBefore: PTPInstant, phc: PTPInstant, systemAfter: PTPInstant) {
            self.systemBefore = systemBefore
            self.phc = phc
            self.systemAfter = systemAfter
        }
    }

    /// PHC − system time.
    public var offset: PTPDuration
    /// The width of the system-time window of the sample used (the measurement's uncertainty).
    public var delay: PTPDuration
    /// The system time the offset refers to (the window's middle).
    public var systemTime: PTPInstant
    public var method: Method

    public init(offset: PTPDuration, delay: PTPDuration, systemTime: PTPInstant, method: Method) {
        self.offset = offset
        self.delay = delay
        self.systemTime = systemTime
        self.method = method
    }

    /// The estimate from the sample with the narrowest window (as phc2sys does); `nil` when no sample is
    /// usable (an empty list, or windows that run backwards).
    public static func estimate(_ samples: [Sample], method: Method) -> PHCSystemOffset? {
        let usable = samples.filter { $0.systemAfter >= $0.systemBefore }
        guard let best = usable.min(by: { ($0.systemAfter - $0.systemBefore) < ($1.systemAfter - $1.systemBefore) }) else {
            return nil
        }
        let delay = best.systemAfter - best.systemBefore
        let middle = best.systemBefore + delay / 2
        return PHCSystemOffset(offset: best.phc - middle, delay: delay, systemTime: middle, method: method)
    }

    /// The samples of a filled `struct ptp_sys_offset_extended`: `ts[i][0..2]`.
    public static func samples(_ data: ptp_sys_offset_extended) -> [Sample] {
        withUnsafePointer(to: data) { pointer in
            (0..<Int32(min(data.n_samples, UInt32(PTP_MAX_SAMPLES)))).map { i in
                Sample(
                    systemBefore: PTPInstant(CLinuxShims_ptp_sys_offset_extended_slot(pointer, i, 0)),
                    phc: PTPInstant(CLinuxShims_ptp_sys_offset_extended_slot(pointer, i, 1)),
                    systemAfter: PTPInstant(CLinuxShims_ptp_sys_offset_extended_slot(pointer, i, 2)))
            }
        }
    }

    /// The samples of a filled `struct ptp_sys_offset`: `ts[2i]` system, `ts[2i+1]` PHC, `ts[2i+2]` system.
    public static func samples(_ data: ptp_sys_offset) -> [Sample] {
        withUnsafePointer(to: data) { pointer in
            (0..<Int32(min(data.n_samples, UInt32(PTP_MAX_SAMPLES)))).map { i in
                Sample(
                    systemBefore: PTPInstant(CLinuxShims_ptp_sys_offset_slot(pointer, 2 * i)),
                    phc: PTPInstant(CLinuxShims_ptp_sys_offset_slot(pointer, 2 * i + 1)),
                    systemAfter: PTPInstant(CLinuxShims_ptp_sys_offset_slot(pointer, 2 * i + 2)))
            }
        }
    }
}

import CLinuxShims
import PTPCore

/// A periodic output of a PHC (`PTP_PEROUT_REQUEST`), e.g. 1 PPS out on an SDP pin.
public struct PeriodicOutput: Sendable, Hashable {
    public var channel: UInt32
    /// The first edge, on the PHC's timescale.
    public var start: PTPInstant
    /// The period; zero disables the output.
    public var period: PTPDuration
    /// How long the signal stays high, when the driver supports `PTP_PEROUT_DUTY_CYCLE`.
    public var onTime: PTPDuration?

    public init(channel: UInt32, start: PTPInstant, period: PTPDuration, onTime: PTPDuration? = nil) {
        self.channel = channel
        self.start = start
        self.period = period
        self.onTime = onTime
    }

    /// 1 PPS starting at the next whole second after `now` plus one (time for the driver to arm it), like
    /// ts2phc and phc_ctl do.
    public static func pulsePerSecond(channel: UInt32, after now: PTPInstant) -> PeriodicOutput {
        PeriodicOutput(channel: channel, start: PTPInstant(seconds: now.seconds + 2), period: .seconds(Int64(1)))
    }

    /// The structure for the ioctl.
    public var cValue: ptp_perout_request {
        var request = ptp_perout_request()
        request.start = Self.clockTime(start.sinceEpoch)
        request.period = Self.clockTime(period)
        request.index = channel
        if let onTime {
            request.flags = UInt32(PTP_PEROUT_DUTY_CYCLE)
            request.on = Self.clockTime(onTime)
        }
        return request
    }

    /// A non-negative duration as `struct ptp_clock_time` (negative values become zero).
    static func clockTime(_ duration: PTPDuration) -> ptp_clock_time {
        guard !duration.isNegative else { return ptp_clock_time() }
        let nanoseconds = duration.nanoseconds
        return ptp_clock_time(sec: nanoseconds / 1_000_000_000, nsec: UInt32(nanoseconds % 1_000_000_000), reserved: 0)
    }
}

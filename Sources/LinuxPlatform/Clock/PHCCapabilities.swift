import CLinuxShims

/// What a PTP hardware clock can do, from `PTP_CLOCK_GETCAPS` (`struct ptp_clock_caps`).
public struct PHCCapabilities: Sendable, Hashable {
    /// `max_adj`: the largest frequency adjustment, in ppb.
    public var maxAdjustment: Int32
    public var alarms: Int32
    /// `n_ext_ts`: external timestamp channels.
    public var externalTimestampChannels: Int32
    /// `n_per_out`: periodic output channels.
    public var periodicOutputs: Int32
    public var pps: Bool
    public var pins: Int32
    public var crossTimestamping: Bool
    public var adjustPhase: Bool

    public init(
        maxAdjustment: Int32, alarms: Int32 = 0, externalTimestampChannels: Int32 = 0, periodicOutputs: Int32 = 0,
        pps: Bool = false, pins: Int32 = 0, crossTimestamping: Bool = false, adjustPhase: Bool = false
    ) {
        self.maxAdjustment = maxAdjustment
        self.alarms = alarms
        self.externalTimestampChannels = externalTimestampChannels
        self.periodicOutputs = periodicOutputs
        self.pps = pps
        self.pins = pins
        self.crossTimestamping = crossTimestamping
        self.adjustPhase = adjustPhase
    }

    public init(_ caps: ptp_clock_caps) {
        maxAdjustment = caps.max_adj
        alarms = caps.n_alarm
        externalTimestampChannels = caps.n_ext_ts
        periodicOutputs = caps.n_per_out
        pps = caps.pps != 0
        pins = caps.n_pins
        crossTimestamping = caps.cross_timestamping != 0
        adjustPhase = caps.adjust_phase != 0
    }
}

import PTPCore
import PTPWire

/// What this clock offers when it is the grandmaster: its clock quality and time properties. The
/// reference (GNSS) side sets clockClass, clockAccuracy and timeSource here as its state changes.
public struct GrandmasterQuality: Sendable, Hashable {
    public var clockQuality: ClockQuality
    public var timeProperties: TimePropertiesDS

    public init(clockQuality: ClockQuality = .default, timeProperties: TimePropertiesDS = TimePropertiesDS()) {
        self.clockQuality = clockQuality
        self.timeProperties = timeProperties
    }
}

/// The fields a master port puts in its Announce messages: from the parent and time properties data
/// sets (IEEE 1588-2019 9.3.5, tables 30–33, and 13.5), so a boundary clock passes on its grandmaster
/// with stepsRemoved = currentDS.stepsRemoved (one more than it received).
public struct AnnounceContent: Sendable, Hashable {
    public var grandmasterIdentity: ClockIdentity
    public var grandmasterClockQuality: ClockQuality
    public var grandmasterPriority1: UInt8
    public var grandmasterPriority2: UInt8
    public var stepsRemoved: UInt16
    public var timeProperties: TimePropertiesDS
    /// The PATH_TRACE of the parent's Announce (16.2.2): the clocks from the grandmaster to the parent;
    /// empty when this clock is the grandmaster. Sent only with `path_trace_enabled`.
    public var pathTrace: [ClockIdentity] = []

    public init(parentDS: ParentDS, currentDS: CurrentDS, timeProperties: TimePropertiesDS) {
        grandmasterIdentity = parentDS.grandmasterIdentity
        grandmasterClockQuality = parentDS.grandmasterClockQuality
        grandmasterPriority1 = parentDS.grandmasterPriority1
        grandmasterPriority2 = parentDS.grandmasterPriority2
        stepsRemoved = currentDS.stepsRemoved
        self.timeProperties = timeProperties
    }

    /// The Announce body at `origin`.
    public func body(origin: PTPInstant) -> AnnounceBody {
        AnnounceBody(
            originTimestamp: WireTimestamp(origin), currentUtcOffset: timeProperties.currentUtcOffset,
            grandmasterPriority1: grandmasterPriority1, grandmasterClockQuality: grandmasterClockQuality,
            grandmasterPriority2: grandmasterPriority2, grandmasterIdentity: grandmasterIdentity,
            stepsRemoved: stepsRemoved, timeSource: timeProperties.timeSource)
    }

    /// The flag bits of 13.3.2.8 that carry the time properties.
    public var flags: PTPFlags {
        var f: PTPFlags = []
        if timeProperties.leap61 { f.insert(.leap61) }
        if timeProperties.leap59 { f.insert(.leap59) }
        if timeProperties.currentUtcOffsetValid { f.insert(.currentUtcOffsetValid) }
        if timeProperties.ptpTimescale { f.insert(.ptpTimescale) }
        if timeProperties.timeTraceable { f.insert(.timeTraceable) }
        if timeProperties.frequencyTraceable { f.insert(.frequencyTraceable) }
        return f
    }
}

extension TimePropertiesDS {
    /// The time properties an Announce carries (9.3.5 table 31 from 13.5 and the flags).
    public init(announce: AnnounceBody, flags: PTPFlags) {
        self.init(
            currentUtcOffset: announce.currentUtcOffset,
            currentUtcOffsetValid: flags.contains(.currentUtcOffsetValid), leap59: flags.contains(.leap59),
            leap61: flags.contains(.leap61), timeTraceable: flags.contains(.timeTraceable),
            frequencyTraceable: flags.contains(.frequencyTraceable), ptpTimescale: flags.contains(.ptpTimescale),
            timeSource: announce.timeSource)
    }
}

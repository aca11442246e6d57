import PTPCore

/// Announce body (IEEE 1588-2019 13.5, table 43): what BMCA compares.
public struct AnnounceBody: Sendable, Hashable {
    public var originTimestamp: WireTimestamp
    public var currentUtcOffset: Int16
    public var grandmasterPriority1: UInt8
    public var grandmasterClockQuality: ClockQuality
    public var grandmasterPriority2: UInt8
    public var grandmasterIdentity: ClockIdentity
    public var stepsRemoved: UInt16
    public var timeSource: TimeSource

    public init(
        originTimestamp: WireTimestamp = .zero, currentUtcOffset: Int16, grandmasterPriority1: UInt8,
        grandmasterClockQuality: ClockQuality, grandmasterPriority2: UInt8, grandmasterIdentity: ClockIdentity,
        stepsRemoved: UInt16, timeSource: TimeSource
    ) {
        self.originTimestamp = originTimestamp
        self.currentUtcOffset = currentUtcOffset
        self.grandmasterPriority1 = grandmasterPriority1
        self.grandmasterClockQuality = grandmasterClockQuality
        self.grandmasterPriority2 = grandmasterPriority2
        self.grandmasterIdentity = grandmasterIdentity
        self.stepsRemoved = stepsRemoved
        self.timeSource = timeSource
    }

    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        let origin = try reader.readTimestamp("originTimestamp")
        let offset = try reader.readInt16("currentUtcOffset")
        try reader.skip(1, "reserved")
        let priority1 = try reader.readUInt8("grandmasterPriority1")
        let quality = try reader.readClockQuality("grandmasterClockQuality")
        let priority2 = try reader.readUInt8("grandmasterPriority2")
        let identity = try reader.readClockIdentity("grandmasterIdentity")
        let steps = try reader.readUInt16("stepsRemoved")
        let source = try reader.readUInt8("timeSource")
        return Self(
            originTimestamp: origin, currentUtcOffset: offset, grandmasterPriority1: priority1,
            grandmasterClockQuality: quality, grandmasterPriority2: priority2, grandmasterIdentity: identity,
            stepsRemoved: steps, timeSource: TimeSource(rawValue: source))
    }

    func encode(into writer: inout WireWriter) {
        writer.write(originTimestamp)
        writer.write(currentUtcOffset)
        writer.write(UInt8(0))
        writer.write(grandmasterPriority1)
        writer.write(grandmasterClockQuality)
        writer.write(grandmasterPriority2)
        writer.write(grandmasterIdentity)
        writer.write(stepsRemoved)
        writer.write(timeSource.rawValue)
    }
}

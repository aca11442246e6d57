import PTPCore

/// The UTC offset a grandmaster announces and where it came from (IEEE 1588-2019 8.2.4.2 currentUtcOffset,
/// 8.2.4.3 currentUtcOffsetValid, 8.2.4.4/8.2.4.5 leap61/leap59).
public struct UTCOffsetStatus: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// The receiver's leap second count (GPS − UTC + 19).
        case gnss
        /// The leap-seconds file (`leapfile`).
        case leapFile = "leapfile"
        /// The `utc_offset` option.
        case configuration = "utc_offset"
    }

    public var offset: Int16
    /// True only when the offset comes from the receiver or an unexpired leap-seconds file.
    public var valid: Bool
    public var leap59: Bool
    public var leap61: Bool
    public var source: Source
    /// Why the offset is not valid, or a disagreement worth logging; nil when all is well.
    public var note: String?

    public init(offset: Int16, valid: Bool, leap59: Bool = false, leap61: Bool = false, source: Source, note: String? = nil) {
        self.offset = offset
        self.valid = valid
        self.leap59 = leap59
        self.leap61 = leap61
        self.source = source
        self.note = note
    }
}

/// Chooses the UTC offset: the receiver when it knows (gpsd's `leapseconds`), else an unexpired leap-seconds
/// file, else `utc_offset`; announces leap61/leap59 in the last 12 hours before a leap second the file lists.
/// The offset is never silently 0: without any source it is `utc_offset` (default 37) marked not valid, and
/// a configured 0 carries a note.
public struct UTCOffsetResolver: Sendable, Hashable {
    /// TAI − GPS, fixed since 1980.
    public static let taiMinusGPS = 19
    /// How long before a leap second leap61/leap59 is announced (IEEE 1588-2019 8.2.4.4: the last 12 hours).
    public static let announceWindow: Int64 = 12 * 3600

    public var configuredOffset: Int
    public var table: LeapSecondTable?

    public init(configuredOffset: Int = 37, table: LeapSecondTable? = nil) {
        self.configuredOffset = configuredOffset
        self.table = table
    }

    /// The status at UTC second `utcSecond`, given the receiver's GPS − UTC when it said.
    public func resolve(atUTC utcSecond: Int64, receiverGPSMinusUTC: Int?) -> UTCOffsetStatus {
        var leap59 = false
        var leap61 = false
        if let table, !table.isExpired(atUTC: utcSecond), let next = table.nextLeap(afterUTC: utcSecond),
            case (let gap, let overflow) = next.utcSecond.subtractingReportingOverflow(utcSecond), !overflow,
            gap <= Self.announceWindow
        {
            leap61 = next.change > 0
            leap59 = next.change < 0
        }
        // An implausible count (the discipline rejects such samples first) is ignored, never added to.
        if let gps = receiverGPSMinusUTC, gps > 0, ReferenceSample.plausibleGPSMinusUTC.contains(gps) {
            let offset = gps + Self.taiMinusGPS
            var note: String?
            if let fileOffset = table?.taiMinusUTC(atUTC: utcSecond), fileOffset != offset {
                note = "the receiver says TAI-UTC \(offset), the leap-seconds file \(fileOffset): using the receiver"
            }
            return UTCOffsetStatus(
                offset: Int16(clamping: offset), valid: true, leap59: leap59, leap61: leap61, source: .gnss, note: note)
        }
        if let table, let fileOffset = table.taiMinusUTC(atUTC: utcSecond) {
            if table.isExpired(atUTC: utcSecond) {
                return UTCOffsetStatus(
                    offset: Int16(clamping: fileOffset), valid: false, source: .leapFile,
                    note: "the leap-seconds file expired; TAI-UTC \(fileOffset) is announced as not valid")
            }
            return UTCOffsetStatus(
                offset: Int16(clamping: fileOffset), valid: true, leap59: leap59, leap61: leap61, source: .leapFile)
        }
        let note =
            configuredOffset == 0
            ? "utc_offset is 0 and no receiver or leap-seconds file says otherwise"
            : "no receiver leap seconds and no leap-seconds file: utc_offset \(configuredOffset) announced as not valid"
        return UTCOffsetStatus(offset: Int16(clamping: configuredOffset), valid: false, source: .configuration, note: note)
    }
}

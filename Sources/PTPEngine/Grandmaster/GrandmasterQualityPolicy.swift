import PTPCore

/// How a grandmaster's state becomes the clockQuality and time properties it announces (IEEE 1588-2019
/// 7.6.2.5 clockClass, 7.6.2.6 clockAccuracy, 7.6.3 offsetScaledLogVariance, 7.6.2.8 timeSource, 8.2.4
/// timePropertiesDS).
public struct GrandmasterQualityPolicy: Sendable, Hashable {
    /// `gm_quality_profile`.
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        /// clockAccuracy and offsetScaledLogVariance computed from what is measured.
        case `default`
        /// ITU-T G.8275.1 (table 2 / 6.7.2): the T-GM's fixed values, accuracy 0x21 and variance 0x4E5D while
        /// locked or in holdover within specification, 0xFE and 0xFFFF otherwise.
        case g8275_1 = "G.8275.1"
    }

    public var profile: Profile
    /// `gm_class_locked` (6), `gm_class_holdover` (7), `gm_class_holdover_out_of_spec` (140: G.8275.1
    /// category 1; 150 and 160 are its categories 2 and 3), `gm_class_free_running` (248).
    public var lockedClass: UInt8
    public var holdoverClass: UInt8
    public var holdoverOutOfSpecClass: UInt8
    public var freeRunningClass: UInt8

    public init(
        profile: Profile = .default, lockedClass: UInt8 = 6, holdoverClass: UInt8 = 7,
        holdoverOutOfSpecClass: UInt8 = 140, freeRunningClass: UInt8 = 248
    ) {
        self.profile = profile
        self.lockedClass = lockedClass
        self.holdoverClass = holdoverClass
        self.holdoverOutOfSpecClass = holdoverOutOfSpecClass
        self.freeRunningClass = freeRunningClass
    }

    /// ITU-T G.8275.1 table 2 values for a T-GM.
    public static let g8275_1Locked = ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D)

    /// The clockClass announced in `state`.
    public func clockClass(_ state: GrandmasterClockState) -> UInt8 {
        switch state {
        case .freeRunning, .locking: freeRunningClass
        case .locked: lockedClass
        case .holdoverWithinSpecification: holdoverClass
        case .holdoverOutOfSpecification: holdoverOutOfSpecClass
        }
    }

    /// What the grandmaster announces in `state`.
    ///
    /// - Parameters:
    ///   - measuredError: the time error the clock is known to be within (locked: the spread of recent
    ///     reference offsets; holdover: the model's prediction); nil when unknown.
    ///   - variance: σ²PTP in s² (7.6.3.2) measured while locked; nil when unknown.
    ///   - utcOffset: the UTC offset, its validity and the leap flags.
    public func quality(
        state: GrandmasterClockState, measuredError: PTPDuration?, variance: Double?,
        utcOffset: UTCOffsetStatus
    ) -> GrandmasterQuality {
        let traceable = state == .locked || state == .holdoverWithinSpecification
        let clockQuality: ClockQuality
        switch profile {
        case .g8275_1:
            clockQuality =
                traceable
                ? ClockQuality(
                    clockClass: clockClass(state), clockAccuracy: Self.g8275_1Locked.clockAccuracy,
                    offsetScaledLogVariance: Self.g8275_1Locked.offsetScaledLogVariance)
                : ClockQuality(
                    clockClass: clockClass(state), clockAccuracy: .unknown,
                    offsetScaledLogVariance: OffsetScaledLogVariance.unknown)
        case .default:
            let accuracy: ClockAccuracy
            let logVariance: UInt16
            switch state {
            case .freeRunning, .locking:
                accuracy = .unknown
                logVariance = OffsetScaledLogVariance.unknown
            case .locked, .holdoverWithinSpecification, .holdoverOutOfSpecification:
                accuracy = measuredError.map { ClockAccuracy.covering($0) } ?? .unknown
                if state == .locked {
                    logVariance =
                        variance.map { OffsetScaledLogVariance.encode(secondsSquared: $0) } ?? OffsetScaledLogVariance.unknown
                } else {
                    // In holdover the prediction is the deviation: σ²PTP no smaller than the predicted error².
                    let predicted = measuredError.map { $0.secondsDouble * $0.secondsDouble }
                    let worst = max(variance ?? 0, predicted ?? 0)
                    logVariance = OffsetScaledLogVariance.encode(secondsSquared: worst)
                }
            }
            clockQuality = ClockQuality(
                clockClass: clockClass(state), clockAccuracy: accuracy, offsetScaledLogVariance: logVariance)
        }
        let everLocked = state != .freeRunning && state != .locking
        let properties = TimePropertiesDS(
            currentUtcOffset: utcOffset.offset, currentUtcOffsetValid: utcOffset.valid,
            leap59: utcOffset.leap59, leap61: utcOffset.leap61, timeTraceable: traceable,
            frequencyTraceable: traceable, ptpTimescale: true,
            timeSource: everLocked ? .gnss : .internalOscillator)
        return GrandmasterQuality(clockQuality: clockQuality, timeProperties: properties)
    }
}

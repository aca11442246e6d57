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
    /// In the default profile clockAccuracy comes from the measured error, in table 5's steps with
    /// hysteresis (``steadyAccuracy(measuredError:previous:)``), and offsetScaledLogVariance from that
    /// accuracy (``variance(within:)``). The dataset comparison (IEEE 1588-2019 9.3.4) looks at both before
    /// priority2, so two grandmasters on equally good receivers must announce the same values: were the
    /// variance the measured σ²PTP (whose estimate over 64 samples wanders by more than a factor of two), the
    /// noise of the estimates, not the operator's priority2, would pick the active grandmaster and the zone
    /// would switch between them as it wandered.
    ///
    /// - Parameters:
    ///   - measuredError: the time error the clock is known to be within (locked: the spread of recent
    ///     reference offsets; holdover: the model's prediction); nil when unknown.
    ///   - utcOffset: the UTC offset, its validity and the leap flags.
    ///   - previous: what was announced before; its accuracy is kept while the measured error does not move
    ///     far enough from it (in the same clockClass only).
    public func quality(
        state: GrandmasterClockState, measuredError: PTPDuration?, utcOffset: UTCOffsetStatus,
        previous: ClockQuality? = nil
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
                let before = previous?.clockClass == clockClass(state) ? previous?.clockAccuracy : nil
                accuracy = measuredError.map { Self.steadyAccuracy(measuredError: $0, previous: before) } ?? .unknown
                logVariance = Self.variance(within: accuracy)
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

    /// The margin a measurement must clear below a better step before the announcement moves to it.
    static let improvementMargin = 0.7

    /// The clockAccuracy to announce for `measuredError` after `previous` (nil: nothing measured before).
    /// Worse at once: an error beyond the announced bound is never hidden. Better only when the error is
    /// within 70 % of the better value's bound, so an error wandering around a bound (2σ of a 50 ns receiver
    /// sits at about 100 ns) does not switch the announcement each time it crosses. The first announcement
    /// takes the same margin, so that two grandmasters measuring about the same error announce the same value.
    public static func steadyAccuracy(measuredError: PTPDuration, previous: ClockAccuracy?) -> ClockAccuracy {
        let error = measuredError.magnitude.nanosecondsDouble
        let withMargin = ClockAccuracy.covering(nanoseconds: error / improvementMargin)
        guard let previous, let bound = previous.boundNanoseconds, withMargin.boundNanoseconds != nil else {
            return withMargin
        }
        if error > bound { return ClockAccuracy.covering(nanoseconds: error) }
        return withMargin.rawValue < previous.rawValue ? withMargin : previous
    }

    /// The offsetScaledLogVariance that goes with an announced accuracy: its bound taken as 2σ, so σ² =
    /// (bound/2)², an upper bound of σ²PTP (7.6.3.2) for a clock whose |mean| + 2σ is within the bound;
    /// unknown (0xFFFF, 7.6.3.3) with an unknown accuracy.
    public static func variance(within accuracy: ClockAccuracy) -> UInt16 {
        guard let bound = accuracy.boundNanoseconds else { return OffsetScaledLogVariance.unknown }
        let sigma = bound / 2 * 1e-9
        return OffsetScaledLogVariance.encode(secondsSquared: sigma * sigma)
    }
}

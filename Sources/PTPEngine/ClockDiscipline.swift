import PTPCore
import PTPServo

/// What the servo made of one measurement: its output (state, step and frequency; the state is the verdict
/// the slave port hears), and ptp4l's summary line.
public struct DisciplineStep: Sendable, Hashable {
    public var output: ServoOutput
    /// The measurement came from a different master than the previous one.
    public var sourceChanged: Bool
    public var offsetFromMaster: PTPDuration
    public var meanPathDelay: PTPDuration
    /// The outlier filter kept this measurement from the servo: the clock runs on as it was.
    public var outlier = false

    public init(
        output: ServoOutput, sourceChanged: Bool, offsetFromMaster: PTPDuration,
        meanPathDelay: PTPDuration, outlier: Bool = false
    ) {
        self.output = output
        self.sourceChanged = sourceChanged
        self.offsetFromMaster = offsetFromMaster
        self.meanPathDelay = meanPathDelay
        self.outlier = outlier
    }

    /// ptp4l's `master offset … s2 freq … path delay …` line (built on demand: it allocates).
    public var logLine: String {
        ClockDiscipline.logLine(
            offset: offsetFromMaster, state: output.state, frequency: output.frequency,
            pathDelay: meanPathDelay) + (outlier ? " outlier" : "")
    }
}

/// One servo per clock, fed by whichever source the BMCA selects: the port that is slave (its
/// measurements through ``apply(_:)``) or, while the clock is the grandmaster, its time reference (1 PPS
/// samples through ``steerFromReference(_:)``). The ``ClockEngine`` holds it, in the daemon and in the simulator alike.
/// A change of source keeps the servo as it is (its frequency, its lock), so the clock steps only when the
/// new source's offset is beyond `step_threshold`; a change of sample interval retunes the gains.
public struct ClockDiscipline: Sendable {
    /// What steers the servo.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// The slave port's measurements from this master.
        case master(PortIdentity)
        /// The grandmaster's time reference.
        case reference

        public var description: String {
            switch self {
            case .master(let identity): return "master \(identity)"
            case .reference: return "the time reference"
            }
        }
    }

    // Stored properties in the order a measurement reads them (a struct is laid out in declaration order): the
    // few fields every measurement checks first, the servo (856 bytes, its own hot fields first) last.
    /// What the last sample came from.
    public private(set) var source: Source?
    public private(set) var measurements = 0
    private var logSyncInterval: LogInterval?
    /// The master went silent and the clock runs on ``holdover(at:)``'s frequency until the next sample.
    public private(set) var inHoldover = false
    /// Seconds of the window the last ``holdover(at:)`` averaged; nil when it held the servo's learned frequency.
    public private(set) var heldWindowSeconds: Double?
    /// The adjustments applied while locked to a master (what ``holdover(at:)`` runs the clock on).
    public private(set) var recentFrequencies = FrequencyWindow()
    /// Keeps spoiled measurements of the slave port from the servo once it is locked (nil: off).
    public private(set) var outlierFilter: OutlierFilter?
    public private(set) var servo: SelectedServo
    /// The interval the reference's samples come at (1 PPS).
    public static let referenceInterval = LogInterval(0)

    public init(servo: SelectedServo, outlierFilter: OutlierFilter? = nil) {
        self.servo = servo
        self.outlierFilter = outlierFilter
    }

    /// Records the source of the next sample and tunes the servo to its interval; true when it changed.
    private mutating func select(_ new: Source, interval: LogInterval) -> Bool {
        if interval != logSyncInterval && interval != .unspecified {
            logSyncInterval = interval
            servo.setSyncInterval(interval.seconds)
            if case .master = new { recentFrequencies.setInterval(interval.seconds) }
        }
        let changed = source != nil && source != new
        // The window's offsets are from one master, in one unbroken run: another master's time (or the
        // reference's), or the gap a holdover spanned, does not join up with them.
        if changed || inHoldover || new == .reference { recentFrequencies.removeAll() }
        inHoldover = false
        if changed { outlierFilter?.reset() }
        source = new
        measurements += 1
        return changed
    }

    /// The time this clock followed came from a grandmaster that was not traceable, and it now follows
    /// another time (another grandmaster, or the same one now traceable): the servo acquires afresh, keeping
    /// its frequency, and may step once more beyond `first_step_threshold` (``ClockServo/restartAcquisition()``).
    public mutating func restartAcquisition() {
        servo.restartAcquisition()
        outlierFilter?.reset()
        // The adjustments of the time before (often the servo's maximum, slewing toward the interim time) say
        // nothing of the oscillator: a holdover soon after must not average them.
        recentFrequencies.removeAll()
    }

    /// The clock's time moved under the servo (``ClockSanityCheck``): the servo starts over as ptp4l's
    /// `servo_reset` makes it (the next samples estimate again; it steps only beyond `step_threshold`).
    public mutating func resetServo() {
        servo.reset()
        outlierFilter?.reset()
        recentFrequencies.removeAll()
    }

    /// Feeds one measurement from the slave port to the servo.
    public mutating func apply(_ m: SyncMeasurement) -> DisciplineStep {
        let changed = select(.master(m.master), interval: m.logSyncInterval)
        // In place: a copy taken out and stored back would share the filter's buffers, and the admission's
        // write would then copy them on every measurement.
        if servo.state == .locked, let admitted = outlierFilter?.admit(m.offsetFromMaster) {
            if !admitted {
                recentFrequencies.append(adjustment: servo.lastFrequency, offset: nil, at: m.ingress)
                return DisciplineStep(
                    output: ServoOutput(state: .locked, frequency: servo.lastFrequency),
                    sourceChanged: changed, offsetFromMaster: m.offsetFromMaster, meanPathDelay: m.meanPathDelay, outlier: true)
            }
        }
        let output = servo.sample(offset: m.offsetFromMaster, localTime: m.ingress, weight: m.weight)
        if output.step != nil { outlierFilter?.reset() }
        // Only an unbroken run of locked samples is fitted: a step, or the samples of a pull-in (whose
        // adjustments are not all known to the window), start it over.
        if output.state == .locked && output.step == nil {
            recentFrequencies.append(adjustment: output.frequency, offset: m.offsetFromMaster, at: m.ingress)
        } else {
            recentFrequencies.removeAll()
        }
        return DisciplineStep(
            output: output, sourceChanged: changed, offsetFromMaster: m.offsetFromMaster,
            meanPathDelay: m.meanPathDelay)
    }

    /// The master the servo followed went silent, or is gone and nothing replaces it: from `localTime` on
    /// the clock runs on the frequency fitted over its last ``FrequencyWindow/span`` seconds locked
    /// (``FrequencyWindow/estimate``; with less than ``FrequencyWindow/minimumSpan`` seconds of them, on
    /// what the servo learned), not on the last adjustment, whose answer to the last offset would grow into a
    /// time error. The servo carries on from
    /// that frequency when samples come again (``ClockServo/hold(frequency:at:)``).
    /// Returns the frequency to apply; nil when the servo was not following a master, is already in
    /// holdover, or has nothing to hold (then the clock keeps its current adjustment).
    public mutating func holdover(at localTime: PTPInstant) -> PartsPerBillion? {
        let estimate = recentFrequencies.estimate
        guard case .master = source, !inHoldover, let frequency = estimate ?? servo.learnedFrequency else { return nil }
        inHoldover = true
        heldWindowSeconds = estimate == nil ? nil : recentFrequencies.seconds
        outlierFilter?.reset()
        servo.hold(frequency: frequency, at: localTime)
        return frequency
    }

    /// Lends the same servo to the grandmaster's reference discipline (``ReferenceDiscipline/sample(_:servo:)``),
    /// tuned for its one sample a second; `sourceChanged` says the servo was steered by a port before.
    public mutating func steerFromReference<Result>(_ body: (inout SelectedServo) -> Result) -> (
        result: Result, sourceChanged: Bool
    ) {
        let changed = select(.reference, interval: Self.referenceInterval)
        return (body(&servo), changed)
    }

    /// `master offset %10lld s%d freq %+7.0f path delay %9lld`, as ptp4l prints it (its freq is the
    /// negated adjustment, as it applies `-ppb`; here the adjustment is printed with ptp4l's sign).
    public static func logLine(
        offset: PTPDuration, state: ServoState, frequency: PartsPerBillion,
        pathDelay: PTPDuration
    ) -> String {
        let ppb = -frequency.value
        let rounded = ppb.isFinite ? Int64(max(-9e15, min(9e15, ppb.rounded()))) : 0
        let freq = (rounded >= 0 ? "+" : "") + String(rounded)
        return "master offset " + leftPad(String(offset.roundedNanoseconds), 10) + " \(state) freq "
            + leftPad(freq, 7) + " path delay " + leftPad(String(pathDelay.roundedNanoseconds), 9)
    }

    static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}

import PTPCore
import PTPServo

/// What the clock owner must do after a measurement: the servo's output (step and frequency), the
/// verdict to give back to the instance, and ptp4l's summary line.
public struct DisciplineStep: Sendable, Hashable {
    public var output: ServoOutput
    /// For ``InstanceEvent/servo(_:)``.
    public var report: ServoStateReport
    /// The measurement came from a different master than the previous one.
    public var sourceChanged: Bool
    public var offsetFromMaster: PTPDuration
    public var meanPathDelay: PTPDuration

    /// ptp4l's `master offset … s2 freq … path delay …` line (built on demand: it allocates).
    public var logLine: String {
        ClockDiscipline.logLine(offset: offsetFromMaster, state: output.state, frequency: output.frequency,
                                pathDelay: meanPathDelay)
    }
}

/// One servo per clock, fed by whichever port the BMCA made slave (the daemon's `ClockActor` and the
/// simulator both use it). A change of source keeps the servo as it is, so the clock steps only when
/// the new source's offset is beyond `step_threshold`; a change of Sync interval retunes the gains.
public struct ClockDiscipline: Sendable {
    public private(set) var servo: SelectedServo
    /// The master the last measurement came from.
    public private(set) var source: PortIdentity?
    public private(set) var measurements = 0
    private var logSyncInterval: LogInterval?

    public init(servo: SelectedServo) {
        self.servo = servo
    }

    /// Feeds one measurement from the slave port to the servo.
    public mutating func apply(_ m: SyncMeasurement) -> DisciplineStep {
        if m.logSyncInterval != logSyncInterval && m.logSyncInterval != .unspecified {
            logSyncInterval = m.logSyncInterval
            servo.setSyncInterval(m.logSyncInterval.seconds)
        }
        let changed = source != nil && source != m.master
        source = m.master
        measurements += 1
        let output = servo.sample(offset: m.offsetFromMaster, localTime: m.ingress, weight: 1)
        let report: ServoStateReport
        switch output.state {
        case .unlocked: report = .unlocked
        case .jump: report = .stepped
        case .locked: report = .locked
        }
        return DisciplineStep(
            output: output, report: report, sourceChanged: changed, offsetFromMaster: m.offsetFromMaster,
            meanPathDelay: m.meanPathDelay)
    }

    /// `master offset %10lld s%d freq %+7.0f path delay %9lld`, as ptp4l prints it (its freq is the
    /// negated adjustment, as it applies `-ppb`; here the adjustment is printed with ptp4l's sign).
    public static func logLine(offset: PTPDuration, state: ServoState, frequency: PartsPerBillion,
                               pathDelay: PTPDuration) -> String {
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

import LinuxPlatform
import Logging
import PTPCore
import PTPEngine
import PTPServo

/// The disciplined clock and its one servo (DESIGN.md's `ClockActor`). Whichever source the BMCA selects
/// steers it: the slave port's measurements (``apply(_:)``, from the ``InstanceActor``) when another clock
/// is the grandmaster, the time reference's samples (``referenceSample(_:)``, from the reference source)
/// when this clock is. Both go through the same ``ClockDiscipline`` and so the same servo: a change of
/// source (failover between the reference and an upstream master) keeps the learned frequency and never
/// steps the clock unless the new source's offset is beyond `step_threshold`.
///
/// It alone adjusts the clock. It tells the instance what to announce (``GrandmasterQuality``) and
/// management what changed (reference state), through the observers set by ``observe(quality:referenceState:)``.
actor ClockActor {
    let clock: ClockSource
    private let logger: Logger
    private var discipline: ClockDiscipline
    /// The grandmaster's reference, when one is configured: validation, holdover model, announced quality.
    private(set) var reference: ReferenceDiscipline?
    /// True while the BMCA has chosen this clock as the grandmaster: the reference steers then.
    private(set) var isGrandmaster = false
    private var lastDecision: UInt64 = 0
    private(set) var lastStep: DisciplineStep?
    /// `summary_interval`: one `master offset` line per measurement, or ptp4l's `rms … max …` summaries.
    private var summary: OffsetSummary
    /// The receiver's fix and satellites from the latest reference sample, with when it came (monotonic, so
    /// a clock step does not age it) for MERIDIAN_STATUS_NP; kept whatever the port's role.
    private(set) var lastReceiverReport: (fix: GNSSFixMode, satellites: Int?, at: ContinuousClock.Instant)?
    /// When the slave port's last measurement came (monotonic), and how long a silence means the master
    /// is gone (three of its Sync intervals, at least 200 ms): then the clock goes into holdover.
    private var lastMeasurementAt: ContinuousClock.Instant?
    private var silenceLimit: Duration = .seconds(3)
    private var onQuality: (@Sendable (GrandmasterQuality) async -> Void)?
    private var onReferenceState: (@Sendable (GrandmasterStateChange) async -> Void)?

    init(clock: ClockSource, servo: SelectedServo, outlierFilter: OutlierFilter? = nil, summaryInterval: Int = 0, logger: Logger) {
        self.clock = clock
        self.summary = OffsetSummary(summaryInterval: summaryInterval)
        self.discipline = ClockDiscipline(servo: servo, outlierFilter: outlierFilter)
        self.logger = logger
    }

    /// Where the announced quality goes (the instance engine) and who hears of reference state changes.
    func observe(quality: @escaping @Sendable (GrandmasterQuality) async -> Void,
                 referenceState: @escaping @Sendable (GrandmasterStateChange) async -> Void) {
        onQuality = quality
        onReferenceState = referenceState
    }

    func attach(reference: ReferenceDiscipline) {
        self.reference = reference
    }

    /// What the BMCA decided: the local clock is the grandmaster (the reference steers) or not (the slave
    /// port's measurements steer).
    /// `decision` numbers the BMCA's decisions: the tasks that carry them may arrive out of order, and an
    /// older decision never overrides a newer one.
    func select(grandmaster: Bool, decision: UInt64) {
        guard decision > lastDecision else { return }
        lastDecision = decision
        isGrandmaster = grandmaster
        // The master we followed is gone and we are the best clock now: until our own reference (if any)
        // steers, the clock coasts (usually already since its Syncs stopped, see `watchMeasurements`).
        if grandmaster { enterHoldover(because: "the grandmaster role is ours") }
    }

    /// Runs until cancelled: when the slave port's measurements stop for longer than three Sync intervals
    /// the clock goes into holdover at once, rather than running on the last adjustment until BMCA notices
    /// (announceReceiptTimeout, seconds later) — on software stamps that adjustment is off by thousands of
    /// ppb, which every clock downstream would see as a time error growing by µs per second.
    func watchMeasurements() async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let deadline = lastMeasurementAt.map { $0 + silenceLimit } ?? clock.now + .seconds(1)
            try? await Task.sleep(until: deadline, clock: clock)
            if let last = lastMeasurementAt, clock.now - last >= silenceLimit {
                enterHoldover(because: "no Sync for \(Self.milliseconds(clock.now - last)) ms")
                lastMeasurementAt = nil
            }
        }
    }

    private func enterHoldover(because reason: String) {
        guard let frequency = discipline.holdover(at: clockNow()) else { return }
        adjust(step: nil, frequency: frequency, what: "clock")
        let basis = discipline.heldWindowSeconds.map { "the mean of the last \(Int($0)) s" } ?? "the servo's learned frequency"
        logger.notice("holdover (\(reason)): the clock runs on freq \(Int((-frequency.value).rounded())), \(basis)")
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    var servoState: ServoState { discipline.servo.state }
    var servoFrequency: PartsPerBillion { discipline.servo.lastFrequency }
    /// What the servo has learned of the clock's frequency (for the drift file); nil while unlocked.
    var learnedFrequency: PartsPerBillion? { discipline.servo.learnedFrequency }
    var source: ClockDiscipline.Source? { discipline.source }
    /// Slave-port measurements the outlier filter kept from the servo.
    var outliers: Int { discipline.outlierFilter?.rejected ?? 0 }

    // MARK: The slave port

    /// One measurement of the slave port: the servo's verdict, which the instance gives back to its engine.
    func apply(_ measurement: SyncMeasurement) -> DisciplineStep {
        let step = discipline.apply(measurement)
        lastStep = step
        lastMeasurementAt = ContinuousClock.now
        let interval = measurement.logSyncInterval == .unspecified ? 1 : measurement.logSyncInterval.seconds
        silenceLimit = max(.milliseconds(200), .seconds(3 * interval))
        if step.sourceChanged {
            logger.notice("port \(measurement.portNumber): servo now follows master \(measurement.master); frequency kept (no step unless beyond step_threshold)")
        }
        adjust(step: step.output.step, frequency: step.output.frequency, what: "clock")
        summary.setSyncInterval(measurement.logSyncInterval)
        if let line = summary.add(step, trueError: trueError) { logger.info("\(line)") }
        return step
    }

    // MARK: The reference

    /// One reference sample. While this clock is the grandmaster it steers the clock through the servo;
    /// otherwise (a standby grandmaster following the active one) it is judged against the clock without
    /// steering it, so the announced class says whether this clock could take over with its own reference.
    func referenceSample(_ sample: ReferenceSample) async {
        lastReceiverReport = (sample.fixMode, sample.satellitesUsed, ContinuousClock.now)
        guard var reference else { return }
        let output: ReferenceDisciplineOutput
        if isGrandmaster {
            let (steered, changed) = discipline.steerFromReference { servo in reference.sample(sample, servo: &servo) }
            if changed { logger.notice("servo now follows the time reference; frequency kept (no step unless beyond step_threshold)") }
            output = steered
        } else {
            var servo = discipline.servo
            output = reference.sample(sample, servo: &servo, steering: false)
        }
        self.reference = reference
        await carry(output)
    }

    /// Once a second: notices a lost reference, steers holdover (when the grandmaster), updates the
    /// announced quality.
    func referenceTick() async {
        guard var reference else { return }
        let output = reference.tick(now: clockNow())
        self.reference = reference
        await carry(output)
    }

    private func carry(_ output: ReferenceDisciplineOutput) async {
        // Only the grandmaster's reference adjusts the clock; a standby's follows the slave port.
        if isGrandmaster { adjust(step: output.step, frequency: output.frequency, what: "reference") }
        if let rejection = output.rejection {
            logger.warning("reference sample rejected: \(rejection)")
        }
        if let offset = output.offset, let state = output.servoState {
            var line = (isGrandmaster ? "" : "standby ") + "reference offset \(String(offset.roundedNanoseconds).leftPadded(to: 10)) s\(state.rawValue) freq \(Int((output.frequency ?? .zero).value))"
            if let error = trueError { line += " true error \(error)" }
            logger.info("\(line)")
        }
        if let change = output.stateChange {
            logger.notice("\(change)")
            await onReferenceState?(change)
        }
        if let quality = output.quality {
            logger.notice("announcing clockClass \(quality.clockQuality.clockClass), clockAccuracy 0x\(String(quality.clockQuality.clockAccuracy.rawValue, radix: 16)), timeSource 0x\(String(quality.timeProperties.timeSource.rawValue, radix: 16)), currentUtcOffset \(quality.timeProperties.currentUtcOffset)\(quality.timeProperties.currentUtcOffsetValid ? " (valid)" : "")")
            await onQuality?(quality)
        }
    }

    // MARK: The clock

    private func adjust(step: PTPDuration?, frequency: PartsPerBillion?, what: String) {
        guard clock.steerable else { return }
        do {
            if let step {
                try clock.clock.step(by: step)
                logger.notice("\(what == "clock" ? "" : what + ": ")clock stepped by \(step.roundedNanoseconds) ns")
            }
            if let frequency { try clock.clock.adjustFrequency(frequency) }
        } catch {
            logger.error("cannot adjust \(clock.clock.name): \(error)")
        }
    }

    /// The clock's reading (the epoch when it cannot be read, logged).
    func clockNow() -> PTPInstant {
        do {
            return try clock.clock.now()
        } catch {
            logger.error("cannot read \(clock.clock.name): \(error)")
            return .epoch
        }
    }

    /// A virtual clock's error against the system clock (labs), in ns.
    var trueError: Int64? {
        (try? clock.virtual?.trueError())?.roundedNanoseconds
    }
}

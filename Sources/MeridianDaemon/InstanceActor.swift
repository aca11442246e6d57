import LinuxPlatform
import Logging
import PTPManagement
import PTPWire
import PTPCore
import PTPEngine
import PTPServo

/// The clock's protocol state: the pure ``InstanceEngine`` (every port's engine and the BMCA across
/// them), the one servo of the clock (``ClockDiscipline``), and the port timers. Ports hand it what they
/// receive; it carries out what the engine decides.
///
/// DESIGN.md puts each port's engine in its ``PortActor``; the engine issue made one ``InstanceEngine``
/// that holds all port engines so the BMCA sees one consistent state. The port actors therefore own the
/// I/O (socket, receive thread, transmit stamps) and this actor owns every decision.
actor InstanceActor {
    private var engine: InstanceEngine
    private var discipline: ClockDiscipline
    private let clock: ClockSource
    private let logger: Logger
    private var ports: [PortActor] = []
    private var timers: [Int: (generation: UInt64, task: Task<Void, Never>)] = [:]
    private var timerGeneration: UInt64 = 0
    private var actions: [InstanceAction] = []
    private var running = false
    /// Counters for management and logs.
    private(set) var measurements = 0
    private(set) var diagnostics = 0
    private(set) var lastStep: DisciplineStep?
    private var lastStateChange: [Int: PortStateChange] = [:]
    /// The grandmaster's reference, when one is configured; it steers the clock while this clock is the
    /// grandmaster (BMCA chose the local clock), the slave port's measurements steer it otherwise.
    private var reference: ReferenceDiscipline?
    private var isGrandmaster = false
    /// The receiver's fix and satellites from the latest reference sample, with when it came (monotonic, so
    /// a clock step does not age it) for MERIDIAN_STATUS_NP; kept whatever the port's role.
    private(set) var lastReceiverReport: (fix: GNSSFixMode, satellites: Int?, at: ContinuousClock.Instant)?
    /// Management state the engine does not hold.
    var synchronizationUncertain: SynchronizationUncertainNP = .dontCare
    private(set) var lastIngress: PTPInstant?
    /// Called after every port state change (management pushes PORT_DATA_SET to subscribers).
    private var onPortStateChange: (@Sendable (UInt16) async -> Void)?
    let portInterfaces: [String]
    let softwareStamps: Bool
    let referenceKindCode: MeridianStatus.ReferenceKind

    init(engine: InstanceEngine, discipline: ClockDiscipline, clock: ClockSource, logger: Logger, portInterfaces: [String] = [],
         softwareStamps: Bool = true, referenceKind: MeridianStatus.ReferenceKind = .none) {
        self.engine = engine
        self.discipline = discipline
        self.clock = clock
        self.logger = logger
        self.portInterfaces = portInterfaces
        self.softwareStamps = softwareStamps
        self.referenceKindCode = referenceKind
    }

    func setPortStateObserver(_ observer: @escaping @Sendable (UInt16) async -> Void) {
        onPortStateChange = observer
    }

    var snapshotEngine: InstanceEngine { engine }
    var portActors: [PortActor] { ports }
    var clockSource: ClockSource { clock }

    /// Carries out a management command on the engine (BMCA reruns where the standard says so).
    func applyToEngine(_ command: ManagementCommand) -> Result<Void, ManagementErrorID> {
        actions.removeAll(keepingCapacity: true)
        let result = engine.applyManagement(command, at: now(), into: &actions)
        perform()
        return result
    }

    func attach(_ ports: [PortActor]) {
        self.ports = ports
    }

    func attach(reference: ReferenceDiscipline) {
        self.reference = reference
        // Announce what the reference makes us (free-running, class 248 by default) from the start.
        actions.removeAll(keepingCapacity: true)
        engine.setGrandmasterQuality(reference.quality, at: now(), into: &actions)
        perform()
    }

    // MARK: The reference

    /// One reference sample: steers the clock while this clock is the grandmaster.
    func referenceSample(_ sample: ReferenceSample) {
        lastReceiverReport = (sample.fixMode, sample.satellitesUsed, ContinuousClock.now)
        guard running, isGrandmaster, var discipline = reference else { return }
        let output = discipline.sample(sample)
        reference = discipline
        carry(output)
    }

    /// Once a second: notices a lost reference, steers holdover, updates the announced quality.
    func referenceTick() {
        guard running, isGrandmaster, var discipline = reference else { return }
        let output = discipline.tick(now: clockNow())
        reference = discipline
        carry(output)
    }

    var referenceStatus: ReferenceDiscipline? { reference }

    private func carry(_ output: ReferenceDisciplineOutput) {
        if clock.steerable {
            do {
                if let step = output.step {
                    try clock.clock.step(by: step)
                    logger.notice("reference: clock stepped by \(step.roundedNanoseconds) ns")
                }
                if let frequency = output.frequency { try clock.clock.adjustFrequency(frequency) }
            } catch {
                logger.error("cannot adjust \(clock.clock.name): \(error)")
            }
        }
        if let rejection = output.rejection {
            logger.warning("reference sample rejected: \(rejection)")
        }
        if let offset = output.offset, let state = output.servoState {
            var line = "reference offset \(String(offset.roundedNanoseconds).leftPadded(to: 10)) s\(state.rawValue) freq \(Int((output.frequency ?? .zero).value))"
            if let virtual = clock.virtual, let error = try? virtual.trueError() { line += " true error \(error.roundedNanoseconds)" }
            logger.info("\(line)")
        }
        if let change = output.stateChange {
            logger.notice("\(change)")
        }
        if let quality = output.quality {
            logger.notice("announcing clockClass \(quality.clockQuality.clockClass), clockAccuracy 0x\(String(quality.clockQuality.clockAccuracy.rawValue, radix: 16)), timeSource 0x\(String(quality.timeProperties.timeSource.rawValue, radix: 16)), currentUtcOffset \(quality.timeProperties.currentUtcOffset)\(quality.timeProperties.currentUtcOffsetValid ? " (valid)" : "")")
            actions.removeAll(keepingCapacity: true)
            engine.setGrandmasterQuality(quality, at: now(), into: &actions)
            perform()
        }
    }

    /// Brings every port up (INITIALIZING → LISTENING) and starts the protocol.
    func start() {
        running = true
        for index in ports.indices {
            handle(.port(index, .linkUp))
        }
    }

    /// Stops every timer; nothing more is sent.
    func stop() {
        running = false
        for (_, timer) in timers { timer.task.cancel() }
        timers.removeAll()
    }

    // MARK: Events from the ports

    func received(port: Int, bytes: [UInt8], timestamp: PTPInstant) {
        if bytes.first.map({ $0 & 0x0F == 0 }) == true { lastIngress = timestamp }
        handle(.port(port, .receivedBytes(bytes, timestamp: timestamp)))
    }

    func transmitted(port: Int, token: PTPEngine.TransmitToken, timestamp: PTPInstant) {
        handle(.port(port, .transmitted(token, timestamp: timestamp)))
    }

    func link(port: Int, up: Bool) {
        logger.info("port \(port + 1): link \(up ? "up" : "down")")
        handle(.port(port, up ? .linkUp : .linkDown))
    }

    func fault(port: Int, reason: String) {
        logger.error("port \(port + 1): \(reason)")
        handle(.port(port, .faultDetected))
    }

    // MARK: Run-time changes (SIGHUP, management)

    /// Changes priority1/priority2 and reruns the BMCA at once (IEEE 1588-2019 8.2.1.4).
    func setPriorities(priority1: UInt8, priority2: UInt8) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.setPriorities(priority1: priority1, priority2: priority2, at: now(), into: &actions)
        perform()
    }

    /// Changes slaveOnly and reruns the BMCA.
    func setSlaveOnly(_ slaveOnly: Bool) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.setSlaveOnly(slaveOnly, at: now(), into: &actions)
        perform()
    }

    // MARK: Snapshot for management and status

    var snapshot: InstanceEngine { engine }
    var servoState: ServoState { discipline.servo.state }

    // MARK: The loop

    /// The disciplined clock's reading.
    private func clockNow() -> PTPInstant {
        do {
            return try clock.clock.now()
        } catch {
            logger.error("cannot read \(clock.clock.name): \(error)")
            return .epoch
        }
    }

    /// The engine's time: the clock's, shifted to TAI when the clock keeps UTC (system, virtual) and the
    /// time properties in force use the PTP timescale (8.2.4: then timestamps are TAI and currentUtcOffset
    /// says how far UTC is behind). A PHC keeps TAI itself and is never shifted.
    private func now() -> PTPInstant {
        clockNow() + timescaleShift
    }

    var timescaleShift: PTPDuration {
        guard clock.keepsUTC, engine.timePropertiesDS.ptpTimescale else { return .zero }
        return .seconds(Int64(engine.timePropertiesDS.currentUtcOffset))
    }

    private func handle(_ event: InstanceEvent) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.handle(event, at: now(), into: &actions)
        perform()
    }

    private func perform() {
        // Actions may produce more actions (a measurement's servo verdict); drain until none are left.
        var pending = actions
        actions.removeAll(keepingCapacity: true)
        while !pending.isEmpty {
            var more: [InstanceAction] = []
            for action in pending { perform(action, into: &more) }
            pending = more
        }
    }

    private func perform(_ action: InstanceAction, into more: inout [InstanceAction]) {
        switch action {
        case .parentChanged(let parent, let grandmaster):
            isGrandmaster = parent == nil
            if let parent {
                logger.notice("selected best master clock \(grandmaster) via \(parent)")
            } else {
                logger.notice("selected local clock \(grandmaster) as best master")
                logger.notice("assuming the grand master role")
            }
        case .port(let index, let portAction):
            perform(portAction, port: index, into: &more)
        }
    }

    private func perform(_ action: PortAction, port index: Int, into more: inout [InstanceAction]) {
        switch action {
        case .send(let outgoing):
            guard ports.indices.contains(index) else { return }
            ports[index].send(outgoing)
        case .armTimer(let timer, let after):
            arm(timer, port: index, after: after)
        case .cancelTimer(let timer):
            let key = index * PortTimer.allCases.count + Int(timer.rawValue)
            timers.removeValue(forKey: key)?.task.cancel()
        case .measurement(let measurement):
            measure(measurement, into: &more)
        case .stateChanged(let change):
            lastStateChange[index] = change
            logger.notice("\(change)")
            if let observer = onPortStateChange {
                let number = change.portNumber
                Task { await observer(number) }
            }
        case .stateDecisionNeeded:
            break  // the instance engine runs the state decision itself
        case .diagnostic(let diagnostic):
            diagnostics += 1
            logger.debug("port \(index + 1): \(diagnostic)")
        }
    }

    /// The servo takes the slave port's measurement; its verdict goes back to the engine.
    private func measure(_ measurement: SyncMeasurement, into more: inout [InstanceAction]) {
        measurements += 1
        let step = discipline.apply(measurement)
        lastStep = step
        if step.sourceChanged {
            logger.notice("port \(measurement.portNumber): new master \(measurement.master); servo kept (no step unless beyond step_threshold)")
        }
        if clock.steerable {
            do {
                if let amount = step.output.step {
                    try clock.clock.step(by: amount)
                    logger.notice("clock stepped by \(amount.roundedNanoseconds) ns")
                }
                try clock.clock.adjustFrequency(step.output.frequency)
            } catch {
                logger.error("cannot adjust \(clock.clock.name): \(error)")
            }
        }
        var line = step.logLine
        if let virtual = clock.virtual, let error = try? virtual.trueError() {
            line += " true error \(error.roundedNanoseconds)"
        }
        logger.info("\(line)")
        engine.handle(.servo(step.report), at: now(), into: &more)
    }

    private func arm(_ timer: PortTimer, port index: Int, after: PTPDuration) {
        let key = index * PortTimer.allCases.count + Int(timer.rawValue)
        timers.removeValue(forKey: key)?.task.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        let nanoseconds = max(0, after.nanoseconds)
        let task = Task { [weak self] in
            do {
                try await Task.sleep(for: .nanoseconds(nanoseconds))
            } catch {
                return
            }
            await self?.fire(timer, port: index, key: key, generation: generation)
        }
        timers[key] = (generation, task)
    }

    private func fire(_ timer: PortTimer, port index: Int, key: Int, generation: UInt64) {
        guard let armed = timers[key], armed.generation == generation else { return }
        timers.removeValue(forKey: key)
        handle(.port(index, .timerFired(timer)))
    }
}

extension String {
    /// Right-aligned in `width` columns, as ptp4l's `%10lld`.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

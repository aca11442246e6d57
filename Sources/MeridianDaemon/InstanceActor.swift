import LinuxPlatform
import Logging
import PTPManagement
import PTPWire
import PTPCore
import PTPEngine
import PTPServo

/// The clock's protocol state: the pure ``InstanceEngine`` (every port's engine and the BMCA across
/// them) and the port timers. Ports hand it what they receive; it carries out what the engine decides,
/// hands the slave port's measurements to the ``ClockActor`` (the one servo) and gives the servo's
/// verdict back to the engine.
///
/// DESIGN.md puts each port's engine in its ``PortActor``; the engine issue made one ``InstanceEngine``
/// that holds all port engines so the BMCA sees one consistent state (a port engine on its own actor
/// would decide on a stale picture of the others). The port actors therefore own the I/O (socket,
/// receive thread, transmit stamps) and this actor owns every protocol decision.
actor InstanceActor {
    private var engine: InstanceEngine
    private let clockActor: ClockActor
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
    private var lastStateChange: [Int: PortStateChange] = [:]
    /// Measurements waiting for the clock actor, in order; one task drains them at a time.
    private var pendingMeasurements: [SyncMeasurement] = []
    private var drainingMeasurements = false
    private var isGrandmaster = false
    private var parentDecisions: UInt64 = 0
    /// Called when the grandmaster or its quality changes (management pushes PARENT_DATA_SET).
    private var onParentChange: (@Sendable () async -> Void)?
    /// The parent data set subscribers last heard of.
    private var notifiedParent: ParentDS?
    /// Management state the engine does not hold.
    var synchronizationUncertain: SynchronizationUncertainNP = .dontCare
    private(set) var lastIngress: PTPInstant?
    /// Called after every port state change (management pushes PORT_DATA_SET to subscribers).
    private var onPortStateChange: (@Sendable (UInt16) async -> Void)?
    let portInterfaces: [String]
    let softwareStamps: Bool
    let referenceKindCode: MeridianStatus.ReferenceKind

    init(engine: InstanceEngine, clock: ClockActor, logger: Logger, portInterfaces: [String] = [],
         softwareStamps: Bool = true, referenceKind: MeridianStatus.ReferenceKind = .none) {
        self.engine = engine
        self.clockActor = clock
        self.clock = clock.clock
        self.logger = logger
        self.portInterfaces = portInterfaces
        self.softwareStamps = softwareStamps
        self.referenceKindCode = referenceKind
    }

    func setPortStateObserver(_ observer: @escaping @Sendable (UInt16) async -> Void) {
        onPortStateChange = observer
    }

    func setParentObserver(_ observer: @escaping @Sendable () async -> Void) {
        onParentChange = observer
    }

    var snapshotEngine: InstanceEngine { engine }
    var portActors: [PortActor] { ports }
    var clockSource: ClockSource { clock }
    var clockOwner: ClockActor { clockActor }

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

    /// What the grandmaster's reference makes this clock announce when it is the grandmaster (clock
    /// class, accuracy, variance, time properties); reruns the BMCA.
    func setGrandmasterQuality(_ quality: GrandmasterQuality) {
        actions.removeAll(keepingCapacity: true)
        engine.setGrandmasterQuality(quality, at: now(), into: &actions)
        perform()
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

    /// A message from port `port` with its kernel receive stamp (nil for a general message): the stamp
    /// becomes engine time here — the clock's reading, shifted to TAI when the time properties say so.
    func received(port: Int, bytes: [UInt8], kernelTimestamp: PTPInstant?) {
        let timestamp = kernelTimestamp.map { clock.convert($0) + timescaleShift } ?? now()
        received(port: port, bytes: bytes, timestamp: timestamp)
    }

    func transmitted(port: Int, token: PTPEngine.TransmitToken, kernelTimestamp: PTPInstant) {
        transmitted(port: port, token: token, timestamp: clock.convert(kernelTimestamp) + timescaleShift)
    }

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
        // Whatever changed the parent data set (a new grandmaster, its announced quality, our own
        // reference's quality), subscribers hear of it once.
        if engine.parentDS != notifiedParent {
            notifiedParent = engine.parentDS
            if let observer = onParentChange { Task { await observer() } }
        }
    }

    private func perform(_ action: InstanceAction, into more: inout [InstanceAction]) {
        switch action {
        case .parentChanged(let parent, let grandmaster):
            isGrandmaster = parent == nil
            let clockActor = clockActor
            let grandmasterNow = isGrandmaster
            parentDecisions += 1
            let decision = parentDecisions
            Task { await clockActor.select(grandmaster: grandmasterNow, decision: decision) }
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
            pendingMeasurements.append(measurement)
            if !drainingMeasurements {
                drainingMeasurements = true
                Task { await self.drainMeasurements() }
            }
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

    /// The clock actor's servo takes the slave port's measurements, in order; each verdict goes back to
    /// the engine (UNCALIBRATED → SLAVE when the servo locks, 9.2.6.12).
    private func drainMeasurements() async {
        while running, !pendingMeasurements.isEmpty {
            let measurement = pendingMeasurements.removeFirst()
            measurements += 1
            let step = await clockActor.apply(measurement)
            guard running else { break }
            actions.removeAll(keepingCapacity: true)
            engine.handle(.servo(step.report), at: now(), into: &actions)
            perform()
        }
        pendingMeasurements.removeAll()
        drainingMeasurements = false
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

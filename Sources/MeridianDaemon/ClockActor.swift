import Logging
import PTPCore
import PTPEngine
import PTPManagement
import PTPServo
import PTPWire
import Synchronization

/// The one actor of a clock: it owns the pure ``InstanceEngine`` (every port's engine, the BMCA across
/// them and the ``ClockEngine`` with the servo, outlier filter, holdover and reference discipline) and the
/// ``PTPClock``, and carries out what the engine returns, synchronously: a Follow_Up that becomes a
/// measurement adjusts the clock in the same pass, with no `await` in between.
///
/// Each port's I/O thread feeds this actor directly (``serve(port:)`` iterates its ``PortChannel/inputs``
/// on the actor): one hop from the socket to the clock adjustment. Management never waits on it: after
/// every pass it publishes a ``PublishedState`` that the management server reads (``ClockStateBox``).
/// Why the port engines live here and not in one actor per port is in ARCHITECTURE.md ("One actor per clock").
actor ClockActor {
    private var engine: InstanceEngine
    let clock: ClockSource
    private let logger: Logger
    /// Each port's I/O; a fault reset replaces a port's channel with a newly opened one.
    private var ports: [any PortChannel]
    /// Opens port `index`'s transport again (the daemon's factory); nil: a fault reset only restarts the engine.
    private let reopenPort: (@Sendable (Int) throws -> any PortChannel)?
    /// `fault_reset_interval` per port (nil: ASAP), and the pending reset of each FAULTY port.
    private let faultResetIntervals: [LogInterval?]
    private var faultResets: [Int: Task<Void, Never>] = [:]
    /// Bumped when a port's channel is replaced, so the old channel's end is not taken for a dead I/O thread.
    private var portGeneration: [Int]
    /// Ports whose channel this actor opened (a fault reset) and so closes at ``stop()``.
    private var reopened: Set<Int> = []
    /// Fault resets carried out, per port (a transport reopened and the port started over).
    private var faultResetCount: [Int]
    private var portTimers: [Int: (generation: UInt64, task: Task<Void, Never>)] = [:]
    private var clockTimers: [ClockTimer: (generation: UInt64, task: Task<Void, Never>)] = [:]
    private var timerGeneration: UInt64 = 0
    private var actions: [InstanceAction] = []
    private var running = false
    /// Engine tokens of the event messages whose transmit stamps are awaited, by send id, per port.
    private var pendingTokens: [[UInt64: TransmitToken]]
    private var nextSendID: UInt64 = 1
    /// Messages received and sent, by messageType (PORT_STATS_NP's rxMsgType / txMsgType), per port.
    private var received: [[UInt64]]
    private var sent: [[UInt64]]
    private var missingTimestamps: [Int]
    private var diagnostics = 0
    private var lastIngress: PTPInstant?
    private var synchronizationUncertain: SynchronizationUncertainNP = .dontCare
    private var neighborPropDelayThresh: [UInt32]
    /// `summary_interval`: one `master offset` line per measurement, or ptp4l's `rms … max …` summaries.
    private var summary: OffsetSummary
    /// The receiver's fix and satellites from the latest reference sample, with when it came (monotonic).
    private var lastReceiverReport: ReceiverReport?
    /// The parent data set subscribers last heard of.
    private var notifiedParent: ParentDS?
    /// The state for management, published after every pass.
    nonisolated let published: ClockStateBox
    private let observers: Observers
    /// Management messages received on the PTP ports wait here for the management server (15.3), so a port
    /// never waits for management; when it is full the newest are dropped and counted.
    private let managementInbox: AsyncStream<(bytes: [UInt8], port: Int)>.Continuation
    let managementMessages: AsyncStream<(bytes: [UInt8], port: Int)>
    private var managementDropped = 0
    /// gpsd reports dropped because a number was out of range (``GNSSReference/GPSDReport/problem``).
    private var referenceReportsRejected = 0
    /// Input-driven warnings (unstamped event packets, rejected reference samples and reports) are rate-limited.
    private var logLimiter = LogRateLimiter()
    /// What this pass changed that management's subscribers must hear of, once it is published.
    private var changedPorts: [UInt16] = []
    private var referenceStateChanged = false

    /// Who hears of changes: management pushes PORT_DATA_SET, PARENT_DATA_SET and reference state to its
    /// subscribers.
    struct Observers: Sendable {
        var portStateChanged: @Sendable (UInt16) -> Void = { _ in }
        var parentChanged: @Sendable () -> Void = {}
        var referenceStateChanged: @Sendable () -> Void = {}
    }

    init(
        engine: InstanceEngine, clock: ClockSource, ports: [any PortChannel], settings: DaemonSettings,
        logger: Logger, observers: Observers = Observers(),
        reopenPort: (@Sendable (Int) throws -> any PortChannel)? = nil
    ) {
        self.engine = engine
        self.reopenPort = reopenPort
        faultResetIntervals = settings.ports.map(\.faultResetInterval)
        portGeneration = Array(repeating: 0, count: ports.count)
        faultResetCount = Array(repeating: 0, count: ports.count)
        self.clock = clock
        self.ports = ports
        self.logger = logger
        self.observers = observers
        pendingTokens = Array(repeating: [:], count: ports.count)
        let counters = Array(repeating: Array(repeating: UInt64(0), count: 16), count: ports.count)
        received = counters
        sent = counters
        missingTimestamps = Array(repeating: 0, count: ports.count)
        neighborPropDelayThresh = settings.ports.map(\.neighborPropDelayThresh)
        published = ClockStateBox(
            PublishedState(
                engine: engine, received: counters, sent: counters, neighborPropDelayThresh: neighborPropDelayThresh,
                synchronizationUncertain: .dontCare, lastIngress: nil, lastReceiverReport: nil, managementDropped: 0,
                referenceReportsRejected: 0, logLinesSuppressed: 0, faultResets: Array(repeating: 0, count: ports.count)))
        summary = OffsetSummary(summaryInterval: Int(settings.summaryInterval))
        (managementMessages, managementInbox) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        actions.reserveCapacity(32)
    }

    /// Brings every port up (INITIALIZING → LISTENING) and starts the protocol.
    func start() {
        running = true
        for index in ports.indices {
            handle(.port(index, .linkUp))
        }
        publish()
    }

    /// Stops every timer; nothing more is sent.
    func stop() {
        running = false
        for (_, timer) in portTimers { timer.task.cancel() }
        for (_, timer) in clockTimers { timer.task.cancel() }
        portTimers.removeAll()
        clockTimers.removeAll()
        for (_, reset) in faultResets { reset.cancel() }
        faultResets.removeAll()
        // The daemon closes the channels it opened; those a fault reset opened are closed here.
        for index in reopened.sorted() { ports[index].close() }
        reopened.removeAll()
        managementInbox.finish()
    }

    // MARK: The ports

    /// Runs until port `index`'s I/O ends: every input is handled here, on the actor, as it comes.
    ///
    /// An end while running (the I/O thread died on an unexpected error) faults the port; its fault reset then
    /// reopens the transport and serves the new channel (``resetFault(port:generation:)``).
    func serve(port index: Int) async {
        guard ports.indices.contains(index) else { return }
        let generation = portGeneration[index]
        for await input in ports[index].inputs {
            // Inputs the old channel still had queued when a reset replaced it are stale.
            guard generation == portGeneration[index] else { break }
            receive(input, port: index)
        }
        if running && generation == portGeneration[index] {
            logger.error("port \(index + 1): its I/O stopped; the port is FAULTY until its fault reset")
            handle(.port(index, .faultDetected))
        }
    }

    // MARK: Fault reset (ptp4l's fault_reset_interval)

    /// A port went FAULTY: after `fault_reset_interval` (2^n s; ASAP at once) it reopens its transport and
    /// starts over (FAULT_CLEARED → INITIALIZING → LISTENING), as ptp4l's port_initialize does.
    private func scheduleFaultReset(port index: Int) {
        faultResets.removeValue(forKey: index)?.cancel()
        let delay = faultResetIntervals.indices.contains(index) ? faultResetIntervals[index]?.duration : nil
        let generation = portGeneration[index]
        faultResets[index] = Task { [weak self] in
            if let delay {
                try? await Task.sleep(for: .nanoseconds(delay.roundedNanoseconds))
            }
            guard !Task.isCancelled else { return }
            await self?.resetFault(port: index, generation: generation)
        }
    }

    private func resetFault(port index: Int, generation: Int) {
        faultResets.removeValue(forKey: index)
        guard running, generation == portGeneration[index], engine.ports.indices.contains(index),
            engine.ports[index].state == .faulty
        else { return }
        if let reopenPort {
            portGeneration[index] += 1
            ports[index].close()
            do {
                ports[index] = try reopenPort(index)
                reopened.insert(index)
            } catch {
                logger.error("port \(index + 1): fault reset: cannot reopen the transport: \(error); trying again")
                scheduleFaultReset(port: index)
                return
            }
            pendingTokens[index].removeAll()
            Task { await self.serve(port: index) }
        }
        faultResetCount[index] += 1
        logger.notice("port \(index + 1): fault reset: transport reopened, starting over")
        handle(.port(index, .faultCleared))
    }

    private func receive(_ input: PortInput, port index: Int) {
        switch input {
        case .message(let bytes, let stamp, let isEvent):
            guard let first = bytes.first else { return }
            let type = Int(first & 0x0F)
            received[index][type] &+= 1
            if type == Int(MessageType.management.rawValue) {
                if case .dropped = managementInbox.yield((bytes, index)) { managementDropped += 1 }
                return
            }
            if stamp == nil && isEvent {
                missingTimestamps[index] += 1
                if let line = logLimiter.line(
                    "unstamped", "port \(index + 1): event message without a receive timestamp dropped", now: .now)
                {
                    logger.warning("\(line)")
                }
                return
            }
            // The kernel's stamp becomes engine time here: the disciplined clock's reading, shifted to TAI
            // when the time properties say so (general messages carry none; the engine only needs "now").
            let timestamp = stamp.map { clock.convert($0) + timescaleShift } ?? now()
            if type == Int(MessageType.sync.rawValue) { lastIngress = timestamp }
            handle(.port(index, .receivedBytes(bytes, timestamp: timestamp)))
        case .link(let up):
            logger.info("port \(index + 1): link \(up ? "up" : "down")")
            handle(.port(index, up ? .linkUp : .linkDown))
        case .transmitted(let id, let stamp):
            guard let token = pendingTokens[index].removeValue(forKey: id) else { return }
            handle(.port(index, .transmitted(token, timestamp: clock.convert(stamp) + timescaleShift)))
        case .transmitMissed(let id, let reason, let fault):
            pendingTokens[index].removeValue(forKey: id)
            missingTimestamps[index] += 1
            if fault {
                logger.error("port \(index + 1): \(reason)")
                handle(.port(index, .faultDetected))
            } else {
                logger.warning("port \(index + 1): \(reason)")
            }
        case .sendFailed(let id, let reason):
            pendingTokens[index].removeValue(forKey: id)
            logger.warning("port \(index + 1): send failed: \(reason)")
        }
    }

    /// Sends a management reply out of the port the request came in on.
    func sendManagementReply(_ bytes: [UInt8], port index: Int) {
        guard ports.indices.contains(index) else { return }
        sent[index][Int(MessageType.management.rawValue)] &+= 1
        ports[index].send(bytes, event: false, peerDelay: false, id: 0, wantsTimestamp: false)
    }

    // MARK: The reference

    /// One sample of the grandmaster's reference: steers the clock while it is the grandmaster.
    func referenceSample(_ sample: ReferenceSample) {
        lastReceiverReport = ReceiverReport(fix: sample.fixMode, satellites: sample.satellitesUsed, at: .now)
        handle(.referenceSample(sample))
    }

    /// A gpsd report dropped because a number in it was out of range: counted, logged rate-limited.
    func referenceReportRejected(_ reason: String) {
        referenceReportsRejected += 1
        if let line = logLimiter.line("gpsd-rejected", "reference report rejected: \(reason)", now: .now) {
            logger.warning("\(line)")
        }
        publish()
    }

    /// Once a second: notices a lost reference, steers holdover, updates the announced quality.
    func referenceTick() {
        handle(.referenceTick(clockTime: clockNow()))
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

    /// Carries out a management SET or COMMAND; the published state shows it when this returns.
    func apply(_ command: ManagementCommand) -> Result<Void, ManagementErrorID> {
        switch command {
        case .setSynchronizationUncertain(let value):
            synchronizationUncertain = value
            publish()
            return .success(())
        case .setNeighborPropDelayThresh(let number, let nanoseconds):
            let index = Int(number) - 1
            guard neighborPropDelayThresh.indices.contains(index) else { return .failure(.wrongValue) }
            neighborPropDelayThresh[index] = nanoseconds
            publish()
            return .success(())
        default:
            actions.removeAll(keepingCapacity: true)
            let result = engine.applyManagement(command, at: now(), into: &actions)
            perform()
            return result
        }
    }

    /// What the servo has learned of the clock's frequency (for the drift file); nil while unlocked.
    var learnedFrequency: PartsPerBillion? { engine.clock.discipline.servo.learnedFrequency }

    // MARK: The loop

    /// The disciplined clock's reading (the epoch when it cannot be read, logged).
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

    private var timescaleShift: PTPDuration {
        guard clock.keepsUTC, engine.timePropertiesDS.ptpTimescale else { return .zero }
        return .seconds(Int64(engine.timePropertiesDS.currentUtcOffset))
    }

    private func handle(_ event: InstanceEvent) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.handle(event, at: now(), into: &actions)
        perform()
    }

    /// Carries out the pass's actions in order, publishes the state for management, then tells management's
    /// subscribers what changed (after publishing, so the notification they get shows the new state).
    private func perform() {
        for action in actions { perform(action) }
        actions.removeAll(keepingCapacity: true)
        publish()
        for port in changedPorts { observers.portStateChanged(port) }
        changedPorts.removeAll(keepingCapacity: true)
        if referenceStateChanged {
            referenceStateChanged = false
            observers.referenceStateChanged()
        }
        // Whatever changed the parent data set (a new grandmaster, its announced quality, our own
        // reference's quality), subscribers hear of it once.
        if engine.parentDS != notifiedParent {
            notifiedParent = engine.parentDS
            observers.parentChanged()
        }
    }

    private func perform(_ action: InstanceAction) {
        switch action {
        case .parentChanged(let parent, let grandmaster):
            if let parent {
                logger.notice("selected best master clock \(grandmaster) via \(parent)")
            } else {
                logger.notice("selected local clock \(grandmaster) as best master")
                logger.notice("assuming the grand master role")
            }
        case .port(let index, let portAction):
            perform(portAction, port: index)
        case .clock(let clockAction):
            perform(clockAction)
        }
    }

    private func perform(_ action: PortAction, port index: Int) {
        switch action {
        case .send(let outgoing):
            send(outgoing, port: index)
        case .armTimer(let timer, let after):
            armPortTimer(timer, port: index, after: after)
        case .cancelTimer(let timer):
            portTimers.removeValue(forKey: Self.key(timer, port: index))?.task.cancel()
        case .measurement:
            break  // the clock engine took it in the same pass; `.clock(.measured)` reports the outcome
        case .stateChanged(let change):
            logger.notice("\(change)")
            changedPorts.append(change.portNumber)
            if change.to == .faulty {
                scheduleFaultReset(port: index)
            } else if change.from == .faulty {
                faultResets.removeValue(forKey: index)?.cancel()
            }
        case .stateDecisionNeeded:
            break  // the instance engine runs the state decision itself
        case .diagnostic(let diagnostic):
            diagnostics += 1
            logger.debug("port \(index + 1): \(diagnostic)")
        }
    }

    private func perform(_ action: ClockAction) {
        switch action {
        case .adjust(let step, let frequency, let source):
            adjust(step: step, frequency: frequency, source: source)
        case .armTimer(let timer, let after):
            armClockTimer(timer, after: after)
        case .measured(let measurement, let step):
            summary.setSyncInterval(measurement.logSyncInterval)
            if let line = summary.add(step, trueError: clock.trueErrorNanoseconds) { logger.info("\(line)") }
        case .sourceChanged(let source):
            logger.notice("servo now follows \(source); frequency kept (no step unless beyond step_threshold)")
        case .holdover(let holdover):
            logger.notice("\(holdover)")
        case .reference(let output, let steering):
            report(output, steering: steering)
        }
    }

    private func report(_ output: ReferenceDisciplineOutput, steering: Bool) {
        if let rejection = output.rejection,
            let line = logLimiter.line("reference-rejected", "reference sample rejected: \(rejection)", now: .now)
        {
            logger.warning("\(line)")
        }
        if let offset = output.offset, let state = output.servoState {
            var line =
                (steering ? "" : "standby ")
                + "reference offset \(String(offset.roundedNanoseconds).leftPadded(to: 10)) s\(state.rawValue) freq \(Int((output.frequency ?? .zero).value))"
            if let error = clock.trueErrorNanoseconds { line += " true error \(error)" }
            logger.info("\(line)")
        }
        if let change = output.stateChange {
            logger.notice("\(change)")
            referenceStateChanged = true
        }
        if let quality = output.quality {
            logger.notice(
                "announcing clockClass \(quality.clockQuality.clockClass), clockAccuracy 0x\(String(quality.clockQuality.clockAccuracy.rawValue, radix: 16)), timeSource 0x\(String(quality.timeProperties.timeSource.rawValue, radix: 16)), currentUtcOffset \(quality.timeProperties.currentUtcOffset)\(quality.timeProperties.currentUtcOffsetValid ? " (valid)" : "")"
            )
        }
    }

    private func adjust(step: PTPDuration?, frequency: PartsPerBillion?, source: AdjustmentSource) {
        guard clock.steerable else { return }
        do {
            if let step {
                try clock.clock.step(by: step)
                logger.notice("\(source == .reference ? "reference: " : "")clock stepped by \(step.roundedNanoseconds) ns")
            }
            if let frequency { try clock.clock.adjustFrequency(frequency) }
        } catch {
            logger.error("cannot adjust \(clock.clock.name): \(error)")
        }
    }

    /// Encodes one message and hands it to the port's I/O thread.
    private func send(_ outgoing: OutgoingMessage, port index: Int) {
        guard ports.indices.contains(index) else { return }
        let bytes = outgoing.message.encoded()
        let type = outgoing.message.messageType
        let peerDelay = type == .pdelayReq || type == .pdelayResp || type == .pdelayRespFollowUp
        let id = nextSendID
        nextSendID &+= 1
        if let token = outgoing.token {
            pendingTokens[index][id] = token
            // Bounded: stamps that never came back (a closed port) are forgotten, oldest first.
            if pendingTokens[index].count > 1024, let oldest = pendingTokens[index].keys.min() {
                pendingTokens[index].removeValue(forKey: oldest)
            }
        }
        sent[index][Int(type.rawValue & 0x0F)] &+= 1
        ports[index].send(bytes, event: outgoing.isEvent, peerDelay: peerDelay, id: id, wantsTimestamp: outgoing.token != nil)
    }

    // MARK: Timers

    private static func key(_ timer: PortTimer, port index: Int) -> Int {
        index * PortTimer.allCases.count + Int(timer.rawValue)
    }

    private func armPortTimer(_ timer: PortTimer, port index: Int, after: PTPDuration) {
        let key = Self.key(timer, port: index)
        portTimers.removeValue(forKey: key)?.task.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        let task = sleepThen(after) { actor in await actor.firePortTimer(timer, port: index, key: key, generation: generation) }
        portTimers[key] = (generation, task)
    }

    private func armClockTimer(_ timer: ClockTimer, after: PTPDuration) {
        clockTimers.removeValue(forKey: timer)?.task.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        let task = sleepThen(after) { actor in await actor.fireClockTimer(timer, generation: generation) }
        clockTimers[timer] = (generation, task)
    }

    private func sleepThen(_ after: PTPDuration, _ body: @escaping @Sendable (ClockActor) async -> Void) -> Task<Void, Never> {
        let nanoseconds = max(0, after.nanoseconds)
        return Task { [weak self] in
            do {
                try await Task.sleep(for: .nanoseconds(nanoseconds))
            } catch {
                return
            }
            guard let self else { return }
            await body(self)
        }
    }

    private func firePortTimer(_ timer: PortTimer, port index: Int, key: Int, generation: UInt64) {
        guard let armed = portTimers[key], armed.generation == generation else { return }
        portTimers.removeValue(forKey: key)
        handle(.port(index, .timerFired(timer)))
    }

    private func fireClockTimer(_ timer: ClockTimer, generation: UInt64) {
        guard let armed = clockTimers[timer], armed.generation == generation else { return }
        clockTimers.removeValue(forKey: timer)
        handle(.clockTimerFired(timer))
    }

    // MARK: Published state

    private func publish() {
        published.store(
            PublishedState(
                engine: engine, received: received, sent: sent, neighborPropDelayThresh: neighborPropDelayThresh,
                synchronizationUncertain: synchronizationUncertain, lastIngress: lastIngress,
                lastReceiverReport: lastReceiverReport, managementDropped: managementDropped,
                referenceReportsRejected: referenceReportsRejected, logLinesSuppressed: logLimiter.suppressedTotal,
                faultResets: faultResetCount))
    }
}

/// The receiver's fix and satellites from a reference sample, and when it came (monotonic, so a clock step
/// does not age it).
struct ReceiverReport: Sendable {
    var fix: GNSSFixMode
    var satellites: Int?
    var at: ContinuousClock.Instant
}

/// What the clock actor publishes after every pass, for management: a value, consistent by construction.
struct PublishedState: Sendable {
    var engine: InstanceEngine
    var received: [[UInt64]]
    var sent: [[UInt64]]
    var neighborPropDelayThresh: [UInt32]
    var synchronizationUncertain: SynchronizationUncertainNP
    var lastIngress: PTPInstant?
    var lastReceiverReport: ReceiverReport?
    var managementDropped: Int
    /// gpsd reports rejected for an out-of-range number (issue #17).
    var referenceReportsRejected: Int
    /// Input-driven log lines suppressed by the rate limit (``LogRateLimiter``).
    var logLinesSuppressed: Int
    /// Fault resets per port (`fault_reset_interval`: the transport reopened, the port started over).
    var faultResets: [Int]
}

/// Holds the latest ``PublishedState``; the clock actor writes it, management reads it from any thread.
final class ClockStateBox: Sendable {
    private let state: Mutex<PublishedState>

    init(_ initial: PublishedState) {
        state = Mutex(initial)
    }

    func store(_ value: PublishedState) {
        state.withLock { $0 = value }
    }

    func load() -> PublishedState {
        state.withLock { $0 }
    }
}

extension String {
    /// Right-aligned in `width` columns, as ptp4l's `%10lld`.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

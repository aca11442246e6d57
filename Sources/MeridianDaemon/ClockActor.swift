import LinuxPlatform
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
/// It runs on its clock's ``ClockLoop`` thread (its executor), which polls the daemon's ports and keeps the
/// engine timers, and calls ``loopEvent(_:)`` on that thread: a packet goes from the socket to the clock
/// adjustment without leaving the thread. Ports that deliver through a stream (the test seam's) are drained
/// by ``serve(port:)``. Management never waits on it: after every pass it publishes a ``PublishedState``
/// that the management server reads (``ClockStateBox``). Why the port engines live here and not in one actor
/// per port is in ARCHITECTURE.md ("One actor per clock").
actor ClockActor {
    private var engine: InstanceEngine
    let clock: ClockSource
    private let logger: Logger
    /// Each port's I/O; a fault reset replaces a port's channel with a newly opened one.
    private var ports: [any PortChannel]
    /// The thread this actor runs on; it polls the ports that ``PortChannel/attach(to:port:)`` gave it and
    /// keeps the engine's timers.
    private let loop: ClockLoop
    /// Whether each port's inputs come from the loop (true) or through its ``PortChannel/inputs`` (false).
    private var polled: [Bool]
    /// Opens port `index`'s transport again (the daemon's factory); nil: a fault reset only restarts the engine.
    private let reopenPort: (@Sendable (Int) throws -> any PortChannel)?
    /// `fault_reset_interval` per port (nil: ASAP).
    private let faultResetIntervals: [LogInterval?]
    /// Bumped when a port's channel is replaced, so the old channel's end is not taken for a dead I/O.
    private var portGeneration: [Int]
    /// Ports whose channel this actor opened (a fault reset) and so closes at ``stop()``.
    private var reopened: Set<Int> = []
    /// Fault resets carried out, per port (a transport reopened and the port started over).
    private var faultResetCount: [Int]
    private var actions: [InstanceAction] = []
    private var running = false
    /// When the state was last published (monotonic ns), and whether a later pass waits for the spacing.
    private var lastPublishedAt: Int64 = .min / 2
    private var publishPending = false
    /// Whether this pass carried a measurement (its TIME_STATUS_NP push reads the published state).
    private var measuredThisPass = false
    /// Engine tokens of the event messages whose transmit stamps are awaited, by send id, per port.
    private var pendingTokens: [PendingTransmits]
    private static let pendingTokenLimit = 1 << 17
    private var nextSendID: UInt64 = 1
    /// The buffer the last message was encoded into, reused for the next: a multicast message has left when the
    /// port's `send` returns, so the buffer is this actor's alone again and encoding the next one allocates
    /// nothing. A unicast message waits in the port's queue until the pass ends; the buffer is then shared and
    /// the next encoding starts a new one, as `encoded()` always did.
    private var encodeBuffer: [UInt8] = []
    /// The engine's working list of its ports' actions, kept here between events rather than in the engine: a
    /// copy of the engine in the published state would share it, and the next event's first action would then
    /// copy it to a new buffer (``InstanceEngine/handle(_:at:into:buffer:)``).
    private var portActions: [PortAction] = []
    /// Messages received and sent, by messageType (PORT_STATS_NP's rxMsgType / txMsgType), per port.
    private var received: [[UInt64]]
    private var sent: [[UInt64]]
    private var missingTimestamps: [Int]
    /// `time_stamping p2p1step`, per port: a Pdelay_Req may come without a receive stamp (the NIC keeps its ingress
    /// time for the one-step Pdelay_Resp's turnaround), and is answered all the same, as linuxptp port.c does.
    private let unstampedPdelayRequests: [Bool]
    /// Messages dropped by each port's `source_allow_list` / `acceptable_master_table`, by reason.
    private var filtered: [[Int]]
    /// Transmit stamps that never came (a subset of ``missingTimestamps``), per port.
    private var transmitMisses: [Int]
    /// Times each port entered FAULTY.
    private var faults: [Int]
    /// RMS offset, residual frequency and skew over the last measurements (`meridianctl tracking`).
    private var tracking = TrackingWindow()
    /// The sync state last logged (`sync-state …`), with its cause.
    private var loggedSyncState: SyncStatus?
    private var diagnostics = 0
    /// Servo adjustments made on the thread that read their Follow_Up (or Sync) from the socket, in the same
    /// call (zero hops), and those that came after a hop (an input delivered through a stream, the seam's).
    private(set) var servoAdjustments: (sameThread: Int, afterHop: Int) = (0, 0)
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
    /// `refclock_sock_address`: chrony's SOCK refclock, fed while the clock is locked.
    private let chronyFeed: ChronySockFeed?
    /// `ntpshm_feed`: the NTP SHM segment, written while locked.
    private let shmFeed: NTPSHMFeed?
    /// `slave_event_monitor`: where each Sync and Delay_Resp a slave port takes is reported.
    private var slaveEvents: SlaveEventReporter?
    /// `system_clock_follower`: a clock that follows the disciplined one (phc2sys's role).
    private var follower: SystemClockFollower?
    /// Whether the reference's stamps cross from CLOCK_REALTIME onto this clock through a measured relation
    /// (gpsd, kernel PPS or simulated GNSS on a PHC): then the crossing's uncertainty is re-measured every
    /// `conversion_remeasure_interval` reference ticks and the announced accuracy follows it.
    private let remeasuresConversion: Bool
    private var referenceTicks = 0
    /// Reference ticks (about a second each) between re-measurements of the conversion uncertainty
    /// (`conversion_remeasure_interval`).
    private let conversionRemeasureTicks: Int
    /// `boundary_clock_jbod`: the ports' other PHCs, kept aligned to the disciplined clock; their stamps converted.
    private var alignment: PHCAlignment?
    /// Samples sent to chrony, and sends that failed (no chronyd listening, its queue full).
    private(set) var chronySamples: (sent: Int, failed: Int) = (0, 0)
    /// `sanity_freq_limit`: the clock's rate against the monotonic clock, checked at received stamps.
    private var sanityCheck: ClockSanityCheck?
    /// Times the sanity check found the clock moved under the servo (and reset it).
    private(set) var sanityResets = 0
    /// What this pass changed that management's subscribers must hear of, once it is published.
    private var changedPorts: [UInt16] = []
    private var referenceStateChanged = false

    /// Who hears of changes: management pushes PORT_DATA_SET, PARENT_DATA_SET and reference state to its
    /// subscribers.
    struct Observers: Sendable {
        var portStateChanged: @Sendable (UInt16) -> Void = { _ in }
        var parentChanged: @Sendable () -> Void = {}
        var referenceStateChanged: @Sendable () -> Void = {}
        /// The sync state (LOCKED, HOLDOVER, FREERUN) or its cause changed: pushed as MERIDIAN_STATUS_NP.
        var syncStateChanged: @Sendable () -> Void = {}
        /// A measurement adjusted the clock (linuxptp 4's NOTIFY_TIME_SYNC, TIME_STATUS_NP).
        var timeSynced: @Sendable () -> Void = {}
    }

    init(
        engine: InstanceEngine, clock: ClockSource, ports: [any PortChannel], loop: ClockLoop, settings: DaemonSettings,
        logger: Logger, observers: Observers = Observers(),
        reopenPort: (@Sendable (Int) throws -> any PortChannel)? = nil, chronyFeed: ChronySockFeed? = nil,
        shmFeed: NTPSHMFeed? = nil, follower: SystemClockFollower? = nil, alignment: PHCAlignment? = nil,
        remeasuresConversion: Bool = false, conversionRemeasureTicks: Int = 16, slaveEvents: SlaveEventReporter? = nil
    ) {
        self.remeasuresConversion = remeasuresConversion
        self.conversionRemeasureTicks = max(1, conversionRemeasureTicks)
        self.slaveEvents = slaveEvents
        self.follower = follower
        self.alignment = alignment
        self.chronyFeed = chronyFeed
        self.shmFeed = shmFeed
        self.engine = engine
        self.reopenPort = reopenPort
        sanityCheck = settings.sanityFreqLimit > 0 ? ClockSanityCheck(limit: settings.sanityFreqLimit) : nil
        faultResetIntervals = settings.ports.map(\.faultResetInterval)
        unstampedPdelayRequests = settings.ports.map { $0.transport.transmitStamps == .oneStepPeerDelay }
        portGeneration = Array(repeating: 0, count: ports.count)
        faultResetCount = Array(repeating: 0, count: ports.count)
        self.clock = clock
        self.ports = ports
        self.loop = loop
        polled = ports.enumerated().map { index, port in port.attach(to: loop, port: index) }
        self.logger = logger
        self.observers = observers
        pendingTokens = Array(repeating: PendingTransmits(), count: ports.count)
        let counters = Array(repeating: Array(repeating: UInt64(0), count: 16), count: ports.count)
        received = counters
        sent = counters
        missingTimestamps = Array(repeating: 0, count: ports.count)
        filtered = Array(repeating: Array(repeating: 0, count: SourceFilter.Reason.allCases.count), count: ports.count)
        transmitMisses = Array(repeating: 0, count: ports.count)
        faults = Array(repeating: 0, count: ports.count)
        neighborPropDelayThresh = settings.ports.map(\.neighborPropDelayThresh)
        published = ClockStateBox(
            PublishedState(
                engine: engine, received: counters, sent: counters, neighborPropDelayThresh: neighborPropDelayThresh,
                synchronizationUncertain: .dontCare, lastIngress: nil, lastReceiverReport: nil, managementDropped: 0,
                referenceReportsRejected: 0, logLinesSuppressed: 0,
                missingTimestamps: missingTimestamps, transmitMisses: transmitMisses, faults: faults,
                tracking: TrackingWindow.Summary(), faultResets: Array(repeating: 0, count: ports.count)))
        summary = OffsetSummary(summaryInterval: Int(settings.summaryInterval))
        (managementMessages, managementInbox) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        actions.reserveCapacity(32)
        portActions.reserveCapacity(32)
        loop.setHandler { [weak self] event in
            self?.onLoopThread(event)
        }
    }

    /// The loop's handler, called on the loop's thread, which is this actor's executor (`unownedExecutor`), so
    /// the actor's state is reached synchronously. `assumeIsolated` does the same after asking the runtime
    /// whether the executor is current, but it allocated a context for its closure on every call: a malloc,
    /// a free and a dynamic cast per message and timer. The loop calls its handler only from its own thread
    /// (`ClockLoop.deliver`); debug builds check it.
    private nonisolated func onLoopThread(_ event: ClockLoop.Event) {
        assert(loop.isIsolatingCurrentContext() == true, "a clock loop event off the loop's thread")
        typealias Isolated = (isolated ClockActor, ClockLoop.Event) -> Void
        typealias Plain = (ClockActor, ClockLoop.Event) -> Void
        let body: Isolated = { actor, event in actor.loopEvent(event) }
        unsafeBitCast(body, to: Plain.self)(self, event)
    }

    /// The actor runs on its clock's loop thread, never on the cooperative pool.
    nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    /// Brings every port up (INITIALIZING → LISTENING) and starts the protocol.
    func start() {
        running = true
        for index in ports.indices {
            handle(.port(index, .linkUp))
        }
        publish(force: true)
    }

    /// Stops every timer; nothing more is sent.
    func stop() {
        if running {
            // Unicast grants this clock holds are cancelled while the ports are still open (linuxptp
            // `port_cancel_unicast`), so the masters stop sending now rather than when the grants lapse.
            actions.removeAll(keepingCapacity: true)
            engine.cancelUnicastService(into: &actions)
            for action in actions { perform(action) }
            actions.removeAll(keepingCapacity: true)
            // Out now, not after this job: the daemon closes the ports as soon as this returns.
            loop.flushPorts()
        }
        if running && servoAdjustments != (0, 0) {
            logger.notice(
                "servo adjustments: \(servoAdjustments.sameThread) made on the thread that read their message from the socket (0 hops), \(servoAdjustments.afterHop) after a hop"
            )
        }
        running = false
        loop.cancelAllTimers()
        loop.removePorts()
        // The daemon closes the channels it opened; those a fault reset opened are closed here.
        for index in reopened.sorted() { ports[index].close() }
        reopened.removeAll()
        managementInbox.finish()
    }

    // MARK: The ports

    /// Runs until port `index`'s I/O ends: every input is handled here, on the actor, as it comes. Returns at
    /// once for a port that the loop polls (its inputs come through ``loopEvent(_:)``).
    ///
    /// An end while running (the I/O died on an unexpected error) faults the port; its fault reset then reopens
    /// the transport and serves the new channel (``resetFault(port:)``).
    func serve(port index: Int) async {
        guard ports.indices.contains(index), !polled[index] else { return }
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

    /// What the loop hands over, on its thread: a polled port's input, the end of its I/O, or a due timer.
    private func loopEvent(_ event: ClockLoop.Event) {
        switch event {
        case .input(let index, let input):
            receive(input, port: index)
        case .ioEnded(let index, let reason):
            if running {
                logger.error("port \(index + 1): its I/O stopped: \(reason); the port is FAULTY until its fault reset")
                handle(.port(index, .faultDetected))
            }
        case .timer(let key):
            if key == Self.publishKey {
                publishPending = false
                publish(force: true)
            } else if key == Self.historyKey {
                recordHistory()
            } else if key <= Self.faultResetKeyBase {
                resetFault(port: Self.faultResetKeyBase - key)
            } else if key >= 0 {
                let count = PortTimer.caseCount
                if let timer = PortTimer(rawValue: UInt8(truncatingIfNeeded: key % count)) {
                    handle(.port(key / count, .timerFired(timer)))
                }
            } else if let timer = ClockTimer(rawValue: UInt8(truncatingIfNeeded: -1 - key)) {
                handle(.clockTimerFired(timer))
            }
        }
    }

    // MARK: Fault reset (ptp4l's fault_reset_interval)

    /// The loop's timer keys of fault resets: this base minus the port's index (below every clock timer's key).
    private static let faultResetKeyBase = -1_000

    /// A port went FAULTY: after `fault_reset_interval` (2^n s; ASAP at once) it reopens its transport and
    /// starts over (FAULT_CLEARED → INITIALIZING → LISTENING), as ptp4l's port_initialize does.
    private func scheduleFaultReset(port index: Int) {
        let delay = faultResetIntervals.indices.contains(index) ? faultResetIntervals[index]?.duration : nil
        loop.arm(Self.faultResetKeyBase - index, after: delay ?? .zero)
    }

    private func resetFault(port index: Int) {
        guard running, engine.ports.indices.contains(index), engine.ports[index].state == .faulty else { return }
        if let reopenPort {
            portGeneration[index] += 1
            loop.remove(port: index)
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
            polled[index] = ports[index].attach(to: loop, port: index)
            if !polled[index] { Task { await self.serve(port: index) } }
        }
        faultResetCount[index] += 1
        logger.notice("port \(index + 1): fault reset: transport reopened, starting over")
        handle(.port(index, .faultCleared))
    }

    private func receive(_ input: PortInput, port index: Int) {
        switch input {
        case .message(let bytes, let stamp, let isEvent, let source):
            guard let first = bytes.first else { return }
            // Counted by the messageType nibble (PORT_STATS_NP's index; reserved values too), then dispatched on it.
            received[index][Int(first & 0x0F)] &+= 1
            let type = MessageType(rawValue: first & 0x0F)
            if type == .management {
                if case .dropped = managementInbox.yield((bytes, index)) { managementDropped += 1 }
                return
            }
            if stamp == nil && isEvent
                && !(type == .pdelayReq && unstampedPdelayRequests.indices.contains(index) && unstampedPdelayRequests[index])
            {
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
            // `if let`, not `Optional.map`: an isolated closure passed to `map` asks the runtime whether this
            // actor's executor is current (`swift_task_isCurrentExecutor`) on every call.
            let timestamp: PTPInstant
            if let stamp {
                let clockTime = convert(stamp, port: index)
                timestamp = clockTime + timescaleShift
                if sanityCheck != nil { checkSanity(clockTime: clockTime) }
            } else {
                timestamp = now()
            }
            if type == .sync { lastIngress = timestamp }
            if let source {
                handle(.port(index, .receivedBytesFrom(bytes, timestamp: timestamp, source: source)))
            } else {
                handle(.port(index, .receivedBytes(bytes, timestamp: timestamp)))
            }
        case .link(let up):
            logger.info("port \(index + 1): link \(up ? "up" : "down")")
            handle(.port(index, up ? .linkUp : .linkDown))
        case .transmitted(let id, let stamp):
            guard let token = pendingTokens[index].remove(id) else { return }
            handle(.port(index, .transmitted(token, timestamp: convert(stamp, port: index) + timescaleShift)))
        case .transmitMissed(let id, let reason, let fault):
            _ = pendingTokens[index].remove(id)
            missingTimestamps[index] += 1
            transmitMisses[index] += 1
            if fault {
                logger.error("port \(index + 1): \(reason)")
                handle(.port(index, .faultDetected))
            } else {
                logger.warning("port \(index + 1): \(reason)")
            }
        case .sendFailed(let id, let reason):
            _ = pendingTokens[index].remove(id)
            logger.warning("port \(index + 1): send failed: \(reason)")
        case .filtered(let reason, let firstByte):
            // Read, so counted with what the port read; then dropped and counted as filtered.
            received[index][Int(firstByte & 0x0F)] &+= 1
            filtered[index][reason.rawValue] &+= 1
        }
    }

    /// Sends a management message out of port `index`: a reply (out of the port the request came in on) or a
    /// forwarded message (15.3.3).
    func sendManagement(_ bytes: [UInt8], port index: Int) {
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
    /// Once a second: the follower measures itself against the disciplined clock and steers (only while the
    /// disciplined clock is locked or in holdover: a free-running clock is nothing to follow).
    func followerTick() {
        guard var current = follower, syncStatus().state != .freerun, let system = try? VirtualClock.realtime() else {
            return
        }
        var disciplined = clock.relation.clockTime(atSystem: system)
        if !clock.keepsUTC { disciplined = disciplined - .seconds(Int64(engine.timePropertiesDS.currentUtcOffset)) }
        let line = current.tick(system: system, disciplinedUTC: disciplined)
        follower = current
        logger.info("\(line)")
    }

    /// Once a second (`boundary_clock_jbod`): every other PHC a port stamps with is measured against the
    /// disciplined clock and steered (``PHCAlignment/tick()``).
    func alignmentTick() {
        guard var current = alignment else { return }
        let lines = current.tick(steer: clock.steerable)
        alignment = current
        for line in lines { logger.info("\(line)") }
        publish()
    }

    /// A port timestamp in the disciplined clock's time: through the port's own PHC when it has one (jbod),
    /// else the clock's conversion (a kernel software stamp onto a virtual or emulated clock; identity for
    /// hardware stamps of the disciplined PHC).
    private func convert(_ stamp: PTPInstant, port index: Int) -> PTPInstant {
        if alignment != nil, let converted = alignment?.convert(stamp, port: index) { return converted }
        return clock.convert(stamp)
    }

    func referenceTick() {
        remeasureConversion()
        handle(.referenceTick(clockTime: clockNow()))
    }

    /// Every ``conversionRemeasureTicks`` ticks: the worst window of five sys-offset measurements becomes the
    /// conversion uncertainty the announced accuracy carries (it was measured at start-up the same way). A
    /// PHC whose read path got slower or noisier (bus load, a driver falling back) is announced as what it is
    /// now; a change of more than a quarter is logged.
    private func remeasureConversion() {
        guard remeasuresConversion || alignment != nil else { return }
        referenceTicks += 1
        guard referenceTicks % conversionRemeasureTicks == 0 else { return }
        let worst: PTPDuration
        do {
            // The crossing from CLOCK_REALTIME (gpsd, PPS, simulated), plus with jbod the widest PHC-to-PHC window.
            let crossing = remeasuresConversion ? try clock.relation.worstUncertainty(of: 5) : .zero
            worst = try crossing + (alignment?.worstUncertainty() ?? .zero)
        } catch {
            if let line = logLimiter.line(
                "conversion", "reference: cannot re-measure \(clock.clock.name) against CLOCK_REALTIME: \(error)", now: .now)
            {
                logger.warning("\(line)")
            }
            return
        }
        guard let before = engine.setConversionUncertainty(worst) else { return }
        let change = (worst - before).nanoseconds.magnitude
        if change > before.nanoseconds.magnitude / 4 {
            logger.notice(
                "reference: conversion uncertainty re-measured \(worst.roundedNanoseconds) ns (was \(before.roundedNanoseconds) ns)"
            )
        }
    }

    // MARK: Run-time changes (SIGHUP, management)

    /// Changes priority1/priority2 and reruns the BMCA at once (IEEE 1588-2019 8.2.1.4).
    func setPriorities(priority1: UInt8, priority2: UInt8) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.setPriorities(priority1: priority1, priority2: priority2, at: now(), into: &actions)
        perform(publishing: true)
    }

    /// Changes slaveOnly and reruns the BMCA.
    func setSlaveOnly(_ slaveOnly: Bool) {
        guard running else { return }
        actions.removeAll(keepingCapacity: true)
        engine.setSlaveOnly(slaveOnly, at: now(), into: &actions)
        perform(publishing: true)
    }

    /// Carries out a management SET or COMMAND; the published state shows it when this returns.
    func apply(_ command: ManagementCommand) -> Result<Void, ManagementErrorID> {
        switch command {
        case .setSynchronizationUncertain(let value):
            synchronizationUncertain = value
            publish(force: true)
            return .success(())
        case .setNeighborPropDelayThresh(let number, let nanoseconds):
            let index = Int(number) - 1
            guard neighborPropDelayThresh.indices.contains(index) else { return .failure(.wrongValue) }
            neighborPropDelayThresh[index] = nanoseconds
            engine.setNeighborPropDelayThresh(Int64(nanoseconds), port: index)
            publish(force: true)
            return .success(())
        default:
            actions.removeAll(keepingCapacity: true)
            let result = engine.applyManagement(command, at: now(), into: &actions)
            perform(publishing: true)
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

    /// The shift the engine's stored instants were last moved to (``perform()``).
    private var appliedTimescaleShift = PTPDuration.zero

    private var timescaleShift: PTPDuration {
        guard clock.keepsUTC, engine.timePropertiesDS.ptpTimescale else { return .zero }
        return .seconds(Int64(engine.timePropertiesDS.currentUtcOffset))
    }

    private func handle(_ event: InstanceEvent) {
        guard running else { return }
        // Empty: ``perform(publishing:)`` drains it.
        if !actions.isEmpty { actions.removeAll(keepingCapacity: true) }
        engine.handle(event, at: now(), into: &actions, buffer: &portActions)
        perform()
    }

    /// Carries out the pass's actions in order, publishes the state for management, then tells management's
    /// subscribers what changed (after publishing, so the notification they get shows the new state).
    private func perform(publishing force: Bool = false) {
        // Each action moved out of the list, not copied (a copy retains a message's buffers for the list's removal
        // to release; ``Array/drain(leaving:_:)``); the list's storage is kept for the next pass unless an action
        // queued more meanwhile.
        var pending: [InstanceAction] = []
        swap(&pending, &actions)
        pending.drain(leaving: .clockClassChanged(0)) { action in perform(action) }
        if actions.isEmpty { swap(&pending, &actions) }
        // The engine's time is the clock's shifted to TAI on the PTP timescale: when that shift changed in this
        // pass (the first master on the PTP timescale, a new UTC offset), the instants the engine keeps move too.
        let shift = timescaleShift
        if shift != appliedTimescaleShift {
            engine.timescaleShifted(by: shift - appliedTimescaleShift)
            appliedTimescaleShift = shift
        }
        // A pass that subscribers hear of (a state or parent change, a measurement: TIME_STATUS_NP) is published at
        // once, since their pushes read the published state; the rest (a master's sends) at most every 20 ms.
        let sync = syncStatus()
        let syncChanged = sync != loggedSyncState
        let parentChanged = engine.parentDS != notifiedParent
        let heard = measuredThisPass || !changedPorts.isEmpty || referenceStateChanged || syncChanged || parentChanged
        measuredThisPass = false
        publish(force: force || heard)
        for port in changedPorts { observers.portStateChanged(port) }
        changedPorts.removeAll(keepingCapacity: true)
        if referenceStateChanged {
            referenceStateChanged = false
            observers.referenceStateChanged()
        }
        // The operator's one line per change of sync state, never per packet, and a push to subscribers.
        // (A value compared every pass; the text is only made when it changed.)
        if syncChanged {
            // The first state is only logged, not pushed: nobody can have subscribed before the start.
            let first = loggedSyncState == nil
            loggedSyncState = sync
            logger.notice("sync-state \(sync)")
            if !first { observers.syncStateChanged() }
        }
        // Whatever changed the parent data set (a new grandmaster, its announced quality, our own
        // reference's quality), subscribers hear of it once.
        if parentChanged {
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
        case .clockClassChanged(let clockClass):
            logger.notice(
                "announcing clockClass \(clockClass) (G.8275 boundary clock \(clockClass == 135 ? "in holdover within specification" : clockClass == 165 ? "in holdover out of specification" : "following a master again"))"
            )
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
            loop.cancel(Self.key(timer, port: index))
        case .measurement:
            break  // the instance keeps it for its clock engine (it never reaches this list)
        case .stateChanged(let change):
            logger.notice("\(change)")
            if change.to == .faulty, faults.indices.contains(index) { faults[index] += 1 }
            changedPorts.append(change.portNumber)
            deferEventInputIfMaster(port: index)
            if change.to == .faulty {
                scheduleFaultReset(port: index)
            } else if change.from == .faulty {
                loop.cancel(Self.faultResetKeyBase - index)
            }
        case .stateDecisionNeeded:
            break  // the instance engine runs the state decision itself
        case .diagnostic(let diagnostic):
            diagnostics += 1
            switch diagnostic {
            case .peerDetected:
                logger.info("port \(index + 1): \(diagnostic)")  // ptp4l's pr_info: once per port, at the switch
                deferEventInputIfMaster(port: index)  // now P2P: its Pdelay_Reqs are answered when they come
            case .unicastClient(.refused), .unicastClient(.cancelled), .unicastClient(.bogusInterval):
                // A master of the table refused or cancelled service: ptp4l warns (unicast_client.c). Only a
                // table master's messages get here, at most one per request.
                logger.warning("port \(index + 1): \(diagnostic)")
            default:
                logger.debug("port \(index + 1): \(diagnostic)")
            }
        case .slaveTiming(let record):
            slaveEvents?.report(record, clock: engine.defaultDS.clockIdentity, domain: engine.defaultDS.domainNumber)
        }
    }

    /// A master port using the delay request-response mechanism receives only Delay_Reqs on its event socket: the
    /// loop may leave them waiting there for its next timer and answer them in that pass
    /// (``ClockLoop/deferEventInput(port:_:)``), when its slaves send them less often than it sends Syncs
    /// (logMinDelayReqInterval above logSyncInterval), so that an answer, late by at most a Sync interval,
    /// still comes before the slave's next request on average: a slave that keeps only its latest request drops
    /// the answer to an earlier one (ptp4l keeps 5 s of them, Meridian four). Not with peer delay: a Pdelay_Resp's turnaround is
    /// timed in the responder's clock and converted by the requester's estimate of the rate ratio, so it is kept
    /// short. Not on a transparent clock: a Delay_Req it relays would carry the wait in its residence time, which
    /// a free-running one measures in its own time.
    private func deferEventInputIfMaster(port index: Int) {
        guard engine.ports.indices.contains(index), engine.transparent == nil else { return }
        let port = engine.ports[index].portDS
        loop.deferEventInput(
            port: index,
            port.portState == .master && port.delayMechanism == .e2e
                && port.logMinDelayReqInterval.rawValue > port.logSyncInterval.rawValue)
    }

    private func perform(_ action: ClockAction) {
        switch action {
        case .adjust(let step, let frequency, let source):
            adjust(step: step, frequency: frequency, source: source)
        case .armTimer(let timer, let after):
            armClockTimer(timer, after: after)
        case .measured(let step, let syncInterval):
            measuredThisPass = true
            observers.timeSynced()
            tracking.add(
                offset: step.offsetFromMaster, frequency: step.output.frequency, at: now(), stepped: step.output.step != nil)
            summary.setSyncInterval(syncInterval)
            if let line = summary.add(step, trueError: clock.trueErrorNanoseconds) { logger.info("\(line)") }
            feedChrony()
        case .sourceChanged(let source):
            logger.notice("servo now follows \(source); frequency kept (no step unless beyond step_threshold)")
        case .acquisitionRestarted:
            logger.notice(
                "the time followed changed and the one before was not traceable: servo acquires afresh (a step beyond first_step_threshold allowed)"
            )
        case .holdover(let holdover):
            logger.notice("\(holdover)")
        case .reference(let output, let steering):
            report(output, steering: steering)
            if output.offset != nil { feedChrony() }
        }
    }

    /// Tells chrony (SOCK refclock) what the disciplined clock says true time is, while it is locked (to a
    /// grandmaster or its reference): at a CLOCK_REALTIME instant, the clock's reading through its relation
    /// to the system clock, less TAI − UTC when the clock keeps TAI (a PHC), minus that instant. With the
    /// time properties' leap flags (leap61: insert, leap59: delete), as linuxptp 4's refclock_sock does. The
    /// same sample goes to the NTP SHM segment (`ntpshm_feed`).
    private func feedChrony() {
        guard chronyFeed != nil || shmFeed != nil, syncStatus().state == .locked,
            let system = try? VirtualClock.realtime()
        else { return }
        let properties = engine.timePropertiesDS
        var reading = clock.relation.clockTime(atSystem: system)
        if !clock.keepsUTC { reading = reading - .seconds(Int64(properties.currentUtcOffset)) }
        shmFeed?.write(
            reference: reading, system: system, leap: properties.leap61 ? .insert : properties.leap59 ? .delete : .none)
        guard let chronyFeed else { return }
        let leap: ChronySockSample.Leap = properties.leap61 ? .insert : properties.leap59 ? .delete : .none
        do {
            try chronyFeed.send(ChronySockSample(systemTime: system, offset: (reading - system).secondsDouble, leap: leap))
            chronySamples.sent += 1
            if chronySamples.sent == 1 {
                logger.notice(
                    "chrony: first SOCK sample sent to \(chronyFeed.path) (offset \((reading - system).secondsDouble) s)")
            }
        } catch {
            chronySamples.failed += 1
            if let line = logLimiter.line(
                "chrony-sock", "refclock_sock_address \(chronyFeed.path): \(error) (is chronyd running with refclock SOCK?)",
                now: .now)
            {
                logger.warning("\(line)")
            }
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
        if let age = output.staleEdgeAge {
            let timeout = engine.clock.reference?.configuration.referenceTimeout ?? .zero
            let text =
                "reference samples arrive late: the last accepted pulse's edge was \(age.roundedNanoseconds / 1_000_000) ms old at the tick, beyond the \(timeout.roundedNanoseconds / 1_000_000) ms reference timeout: the reference counts as lost"
            if let line = logLimiter.line("reference-stale", text, now: .now) { logger.warning("\(line)") }
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

    /// ptp4l's `clock_check_ts` at each stamped message: when the clock moved under the servo (stepped or
    /// slewed by something else), the servo starts over. The stamp is paired with the monotonic time of its own
    /// moment, not of its handling (``ClockSanityCheck/monotonic(atClock:clockNow:monotonicNow:)``: a message
    /// handled 20 ms late read as a clock 20 % slow); the clock is read for that only when the check judges the
    /// reading, at most every 100 ms. A step by someone else between the stamp and now still shows, once; the
    /// daemon's own step there moves the last reading too (``ClockSanityCheck/stepped(by:monotonic:)``).
    private func checkSanity(clockTime: PTPInstant) {
        guard clock.steerable else { return }
        let stamp = (clockTime - .epoch).nanoseconds
        guard
            let verdict = sanityCheck?.sample(
                clock: stamp,
                monotonic: {
                    ClockSanityCheck.monotonic(
                        atClock: stamp, clockNow: (try? clock.clock.now()).map { ($0 - .epoch).nanoseconds },
                        monotonicNow: ClockLoop.monotonicNow())
                })
        else { return }
        sanityResets += 1
        if let line = logLimiter.line("clockcheck", "clockcheck: \(verdict); the servo starts over", now: .now) {
            logger.warning("\(line)")
        }
        engine.clockCheckFailed()
    }

    private func adjust(step: PTPDuration?, frequency: PartsPerBillion?, source: AdjustmentSource) {
        guard clock.steerable else { return }
        if source == .servo {
            if loop.deliveringPolledInput { servoAdjustments.sameThread += 1 } else { servoAdjustments.afterHop += 1 }
        }
        do {
            if let step {
                try clock.clock.step(by: step)
                sanityCheck?.stepped(by: step.nanoseconds, monotonic: ClockLoop.monotonicNow())
                if alignment != nil, let problems = alignment?.disciplinedStepped(by: step) {
                    for problem in problems { logger.error("\(problem)") }
                }
                logger.notice("\(source == .reference ? "reference: " : "")clock stepped by \(step.roundedNanoseconds) ns")
            }
            if let frequency {
                try clock.clock.adjustFrequency(frequency)
                sanityCheck?.frequencySet(frequency.value)
            }
        } catch {
            logger.error("cannot adjust \(clock.clock.name): \(error)")
        }
    }

    /// Encodes one message and hands it to the port's I/O thread.
    private func send(_ outgoing: OutgoingMessage, port index: Int) {
        guard ports.indices.contains(index) else { return }
        var buffer: [UInt8] = []
        swap(&buffer, &encodeBuffer)
        var writer = WireWriter(reusing: consume buffer)
        outgoing.message.encode(into: &writer)
        let bytes = writer.bytes
        defer { encodeBuffer = bytes }
        let type = outgoing.message.messageType
        let peerDelay = type == .pdelayReq || type == .pdelayResp || type == .pdelayRespFollowUp
        let id = nextSendID
        nextSendID &+= 1
        if let token = outgoing.token {
            pendingTokens[index].insert(token, id: id)
            // Bounded: stamps that never came back (a closed port) are forgotten all at once. The bound is above
            // any one pass's sends (a unicast Sync tick to every granted client: their stamps come back after the
            // pass), so a pass of many clients never loses its own tokens.
            if pendingTokens[index].count > Self.pendingTokenLimit {
                pendingTokens[index].removeAll()
            }
        }
        sent[index][Int(type.rawValue & 0x0F)] &+= 1
        if let destination = outgoing.destination {
            ports[index].send(bytes, event: outgoing.isEvent, to: destination, id: id, wantsTimestamp: outgoing.token != nil)
        } else {
            ports[index].send(bytes, event: outgoing.isEvent, peerDelay: peerDelay, id: id, wantsTimestamp: outgoing.token != nil)
        }
    }

    // MARK: Timers

    /// The loop's key of a port's timer (0 and up) and of a clock timer (below 0).
    private static func key(_ timer: PortTimer, port index: Int) -> Int {
        index * PortTimer.caseCount + Int(timer.rawValue)
    }

    private static func key(_ timer: ClockTimer) -> Int {
        -1 - Int(timer.rawValue)
    }

    /// A master port's Sync and Announce timers are aligned (``ClockLoop/arm(_:after:aligned:)``): a grandmaster
    /// or boundary clock of N master ports wakes once per Sync interval for all of them, as ptp4l wakes N times.
    /// A unicast master's slot timer (a fraction of the interval) lands on the same grid of its own period.
    private func armPortTimer(_ timer: PortTimer, port index: Int, after: PTPDuration) {
        loop.arm(Self.key(timer, port: index), after: after, aligned: timer == .sync || timer == .announce)
    }

    private func armClockTimer(_ timer: ClockTimer, after: PTPDuration) {
        loop.arm(Self.key(timer), after: after)
    }

    // MARK: Sync state

    /// LOCKED, HOLDOVER or FREERUN, with the cause an operator needs: a grandmaster judges by its reference,
    /// a slave by its servo and whether its master is heard (ClockTimer.silence puts it in holdover).
    private func syncStatus() -> SyncStatus {
        // Read in place, after every event: a local copy of the clock engine, or of its reference, is a few
        // hundred bytes to a kilobyte and a half copied each time.
        if engine.clock.isGrandmaster, let state = engine.clock.referenceState {
            switch state {
            case .locked: return SyncStatus(.locked, .referenceLocked)
            case .holdoverWithinSpecification: return SyncStatus(.holdover, .referenceLost)
            case .holdoverOutOfSpecification: return SyncStatus(.holdover, .referenceLostOutOfSpecification)
            case .locking: return SyncStatus(.freerun, .referenceLocking)
            case .freeRunning: return SyncStatus(.freerun, .referenceNeverLocked)
            }
        }
        if engine.clock.isGrandmaster {
            // The BMCA made this clock the grandmaster: it keeps what it learned as a slave, if anything.
            return engine.clock.discipline.inHoldover
                ? SyncStatus(.holdover, .grandmasterHoldingLearnedFrequency) : SyncStatus(.freerun, .grandmasterWithoutReference)
        }
        if engine.clock.discipline.inHoldover { return SyncStatus(.holdover, .masterSilent) }
        guard engine.slavePortIndex != nil else { return SyncStatus(.freerun, .noMaster) }
        let grandmaster = engine.parentDS.grandmasterIdentity
        switch engine.clock.discipline.servo.state {
        case .locked: return SyncStatus(.locked, .lockedTo(grandmaster))
        case .jump, .unlocked: return SyncStatus(.freerun, .notLockedTo(grandmaster))
        }
    }

    // MARK: Published state

    /// The loop's timer key of a deferred publication (between the clock timers' keys and the fault resets').
    private static let publishKey = -500
    /// The loop's timer key of the status page's once-a-second history sample.
    private static let historyKey = -501
    /// How late the once-a-second history sample may be taken when no pass comes sooner.
    private static let historySlack = PTPDuration.milliseconds(250)
    /// Where the once-a-second samples go (the HTTP endpoint's chart); nil: none taken.
    private var history: History?

    /// Takes a sample of the published state into `history` once a second, on the loop's own timer: a
    /// `Task.sleep` on the pool woke Dispatch's timer thread and a worker thread every second for it.
    func recordHistory(into history: History) {
        self.history = history
        recordHistory()
    }

    private func recordHistory() {
        guard let history else { return }
        history.record(published.load(reader: false))
        // With slack: the sample rides on the first pass after its second (a Sync's, a datagram's) instead of
        // waking the loop between two of them.
        loop.arm(Self.historyKey, after: .seconds(1), slack: Self.historySlack)
    }

    /// Publishes the state for management and the HTTP endpoint: at once when `force` (a management SET or
    /// COMMAND, a SIGHUP change, start-up: the published state shows it when the call returns), else as
    /// ``PublicationPacing`` spaces it (a pass within the spacing is published by a later pass or at the latest a
    /// loop timer, so nothing stays unpublished).
    private func publish(force: Bool = false) {
        let now = ClockLoop.monotonicNow()
        let pacing = PublicationPacing(now: now, lastRead: published.lastRead)
        if !force && now &- lastPublishedAt < pacing.spacing {
            if !publishPending {
                publishPending = true
                // Due once the spacing has passed, when any pass would publish anyway; the loop wakes for it only
                // at the latency, so a pass in between (the next Sync's) takes it along.
                let elapsed = now &- lastPublishedAt
                loop.arm(
                    Self.publishKey, after: .nanoseconds(pacing.spacing &- elapsed),
                    slack: .nanoseconds(pacing.latency &- pacing.spacing))
            }
            return
        }
        if publishPending {
            publishPending = false
            loop.cancel(Self.publishKey)
        }
        lastPublishedAt = now
        published.store(
            PublishedState(
                engine: engine, received: received, sent: sent, neighborPropDelayThresh: neighborPropDelayThresh,
                synchronizationUncertain: synchronizationUncertain, lastIngress: lastIngress,
                lastReceiverReport: lastReceiverReport, managementDropped: managementDropped,
                referenceReportsRejected: referenceReportsRejected, logLinesSuppressed: logLimiter.suppressedTotal,
                missingTimestamps: missingTimestamps, transmitMisses: transmitMisses, faults: faults,
                tracking: tracking.summary, faultResets: faultResetCount, filtered: filtered,
                alignment: alignment?.summary ?? []))
    }
}

/// The clock's synchronization as the `sync-state` log line names it.
enum SyncState: String, Sendable {
    case locked = "LOCKED"
    case holdover = "HOLDOVER"
    case freerun = "FREERUN"
}

/// A sync state with its cause: `LOCKED (locked to grandmaster …)`, `HOLDOVER (master silent)`, ….
struct SyncStatus: Equatable, Sendable, CustomStringConvertible {
    enum Cause: Equatable, Sendable {
        case referenceLocked, referenceLost, referenceLostOutOfSpecification, referenceLocking, referenceNeverLocked
        case grandmasterHoldingLearnedFrequency, grandmasterWithoutReference
        case masterSilent, noMaster
        case lockedTo(ClockIdentity)
        case notLockedTo(ClockIdentity)
    }

    var state: SyncState
    var cause: Cause

    init(_ state: SyncState, _ cause: Cause) {
        self.state = state
        self.cause = cause
    }

    var description: String {
        let why: String
        switch cause {
        case .referenceLocked: why = "reference locked"
        case .referenceLost: why = "reference lost"
        case .referenceLostOutOfSpecification: why = "reference lost, holdover out of specification"
        case .referenceLocking: why = "reference locking"
        case .referenceNeverLocked: why = "reference never locked"
        case .grandmasterHoldingLearnedFrequency:
            why = "grandmaster without a reference, holding the frequency learned as a slave"
        case .grandmasterWithoutReference: why = "grandmaster without a reference"
        case .masterSilent: why = "master silent"
        case .noMaster: why = "no master selected"
        case .lockedTo(let grandmaster): why = "locked to grandmaster \(grandmaster)"
        case .notLockedTo(let grandmaster): why = "servo not locked to grandmaster \(grandmaster)"
        }
        return "\(state.rawValue) (\(why))"
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
    /// Event messages without a receive stamp plus transmit stamps that never came, per port.
    var missingTimestamps: [Int]
    /// Transmit stamps that never came, per port.
    var transmitMisses: [Int]
    /// Times each port entered FAULTY.
    var faults: [Int]
    /// RMS offset, residual frequency and skew over the last measurements.
    var tracking: TrackingWindow.Summary
    /// Fault resets per port (`fault_reset_interval`: the transport reopened, the port started over).
    var faultResets: [Int]
    /// Messages each port's filters dropped, by ``SourceFilter/Reason`` (issue #17).
    var filtered: [[Int]] = []
    /// `boundary_clock_jbod`: each other PHC a port stamps with, as last aligned.
    var alignment: [PHCAlignment.Summary] = []
}

/// Holds the latest ``PublishedState``; the clock actor writes it, management reads it from any thread.
final class ClockStateBox: Sendable {
    private let state: Mutex<PublishedState>
    private let lastReadAt = Atomic<Int64>(.min / 2)

    init(_ initial: PublishedState) {
        state = Mutex(initial)
    }

    func store(_ value: PublishedState) {
        state.withLock { $0 = value }
    }

    /// The latest state. A reader (management, a scrape, the status page) is noted, so that the next passes are
    /// published within ``PublicationPacing/readerSpacing``; `reader: false` reads without that (the status
    /// page's once-a-second history sample, which does not need it).
    func load(reader: Bool = true) -> PublishedState {
        if reader { lastReadAt.store(ClockLoop.monotonicNow(), ordering: .relaxed) }
        return state.withLock { $0 }
    }

    /// When a reader last loaded the state (monotonic ns); far in the past when none has.
    var lastRead: Int64 { lastReadAt.load(ordering: .relaxed) }
}

/// How far apart the clock actor publishes passes that no subscriber hears of (a master's sends: counters and
/// sequence numbers move, nothing a push reads). Each publication shares the engine's collections with the
/// published copy, so the engine's next change to each of them copies it whole (a unicast master's grant and
/// Follow_Up tables: thousands of entries), and the copy replaced is freed: as grandmaster of 8 slaves that nobody
/// watched, publishing every Sync pass was 3–5 % of the daemon's CPU (measured side by side). So:
/// - while a reader has loaded the state within ``readerWindow`` (a pmc session, a scrape, a status page open),
///   at most every ``readerSpacing``, and a pass within it at the latest ``readerLatency`` later (longer than
///   the spacing, so that at 16 Sync/s the next Sync's pass publishes it and that timer never wakes the loop);
/// - with no reader, at most every ``idleSpacing``, and a pass within it at the latest ``idleLatency`` later:
///   the first read after a quiet spell sees counters at most that old, and whatever a push reads (a state, sync
///   state or parent change, a measurement) is published at once either way.
/// The deferred publication is a loop timer due at the spacing, with the rest of the latency as its slack
/// (``ClockLoop/arm(_:after:aligned:slack:)``): the first pass after the spacing publishes, and the loop wakes
/// for it alone only when no pass comes before the latency. A timer due exactly at the latency woke a
/// grandmaster's loop once a second between two Syncs.
struct PublicationPacing: Equatable {
    static let readerSpacing: Int64 = 20_000_000
    static let readerLatency: Int64 = 100_000_000
    static let idleSpacing: Int64 = 1_000_000_000
    static let idleLatency: Int64 = 1_250_000_000
    static let readerWindow: Int64 = 10_000_000_000

    /// The least time between two unforced publications (ns).
    let spacing: Int64
    /// The longest an unforced pass waits unpublished (ns).
    let latency: Int64

    init(now: Int64, lastRead: Int64) {
        let reading = now &- lastRead < Self.readerWindow
        spacing = reading ? Self.readerSpacing : Self.idleSpacing
        latency = reading ? Self.readerLatency : Self.idleLatency
    }
}

extension String {
    /// Right-aligned in `width` columns, as ptp4l's `%10lld`.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

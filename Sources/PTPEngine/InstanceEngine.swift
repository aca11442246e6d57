import PTPCore
import PTPServo
import PTPWire

/// Everything that describes a PTP instance (an ordinary or boundary clock) to its engine.
public struct InstanceConfiguration: Sendable {
    public var defaultDS: DefaultDS
    public var ports: [PortConfiguration]
    /// What the clock offers as grandmaster; its clockQuality replaces defaultDS.clockQuality.
    public var grandmasterQuality: GrandmasterQuality
    /// Seeds the ports' random intervals.
    public var seed: UInt64
    /// CLOCK_DESCRIPTION and USER_DESCRIPTION; clockType defaults from the port count.
    public var clockDescription: ClockDescription
    /// The clock's servo, outlier filter and reference: the ``ClockEngine`` the instance steers its clock with.
    public var clock: ClockEngine
    /// The data set comparison and the clock's G.8275 localPriority.
    public var bmca = BMCAConfiguration()
    /// `servo_offset_threshold` (ns, 0 = off) and `servo_num_offset_values`: when the servo counts as stable.
    public var servoStability = ServoStability()
    /// `clock_type E2E_TC` / `P2P_TC`: the instance is a transparent clock (``TransparentClock``); nil: an
    /// ordinary or boundary clock.
    public var transparentClock: TransparentClockConfiguration?

    public init(
        defaultDS: DefaultDS, ports: [PortConfiguration], grandmasterQuality: GrandmasterQuality? = nil,
        seed: UInt64 = 0, clockDescription: ClockDescription? = nil,
        clock: ClockEngine = ClockEngine(servo: SelectedServo(.pi))
    ) {
        self.clock = clock
        self.defaultDS = defaultDS
        self.ports = ports
        var description = clockDescription ?? ClockDescription()
        if clockDescription == nil {
            description.clockType = ports.count > 1 ? .boundaryClock : .ordinaryClock
            if ports.first?.delayMechanism == .p2p { description.profileIdentity = ClockDescription.defaultP2PProfile }
        }
        self.clockDescription = description
        // A reference, when there is one, says what the clock offers from the start (class 248 free-running).
        self.grandmasterQuality =
            clock.referenceQuality ?? grandmasterQuality
            ?? GrandmasterQuality(clockQuality: defaultDS.clockQuality, timeProperties: TimePropertiesDS())
        self.seed = seed
    }
}

/// What happens to an instance: something on one of its ports, or to its clock.
public enum InstanceEvent: Sendable {
    /// An event for the port at this index (not port number) of ``InstanceEngine/ports``.
    case port(Int, PortEvent)
    /// A clock timer armed by ``ClockAction/armTimer(_:after:)`` expired.
    case clockTimerFired(ClockTimer)
    /// A sample of the grandmaster's time reference (a PPS edge with its time of day).
    case referenceSample(ReferenceSample)
    /// About once a second while a reference is configured: loss of the reference is noticed here.
    /// `clockTime` is the clock's own reading, in the reference's timescale (not shifted to TAI the way
    /// engine time is on a clock that keeps UTC), as the reference's sample edges are.
    case referenceTick(clockTime: PTPInstant)
}

/// What an instance asks its owner to do.
public enum InstanceAction: Sendable {
    /// An action of the port at this index.
    case port(Int, PortAction)
    /// The state decision chose a new parent (nil: this clock is now the grandmaster), as ptp4l's
    /// `selected best master clock …` / `assuming the grand master role`.
    case parentChanged(PortIdentity?, grandmaster: ClockIdentity)
    /// What the clock engine decided: adjust the clock, arm its timer, report a measurement or holdover.
    case clock(ClockAction)
    /// A G.8275 T-BC announces a new clockClass of its own (135/165 in holdover, its configured class again
    /// when it follows a master).
    case clockClassChanged(UInt8)
}

/// A PTP instance: its ports, its data sets, and the BMCA across the ports
/// (IEEE 1588-2019 8.2, 9.3). Pure: the owner feeds events with the local time and carries out actions.
public struct InstanceEngine: Sendable {
    // Stored properties in the order the per-message paths read them: what every event reads first, then the
    // clock engine a measurement reaches, then what the state decision and management read. A struct is laid out
    // in declaration order, and in a simulated zone of 10,000 clocks each cache line of an engine an event
    // touches is a miss of its own.
    public internal(set) var ports: [PortEngine]
    /// Whether the instance is a transparent clock: read on every event, where testing ``transparent`` itself
    /// made the compiler copy the whole optional.
    let isTransparentClock: Bool
    /// The index of the port whose Ebest made it S1, if any.
    public internal(set) var slavePortIndex: Int?
    /// Whether the slave port reached SLAVE (its servo locked) under the current parent.
    var lockedToParent = false
    /// The ports' actions of the event being handled. ``handle(_:at:into:buffer:)`` swaps the caller's buffer in
    /// for the call, so that one buffer, kept warm by its owner, serves every instance (in a simulated zone of
    /// 10,000 clocks each instance's own buffer was a cache miss on every event).
    var scratch: [PortAction] = []
    /// The servo's verdicts on the measurements of the event being handled, for the slave port (``dispatch``):
    /// one at most nearly always, so the first is kept inline, for the same reason as ``scratch``.
    var verdict: Verdict?
    var moreVerdicts: [Verdict] = []
    /// The servo stability settings and state (linuxptp servo.c `check_offset_threshold`).
    let servoStability: ServoStability
    var stableCountdown: Int
    var servoWasStable = false
    public internal(set) var currentDS = CurrentDS()
    /// What every port announces (``PortEngine/announceContent``), kept here as well so that the check after each
    /// measurement whether it changed reads the instance only, not every port.
    var announced: AnnounceContent
    /// What the check after each measurement compares ``announced`` with (``refreshAnnouncedContent()``).
    public internal(set) var parentDS: ParentDS
    public internal(set) var timePropertiesDS: TimePropertiesDS
    /// The servo, outlier filter, holdover and reference of the clock this instance steers.
    public internal(set) var clock: ClockEngine
    public internal(set) var defaultDS: DefaultDS
    public internal(set) var grandmasterQuality: GrandmasterQuality
    /// The last decision per port (for management and tests).
    public internal(set) var decisions: [StateDecisionCode?]
    /// How many times the state decision ran.
    public internal(set) var stateDecisions = 0
    /// CLOCK_DESCRIPTION / USER_DESCRIPTION (15.5.3.1.2–3).
    public internal(set) var clockDescription: ClockDescription
    /// The data set comparison and the clock's G.8275 localPriority.
    public internal(set) var bmca: BMCAConfiguration
    /// When this G.8275 T-BC lost the master it was locked to (nil: not in T-BC holdover).
    public internal(set) var boundaryClockHoldoverSince: PTPInstant?
    /// Whether the slave port last reached SLAVE (its servo locked) while the time it followed was traceable:
    /// such a clock keeps a traceable time, and a master's announcing its time as not traceable for a while
    /// (a boundary clock re-acquiring through a failover, or in holdover as its own grandmaster) does not make
    /// it acquire afresh when traceable time comes back (``ClockEngine/followedUntraceableTimeChanged(into:)``).
    /// It outlives a change of parent: until the slave port locks to the new one, the clock keeps the time it
    /// had (a master selected and left before the lock handed it nothing).
    var lockedToTraceableTime = false
    /// The clockClass a clock had before management or a reload made it slave-only (class 255).
    var classBeforeSlaveOnly: UInt8?
    /// The UTC offset learned from the PTP-timescale masters followed (``learnUTCOffset(from:)``).
    public internal(set) var learnedUTCOffset: Int16?
    /// The clockClass the clock was configured with, which a T-BC returns to when it follows a master again.
    let configuredClockClass: UInt8
    /// A transparent clock's forwarding state (nil: an ordinary or boundary clock).
    public internal(set) var transparent: TransparentClock?

    public init(configuration: InstanceConfiguration) {
        var ds = configuration.defaultDS
        ds.numberPorts = UInt16(truncatingIfNeeded: configuration.ports.count)
        ds.clockQuality = configuration.grandmasterQuality.clockQuality
        defaultDS = ds
        grandmasterQuality = configuration.grandmasterQuality
        parentDS = ParentDS(selfAsGrandmaster: ds)
        timePropertiesDS = configuration.grandmasterQuality.timeProperties
        let content = AnnounceContent(parentDS: parentDS, currentDS: CurrentDS(), timeProperties: timePropertiesDS)
        announced = content
        let transparentClock = configuration.transparentClock
        ports = configuration.ports.map {
            var port = $0
            if let transparentClock {
                port.transparentClock = true
                port.transparentDelayRequests = !transparentClock.freeRunning
            }
            return PortEngine(
                configuration: port, clockIdentity: ds.clockIdentity, domainNumber: ds.domainNumber,
                twoStep: ds.twoStepFlag, slaveOnly: ds.slaveOnly, announceContent: content,
                seed: configuration.seed, sdoId: ds.sdoId)
        }
        decisions = Array(repeating: nil, count: ports.count)
        clockDescription = configuration.clockDescription
        clock = configuration.clock
        bmca = configuration.bmca
        configuredClockClass = ds.clockQuality.clockClass
        servoStability = configuration.servoStability
        stableCountdown = configuration.servoStability.offsetValues
        isTransparentClock = configuration.transparentClock != nil
        let portCount = ports.count
        transparent = configuration.transparentClock.map { TransparentClock(configuration: $0, ports: portCount) }
    }

    typealias Verdict = (state: ServoState, offset: PTPDuration, interval: LogInterval)

    /// The port whose number is `portNumber`, as an index into ``ports``.
    public func index(ofPort portNumber: UInt16) -> Int? {
        ports.firstIndex { $0.configuration.portNumber == portNumber }
    }

    /// Handles one event at local time `now`, appending what to do to `actions`.
    public mutating func handle(_ event: InstanceEvent, at now: PTPInstant, into actions: inout [InstanceAction]) {
        switch event {
        case .port(let index, let portEvent):
            guard ports.indices.contains(index) else { return }
            if isTransparentClock {
                relay(portEvent, port: index, at: now, into: &actions)
            } else {
                dispatch(portEvent, to: index, at: now, into: &actions)
            }
        case .clockTimerFired(let timer):
            clock.timerFired(timer, at: now, into: &actions)
        case .referenceSample(let sample):
            if let quality = clock.referenceSample(sample, into: &actions) {
                setGrandmasterQuality(quality, at: now, into: &actions)
            }
        case .referenceTick(let clockTime):
            if let quality = clock.referenceTick(at: clockTime, into: &actions) {
                setGrandmasterQuality(quality, at: now, into: &actions)
            }
        }
    }

    /// As ``handle(_:at:into:)``, the engine working in `buffer` (its ports' actions, emptied before each use): the
    /// owner of many instances, or of one that handles many events, passes the same buffer on every call, so that
    /// no call allocates and the buffer stays in the cache.
    public mutating func handle(
        _ event: InstanceEvent, at now: PTPInstant, into actions: inout [InstanceAction], buffer: inout [PortAction]
    ) {
        swap(&scratch, &buffer)
        handle(event, at: now, into: &actions)
        swap(&scratch, &buffer)
    }

    /// Convenience: the actions as a new array.
    public mutating func handle(_ event: InstanceEvent, at now: PTPInstant) -> [InstanceAction] {
        var actions: [InstanceAction] = []
        handle(event, at: now, into: &actions)
        return actions
    }

    /// Changes what this clock offers as grandmaster (the reference's clockClass, accuracy, time source)
    /// and reruns the state decision.
    public mutating func setGrandmasterQuality(
        _ quality: GrandmasterQuality, at now: PTPInstant,
        into actions: inout [InstanceAction]
    ) {
        grandmasterQuality = quality
        defaultDS.clockQuality = quality.clockQuality
        runStateDecision(at: now, into: &actions)
    }

    /// Sets priority1/priority2 (management SET) and reruns the state decision.
    public mutating func setPriorities(
        priority1: UInt8, priority2: UInt8, at now: PTPInstant,
        into actions: inout [InstanceAction]
    ) {
        defaultDS.priority1 = priority1
        defaultDS.priority2 = priority2
        runStateDecision(at: now, into: &actions)
    }

    /// Management SET PORT_DATA_SET_NP: the 802.1AS peer delay limit of the port at `index`.
    /// The clock's time moved under the servo (``ClockEngine/clockCheckFailed()``): the servo starts over.
    public mutating func clockCheckFailed() {
        clock.clockCheckFailed()
    }

    /// The reference's conversion uncertainty, re-measured (``ReferenceDiscipline/setConversionUncertainty(_:)``):
    /// the announced clockAccuracy follows at the next reference tick. The uncertainty in force before, or nil
    /// without a reference.
    @discardableResult
    public mutating func setConversionUncertainty(_ uncertainty: PTPDuration) -> PTPDuration? {
        guard var reference = clock.reference else { return nil }
        let before = reference.configuration.conversionUncertainty
        reference.setConversionUncertainty(uncertainty)
        clock.reference = reference
        return before
    }

    public mutating func setNeighborPropDelayThresh(_ nanoseconds: Int64, port index: Int) {
        guard ports.indices.contains(index) else { return }
        ports[index].configuration.neighborPropDelayThresh = nanoseconds
    }

    /// Management SET USER_DESCRIPTION (15.5.3.1.3).
    public mutating func setUserDescription(_ text: PTPText) {
        clockDescription.userDescription = text
    }

    /// Management SET DOMAIN (8.2.1.4.1): the ports stamp the new domain and forget what they heard.
    public mutating func setDomainNumber(_ domain: UInt8, at now: PTPInstant, into actions: inout [InstanceAction]) {
        defaultDS.domainNumber = domain
        for i in ports.indices {
            ports[i].updateClock(domainNumber: domain, twoStep: defaultDS.twoStepFlag, slaveOnly: defaultDS.slaveOnly)
            ports[i].forgetForeignMasters()
        }
        runStateDecision(at: now, into: &actions)
    }

    /// Management SET SLAVE_ONLY (8.2.1.5.5) and rerun the state decision.
    /// A slave-only clock is class 255, as linuxptp's clock_create makes it (IEEE 1588-2019 table 4); the class
    /// it had comes back when it may be master again (248 when it started slave-only).
    public mutating func setSlaveOnly(_ slaveOnly: Bool, at now: PTPInstant, into actions: inout [InstanceAction]) {
        let clockClass = defaultDS.clockQuality.clockClass
        if slaveOnly && clockClass != 255 {
            classBeforeSlaveOnly = clockClass
            setOwnClockClass(255)
        } else if !slaveOnly && clockClass == 255 {
            setOwnClockClass(classBeforeSlaveOnly ?? 248)
        }
        defaultDS.slaveOnly = slaveOnly
        for i in ports.indices {
            ports[i].updateClock(domainNumber: defaultDS.domainNumber, twoStep: defaultDS.twoStepFlag, slaveOnly: slaveOnly)
        }
        runStateDecision(at: now, into: &actions)
    }

    /// Feeds a port and forwards its actions; a state decision request runs the BMCA afterwards.
    mutating func dispatch(_ event: PortEvent, to index: Int, at now: PTPInstant, into actions: inout [InstanceAction]) {
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
        let wasSlave = ports[index].state == .slave
        ports[index].handle(event, at: now, into: &scratch)
        if index == slavePortIndex && ports[index].state == .slave {
            lockedToParent = true
            if !wasSlave { lockedToTraceableTime = timePropertiesDS.timeTraceable }
        }
        var decide = false
        // Each action is moved out of the buffer, not copied (Array.drain).
        var list: [PortAction] = []
        swap(&list, &scratch)
        list.drain(leaving: .stateDecisionNeeded) { element in
            // A local of its own: the compiler refuses `consume` on the closure's parameter and on a value a
            // `switch` matches, and without `consume` the append below copies.
            let action = element
            if case .stateDecisionNeeded = action {
                decide = true
                return
            }
            if case .measurement(let m) = action {
                // The clock engine takes it here, and `.clock(.measured)` tells the owner what the servo made of
                // it: the port's action itself goes no further (every owner ignored it, and each action moved
                // through the owner's list costs a copy of the whole action at every step).
                currentDS.offsetFromMaster = m.offsetFromMaster
                currentDS.meanPathDelay = m.meanPathDelay
                let verdict = (clock.apply(m, at: now, into: &actions), m.offsetFromMaster, m.logSyncInterval)
                if self.verdict == nil { self.verdict = verdict } else { moreVerdicts.append(verdict) }
                return
            }
            // Moved on, not copied: a copy would retain the message's buffers for the drain to release.
            actions.append(.port(index, consume action))
        }
        swap(&list, &scratch)
        // The servo's verdicts go back to the slave port at once (9.2.6.12: MASTER_CLOCK_SELECTED when it
        // locks, SYNCHRONIZATION_FAULT when it steps the clock).
        // A designated slave (BMCA noop) is outside the BMCA: its verdicts go to it.
        if let first = verdict, let slave = slavePortIndex ?? ports.firstIndex(where: { $0.configuration.designatedSlave }) {
            // Taken out before they go to the port: a verdict of a nested dispatch is that dispatch's own.
            verdict = nil
            var more: [Verdict] = []
            if !moreVerdicts.isEmpty { swap(&more, &moreVerdicts) }
            deliver(first, to: slave, at: now, into: &actions)
            for verdict in more {
                deliver(verdict, to: slave, at: now, into: &actions)
            }
            refreshAnnouncedContent()
        } else {
            verdict = nil
            if !moreVerdicts.isEmpty { moreVerdicts.removeAll() }
        }
        // 9.2.6.8 asks for a state decision at least once per Announce interval; each master port's Announce
        // timer asks for one. Every port's interval that already saw a decision (another port's, or one a change
        // caused) has had its own: a boundary clock of 20 ports decides once per interval, not 20 times. A
        // decision a change asks for (a new or better foreign master, a timeout, a port leaving the BMCA) always
        // runs.
        if decide, case .timerFired(.announce) = event {
            if ports[index].periodicDecisionMark == UInt32(truncatingIfNeeded: stateDecisions) {
                runStateDecision(at: now, into: &actions)
            }
            ports[index].periodicDecisionMark = UInt32(truncatingIfNeeded: stateDecisions)
            return
        }
        if decide {
            runStateDecision(at: now, into: &actions)
        }
    }

    /// One servo verdict to the slave port: MASTER_CLOCK_SELECTED (and, once the offsets settle, the servo's
    /// stability) when it locks, SYNCHRONIZATION_FAULT when it steps the clock.
    mutating func deliver(_ verdict: Verdict, to slave: Int, at now: PTPInstant, into actions: inout [InstanceAction]) {
        switch verdict.state {
        case .locked:
            // Not handed to a port they would leave as it is: MASTER_CLOCK_SELECTED moves an UNCALIBRATED port to
            // SLAVE and leaves a SLAVE port as it is (``PortStateMachine``), and the stability matters only to
            // `msg_interval_request` (``PortEngine/servoStable(first:syncInterval:now:into:)``); a unicast client's
            // table follows every event its port handles. Every Sync of a locked slave cost two passes through the
            // port for nothing. The stored fields are read directly: a computed property of the port, read from
            // here, copied the whole port engine.
            let unicastClient = ports[slave].unicastClientEnabled
            if ports[slave].portDS.portState != .slave || unicastClient {
                dispatch(.masterClockSelected, to: slave, at: now, into: &actions)
            }
            if servoStability.isStable(after: verdict.offset, countdown: &stableCountdown) {
                let first = !servoWasStable
                servoWasStable = true
                if ports[slave].configuration.messageIntervalRequest || unicastClient {
                    dispatch(.servoStable(first: first, syncInterval: verdict.interval), to: slave, at: now, into: &actions)
                }
            }
        case .jump:
            stableCountdown = servoStability.offsetValues
            servoWasStable = false
            dispatch(.synchronizationFault, to: slave, at: now, into: &actions)
        case .unlocked:
            stableCountdown = servoStability.offsetValues
            servoWasStable = false
            if servoStability.offsetThreshold > 0 {
                dispatch(.servoUnlocked(syncInterval: verdict.interval), to: slave, at: now, into: &actions)
            }
        }
    }
}

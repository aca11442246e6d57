import PTPCore
import PTPServo
import PTPWire

/// One PTP port as a pure state machine: events in, actions out (IEEE 1588-2019 9.2, 9.5, 11).
///
/// The owner (the daemon's `PortActor`, or the simulator) feeds received messages with their time
/// stamps, transmit time stamps, fired timers and the BMCA's recommendations, and carries out the
/// returned actions. The port never reads a clock: `now` is passed in, on the clock the port stamps with.
public struct PortEngine: Sendable {
    // Stored properties in the order the per-message paths read them (a struct is laid out in declaration order,
    // and in a simulated zone of 10,000 clocks each cache line of an engine an event touches is a miss of its own):
    // the port's state and identity, its sequence ids and the slave side's Sync and delay state first, then the
    // configuration (its message intervals and flags in its first cache line), the service counters and the
    // unicast service's slots; the foreign masters, peer delay and unicast negotiation as a slave after.
    public internal(set) var portDS: PortDS
    public internal(set) var counters = PortCounters()
    /// The master this port synchronises to in UNCALIBRATED and SLAVE.
    public internal(set) var parent: PortIdentity?
    /// The filtered mean path delay (E2E), once measured.
    public internal(set) var meanPathDelay: PTPDuration?
    let clockIdentity: ClockIdentity
    var domainNumber: UInt8
    /// The instance's sdoId (8.2.1.4.5): majorSdoId in bits 8–11, minorSdoId in bits 0–7.
    let sdoId: UInt16
    var twoStep: Bool
    var slaveOnly: Bool
    var stepsRemoved: UInt16 = 0
    /// The instance's decision count (``InstanceEngine/stateDecisions``, its low 32 bits) when this port's
    /// Announce interval last began: the instance skips the interval's periodic decision if another ran since
    /// (``InstanceEngine/dispatch(_:to:at:into:)``).
    var periodicDecisionMark: UInt32 = 0
    var random: SplitMix64

    // Sequence ids (7.3.7): one counter per message type a port originates.
    var announceSequence: UInt16 = 0
    var syncSequence: UInt16 = 0
    var delayReqSequence: UInt16 = 0
    var pdelayReqSequence: UInt16 = 0
    var signalingSequence: UInt16 = 0
    /// The configured message intervals, which message interval requests can change and restore.
    let initialIntervals: (announce: LogInterval, sync: LogInterval, pdelay: LogInterval)

    // Slave side (11.3).
    var pendingSync: PendingSync?
    /// A Follow_Up that overtook its Sync (ptp4l keeps one too).
    var earlyFollowUp: (sequenceId: UInt16, origin: PTPInstant, correction: PTPDuration, received: PTPInstant)?
    var lastSync: (t1: PTPInstant, t2: PTPInstant)?
    var lastSyncSequence: UInt16?
    /// The Delay_Reqs in flight: each one's transmit time stamp and its Delay_Resp may come in either order.
    var delayRequests = DelayRequestsInFlight()
    /// The latest unfiltered path delay sample (`tsproc_mode raw` uses it for the offset).
    var rawMeanPathDelay: PTPDuration?
    var masterDelayReqInterval: LogInterval?
    /// The master's Sync interval as its Sync messages say (for `syncReceiptTimeout`).
    var masterSyncInterval: LogInterval?
    /// Whether ``unicastClient`` is set (it is from the start or never): the check runs after every event, and
    /// testing the optional itself made the compiler copy the whole table each time.
    let unicastClientEnabled: Bool
    /// The source address of the message being handled, when the transport gave one.
    var currentSource: PortAddress?
    /// The address the parent's latest accepted Sync came from (`hybrid_e2e` sends Delay_Req there).
    var parentAddress: PortAddress?
    var delayFilter: PathDelayFilter
    /// Two-step unicast Syncs awaiting their transmit stamp: where their Follow_Up goes (looked up on every
    /// Sync's transmit stamp, so kept with the hot fields).
    var unicastFollowUps: [UInt16: (address: PortAddress, interval: LogInterval)] = [:]

    public internal(set) var configuration: PortConfiguration
    // Read on every timer and every Sync sent, so kept beside the configuration: the service counters and, for a
    // master port, whether it serves unicast grants and how its Sync and Announce intervals are cut into slots.
    /// Timer expiries and Sync/Follow_Up mismatches (PORT_SERVICE_STATS_NP).
    public internal(set) var serviceCounters = PortServiceCounters()
    /// How the Sync and the Announce timer cut their intervals into slots for many unicast clients
    /// (``UnicastSlots``).
    public internal(set) var unicastSyncSlots = UnicastSlots()
    public internal(set) var unicastAnnounceSlots = UnicastSlots()
    /// The grants this port serves, and its counts of granted, refused, expired and cancelled requests.
    public internal(set) var unicastService = UnicastServiceTable()
    /// What a master port announces; the instance updates it after each state decision.
    public var announceContent: AnnounceContent
    public internal(set) var foreignMasters: ForeignMasterTable
    /// The filtered peer mean path delay (P2P), once measured.
    public internal(set) var peerMeanPathDelay: PTPDuration?
    /// With `path_trace_enabled`: the PATH_TRACE list of the latest Announce of each foreign master (16.2.2).
    public internal(set) var pathTraces: [PortIdentity: [ClockIdentity]] = [:]
    /// What an IEEE 802.1AS port's asCapable rests on (linuxptp `port_capable`).
    public internal(set) var neighbor = NeighborState()

    // Peer delay (11.4).
    var outstandingPdelay: PendingPdelay?
    var pdelayResponder: [UInt16: PendingPdelayResponse] = [:]
    var peerDelayFilter: PathDelayFilter
    var rawPeerMeanPathDelay: PTPDuration?

    /// Unicast negotiation as a slave (16.1): the port's master table and each master's grants; nil without one.
    public internal(set) var unicastClient: UnicastClientTable?

    struct PendingSync: Sendable {
        var sequenceId: UInt16
        var source: PortIdentity
        var t2: PTPInstant
        var correction: PTPDuration
        var logInterval: LogInterval
    }

    struct PendingPdelay: Sendable {
        var sequenceId: UInt16
        var t1: PTPInstant?
        var t2: PTPInstant?
        var t3: PTPInstant?
        var t4: PTPInstant?
        var correction: PTPDuration
        var responder: PortIdentity?
        var awaitingFollowUp: Bool
    }

    struct PendingPdelayResponse: Sendable {
        var requester: PortIdentity
        var correction: ScaledNanoseconds
        var domain: UInt8
        /// A unicast request's sender: the Follow_Up goes there too.
        var address: PortAddress? = nil
    }

    /// A port of the clock `clockIdentity`, in INITIALIZING; send it ``PortEvent/linkUp`` to start.
    public init(
        configuration: PortConfiguration, clockIdentity: ClockIdentity, domainNumber: UInt8 = 0,
        twoStep: Bool = true, slaveOnly: Bool = false, announceContent: AnnounceContent, seed: UInt64 = 0,
        sdoId: UInt16 = 0
    ) {
        self.configuration = configuration
        initialIntervals = (
            configuration.logAnnounceInterval, configuration.logSyncInterval, configuration.logMinPdelayReqInterval
        )
        self.sdoId = sdoId & 0x0FFF
        self.clockIdentity = clockIdentity
        self.domainNumber = domainNumber
        self.twoStep = twoStep && !configuration.oneStep
        self.slaveOnly = slaveOnly
        self.announceContent = announceContent
        let identity = PortIdentity(clockIdentity: clockIdentity, portNumber: configuration.portNumber)
        portDS = PortDS(
            portIdentity: identity, portState: .initializing,
            logMinDelayReqInterval: configuration.logMinDelayReqInterval,
            logAnnounceInterval: configuration.logAnnounceInterval,
            announceReceiptTimeout: configuration.announceReceiptTimeout,
            logSyncInterval: configuration.logSyncInterval, delayMechanism: configuration.delayMechanism,
            logMinPdelayReqInterval: configuration.logMinPdelayReqInterval,
            delayAsymmetry: configuration.delayAsymmetry, masterOnly: configuration.masterOnly)
        foreignMasters = ForeignMasterTable(receiver: identity, logAnnounceInterval: configuration.logAnnounceInterval)
        delayFilter = PathDelayFilter(configuration.delayFilter, length: configuration.delayFilterLength)
        peerDelayFilter = PathDelayFilter(configuration.delayFilter, length: configuration.delayFilterLength)
        random = SplitMix64(seed: seed ^ identity.clockIdentity.rawValue &* 31 &+ UInt64(identity.portNumber))
        unicastClient = configuration.unicastMasterTable.map {
            UnicastClientTable($0, delayMechanism: configuration.delayMechanism)
        }
        unicastClientEnabled = configuration.unicastMasterTable != nil
    }

    public var portIdentity: PortIdentity { portDS.portIdentity }
    public var state: PortState { portDS.portState }

    /// Handles one event at local time `now`, appending what to do to `actions`.
    public mutating func handle(_ event: PortEvent, at now: PTPInstant, into actions: inout [PortAction]) {
        // A port with a unicast master table follows the BMCA's choice with its requests (16.1).
        defer { if unicastClientEnabled { unicastClientStateChanged(into: &actions) } }
        switch event {
        case .received(let message, let timestamp):
            receive(message, timestamp: timestamp, now: now, into: &actions)
        case .receivedBytes(let bytes, let timestamp):
            do {
                let message = try PTPMessage.decode(bytes)
                receive(message, timestamp: timestamp, now: now, into: &actions)
            } catch {
                counters.decodeFailures += 1
                diagnose(.decodeFailed(error), into: &actions)
            }
        case .receivedBytesFrom(let bytes, let timestamp, let source):
            do {
                let message = try PTPMessage.decode(bytes)
                currentSource = source
                receive(message, timestamp: timestamp, now: now, into: &actions)
                currentSource = nil
            } catch {
                counters.decodeFailures += 1
                diagnose(.decodeFailed(error), into: &actions)
            }
        case .transmitted(let token, let timestamp):
            transmitted(token, timestamp: timestamp + configuration.egressLatency, into: &actions)
        case .timerFired(let timer):
            serviceCounters.count(timer)
            timerFired(timer, now: now, into: &actions)
        case .recommendedState(let code, let newParent, let steps):
            applyRecommendation(code, parent: newParent, stepsRemoved: steps, now: now, into: &actions)
        case .masterClockSelected:
            changeState(on: .masterClockSelected, now: now, into: &actions)
        case .servoStable(let first, let syncInterval):
            servoStable(first: first, syncInterval: syncInterval, now: now, into: &actions)
        case .servoUnlocked(let syncInterval):
            servoUnlocked(syncInterval: syncInterval, thresholdSet: true, into: &actions)
        case .synchronizationFault:
            // Time stamps taken before the step are void (ptp4l flushes them on SERVO_JUMP).
            pendingSync = nil
            earlyFollowUp = nil
            lastSync = nil
            delayRequests.removeAll()
            outstandingPdelay = nil
            changeState(on: .synchronizationFault, now: now, into: &actions)
        case .linkUp:
            // A port management disabled stays DISABLED whatever the link does.
            guard portDS.portEnable else { return }
            if state == .initializing || state == .faulty {
                if state == .faulty { changeState(on: .faultCleared, now: now, into: &actions) }
                changeState(on: .initComplete, now: now, into: &actions)
            }
        case .setEnabled(let enabled):
            portDS.portEnable = enabled
            if enabled {
                if state == .disabled {
                    changeState(on: .designatedEnabled, now: now, into: &actions)
                    changeState(on: .initComplete, now: now, into: &actions)
                }
            } else {
                changeState(on: .designatedDisabled, now: now, into: &actions)
            }
        case .linkDown:
            changeState(on: .faultDetected, now: now, into: &actions)
        case .faultDetected:
            changeState(on: .faultDetected, now: now, into: &actions)
        case .faultCleared:
            changeState(on: .faultCleared, now: now, into: &actions)
            changeState(on: .initComplete, now: now, into: &actions)
        }
    }

    /// Convenience for tests and the daemon: the actions as a new array.
    /// The engine's time moved by `delta` (``InstanceEngine/timescaleShifted(by:)``): the foreign masters'
    /// Announce receipts move with it. (A measurement in flight at that moment is not moved: the shift changes when
    /// the port starts following a master on another timescale, before it measures against that master.)
    public mutating func timescaleShifted(by delta: PTPDuration) {
        foreignMasters.timescaleShifted(by: delta)
    }

    public mutating func handle(_ event: PortEvent, at now: PTPInstant) -> [PortAction] {
        var actions: [PortAction] = []
        handle(event, at: now, into: &actions)
        return actions
    }

    /// Sets the clock-wide attributes the port copies into messages.
    public mutating func updateClock(domainNumber: UInt8, twoStep: Bool, slaveOnly: Bool) {
        self.domainNumber = domainNumber
        self.twoStep = twoStep && !configuration.oneStep
        self.slaveOnly = slaveOnly
    }

    /// Drops every foreign master record (the domain changed, for example).
    public mutating func forgetForeignMasters() {
        foreignMasters.removeAll()
    }

    /// Erbest (9.3.2.2) at `now`, after dropping stale receipts; masterOnly ports report none.
    public mutating func bestForeignMaster(now: PTPInstant) -> ForeignMasterRecord? {
        foreignMasters.prune(now: now)
        return foreignMasters.best(now: now)
    }

    // MARK: Receive dispatch

    mutating func receive(_ message: PTPMessage, timestamp: PTPInstant, now: PTPInstant, into actions: inout [PortAction]) {
        counters.received += 1
        guard state != .initializing, state != .faulty, state != .disabled else { return }
        let header = message.header
        // 7.1 and 13.3.2.1/13.3.2.6: a PTP Instance ignores messages of another domain or another sdoId
        // (ptp4l drops a transportSpecific that differs); each is dropped and counted.
        // linuxptp `port_ignore`: another transportSpecific is another profile's message (802.1AS uses 1), unless
        // ignore_transport_specific.
        if !configuration.ignoreTransportSpecific && header.majorSdoId != majorSdoId {
            counters.sdoIdMismatches += 1
            diagnose(.wrongTransportSpecific(header.majorSdoId), into: &actions)
            return
        }
        guard header.minorSdoId == UInt8(truncatingIfNeeded: sdoId) else {
            counters.sdoIdMismatches += 1
            diagnose(.wrongSdoId(major: header.majorSdoId, minor: header.minorSdoId), into: &actions)
            return
        }
        guard header.domainNumber == domainNumber else {
            counters.domainMismatches += 1
            diagnose(.wrongDomain(header.domainNumber), into: &actions)
            return
        }
        // Our own messages looped back are not for us (a shared segment echoes nothing, but a hub might).
        if header.sourcePortIdentity == portIdentity { return }
        let ingress = timestamp - configuration.ingressLatency
        // linuxptp `incapable_ignore`: an 802.1AS port that is not asCapable ignores Announce and Sync.
        if !asCapable {
            switch message.body {
            case .announce, .sync: return
            default: break
            }
        }
        switch message.body {
        case .announce(let body):
            guard unicastClientAccepts(from: currentSource, into: &actions) else { return }
            if configuration.pathTrace {
                // 16.2.3: an Announce that has already passed through this clock is a loop.
                let path = message.tlvs.lazy.compactMap { tlv -> [ClockIdentity]? in
                    if case .pathTrace(let list) = tlv { list } else { nil }
                }.first
                if let path, path.contains(clockIdentity) {
                    diagnose(.pathTraceLoop, into: &actions)
                    return
                }
                rememberPathTrace(path ?? [], from: header.sourcePortIdentity)
            }
            receiveAnnounce(header: header, body: body, now: now, into: &actions)
        case .sync(let body):
            receiveSync(header: header, body: body, ingress: ingress, into: &actions)
        case .followUp(let body):
            receiveFollowUp(header: header, body: body, received: ingress, into: &actions)
        case .delayReq:
            receiveDelayReq(header: header, ingress: ingress, into: &actions)
        case .delayResp(let body):
            receiveDelayResp(header: header, body: body, into: &actions)
        case .pdelayReq:
            receivePdelayReq(header: header, ingress: ingress, into: &actions)
        case .pdelayResp(let body):
            receivePdelayResp(header: header, body: body, ingress: ingress, into: &actions)
        case .pdelayRespFollowUp(let body):
            receivePdelayRespFollowUp(header: header, body: body, into: &actions)
        case .signaling:
            if receiveUnicastNegotiation(message, source: currentSource, now: now, into: &actions) { return }
            receiveSignaling(message, into: &actions)
        case .management:
            break  // handled by the management server
        }
    }

    /// The majorSdoId this port sends and accepts: ptp4l's per-port `transportSpecific` when set, else the
    /// instance's (the high nibble of its sdoId, IEEE 1588-2019 7.1.4).
    var majorSdoId: UInt8 {
        configuration.transportSpecific != 0 ? configuration.transportSpecific : UInt8(truncatingIfNeeded: sdoId >> 8)
    }

    func header(_ type: MessageType, sequenceId: UInt16, logInterval: LogInterval, flags: PTPFlags = []) -> PTPHeader {
        PTPHeader(
            messageType: type, sourcePortIdentity: portIdentity, sequenceId: sequenceId, domainNumber: domainNumber,
            flags: flags, logMessageInterval: logInterval.rawValue, majorSdoId: majorSdoId,
            minorSdoId: UInt8(truncatingIfNeeded: sdoId))
    }

    mutating func send(
        _ message: PTPMessage, token: TransmitToken? = nil, insertOrigin: Bool = false,
        into actions: inout [PortAction]
    ) {
        counters.sent += 1
        actions.append(.send(OutgoingMessage(message: message, token: token, insertOriginTimestamp: insertOrigin)))
    }

    mutating func diagnose(_ diagnostic: PortDiagnostic, into actions: inout [PortAction]) {
        counters.diagnostics += 1
        if diagnostic == .unmatchedFollowUp { serviceCounters.followUpMismatch &+= 1 }
        actions.append(.diagnostic(diagnostic))
    }
}

/// Splits an instant into the wire timestamp (whole nanoseconds) and the sub-nanosecond remainder that
/// goes into correctionField (IEEE 1588-2019 11.3.2, 11.4.3).
func wireSplit(_ instant: PTPInstant) -> (WireTimestamp, PTPDuration) {
    let wire = WireTimestamp(instant)
    return (wire, instant - wire.instant)
}

extension PortEngine {
    /// How many bytes at the start of a port engine its per-message paths read: the hot fields declared before
    /// ``configuration`` and the configuration's first line (its message intervals and flags). For an owner of
    /// many engines that warms the cache ahead of an event (the simulator).
    public static let hotByteCount = (MemoryLayout<PortEngine>.offset(of: \PortEngine.configuration) ?? 0) + 64
}

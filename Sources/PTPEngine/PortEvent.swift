import PTPCore
import PTPWire

/// The timers a port runs (linuxptp's `FD_*_TIMER`s); the edge arms and fires them.
public enum PortTimer: UInt8, Sendable, Hashable, CaseIterable {
    /// Master: time to send Announce (logAnnounceInterval).
    case announce
    /// Master: time to send Sync (logSyncInterval).
    case sync
    /// Slave, E2E: time to send Delay_Req (randomised per 9.5.11.2).
    case delayRequest
    /// P2P: time to send Pdelay_Req.
    case pdelayRequest
    /// No Announce from the master for announceReceiptTimeout intervals (9.2.6.12).
    case announceReceipt
    /// PRE_MASTER: the qualification interval is over (9.2.6.11).
    case qualification
    /// UNCALIBRATED/SLAVE with `syncReceiptTimeout` set: no Sync from the master for that many Sync
    /// intervals; handled like an announce receipt timeout, as ptp4l's FD_SYNC_RX_TIMER.
    case syncReceipt
    /// A port with a unicast master table: time to request or renew unicast service (2^logQueryInterval s,
    /// linuxptp FD_UNICAST_REQ_TIMER); it runs in every state but INITIALIZING, FAULTY and DISABLED.
    case unicastRequest
}

extension PortTimer {
    /// Every timer, built once: the synthesized `allCases` builds a new array at every call, and the daemon's
    /// loop maps each timer to its key (``caseCount``) for every timer it arms and fires.
    public static let all: [PortTimer] = allCases
    public static let caseCount = all.count
}

/// A set of port timers as a bit mask: what ``PortEngine`` asks of the timers a state runs on every timer it
/// fires and every state change, without the allocation a `Set` costs.
struct PortTimerSet: Sendable, Hashable {
    private var bits: UInt16 = 0

    func contains(_ timer: PortTimer) -> Bool { bits & Self.bit(timer) != 0 }
    mutating func insert(_ timer: PortTimer) { bits |= Self.bit(timer) }
    mutating func remove(_ timer: PortTimer) { bits &= ~Self.bit(timer) }

    private static func bit(_ timer: PortTimer) -> UInt16 { 1 << UInt16(timer.rawValue) }
}

/// Names one transmitted event message, so its transmit timestamp finds its way back.
public struct TransmitToken: Sendable, Hashable {
    public var messageType: MessageType
    public var sequenceId: UInt16
    /// Set for an event message a transparent clock forwarded: its relay entry (``TransparentClock``), so its
    /// egress stamp completes the residence time and never reaches the port's own Sync or Delay_Req logic.
    public var relay: UInt32?

    public init(messageType: MessageType, sequenceId: UInt16, relay: UInt32? = nil) {
        self.messageType = messageType
        self.sequenceId = sequenceId
        self.relay = relay
    }
}

/// What happens to a port.
public enum PortEvent: Sendable {
    /// A decoded message and its (local) receive timestamp; for event messages the ingress time stamp.
    /// Boxed (`indirect`): the daemon and the simulator hand on bytes, and a message inline made every event
    /// 112 bytes, copied at each layer from the owner to the port.
    indirect case received(PTPMessage, timestamp: PTPInstant)
    /// Raw bytes and their receive timestamp; the port decodes them and counts a failure.
    case receivedBytes([UInt8], timestamp: PTPInstant)
    /// Raw bytes with the sender's address (unicast negotiation answers it there, 16.1).
    case receivedBytesFrom([UInt8], timestamp: PTPInstant, source: PortAddress)
    /// The transmit time stamp of a message sent with `token`.
    case transmitted(TransmitToken, timestamp: PTPInstant)
    case timerFired(PortTimer)
    /// The BMCA's recommendation (9.3.3), with the parent port when it is S1 and the clock's stepsRemoved.
    case recommendedState(StateDecisionCode, parent: PortIdentity?, stepsRemoved: UInt16)
    /// The servo locked on this port's measurements (MASTER_CLOCK_SELECTED).
    case masterClockSelected
    /// The clock was stepped (SYNCHRONIZATION_FAULT): measurements in flight are void.
    case synchronizationFault
    /// The servo is stable on this port's measurements (linuxptp SERVO_LOCKED_STABLE, with
    /// `servo_offset_threshold`): `first` on the transition from locked; the Sync interval of the measurement.
    case servoStable(first: Bool, syncInterval: LogInterval)
    /// The servo unlocked while a stability threshold is set (linuxptp SERVO_UNLOCKED).
    case servoUnlocked(syncInterval: LogInterval)
    case linkUp
    case linkDown
    /// Management sets portDS.portEnable (8.2.15.5.1): DESIGNATED_ENABLED or DESIGNATED_DISABLED.
    case setEnabled(Bool)
    /// A local fault (for example transmit time stamps stopped arriving).
    case faultDetected
    case faultCleared
}

/// One offset measurement from a slave port (IEEE 1588-2019 11.2–11.4), for the clock's servo.
public struct SyncMeasurement: Sendable, Hashable {
    public var portNumber: UInt16
    public var master: PortIdentity
    /// offsetFromMaster: local − master.
    public var offsetFromMaster: PTPDuration
    /// The mean path delay used (E2E meanPathDelay or P2P peerMeanPathDelay).
    public var meanPathDelay: PTPDuration
    /// The local receive time of the Sync (t2).
    public var ingress: PTPInstant
    public var logSyncInterval: LogInterval
    /// How much the servo trusts this offset, 0…1 (`tsproc_mode filter_weight`/`raw_weight`; 1 otherwise).
    public var weight: Double = 1

    public init(
        portNumber: UInt16, master: PortIdentity, offsetFromMaster: PTPDuration, meanPathDelay: PTPDuration,
        ingress: PTPInstant, logSyncInterval: LogInterval
    ) {
        self.portNumber = portNumber
        self.master = master
        self.offsetFromMaster = offsetFromMaster
        self.meanPathDelay = meanPathDelay
        self.ingress = ingress
        self.logSyncInterval = logSyncInterval
    }
}

/// One Sync or Delay_Resp a slave port took, for `slave_event_monitor` (linuxptp monitor.c: the
/// SLAVE_RX_SYNC_TIMING_DATA and SLAVE_DELAY_TIMING_DATA_NP records).
public struct SlaveTimingRecord: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// origin t1 (preciseOriginTimestamp or originTimestamp), correction c1 + c2 + delayAsymmetry, receipt t2.
        case sync
        /// origin t3 (the Delay_Req's transmit stamp), correction the Delay_Resp's, receipt its receiveTimestamp t4.
        case delay
    }

    public var kind: Kind
    /// The parent port the port follows (linuxptp `clock_parent_identity`).
    public var master: PortIdentity
    public var sequenceId: UInt16
    public var origin: PTPInstant
    public var correction: PTPDuration
    public var receipt: PTPInstant

    public init(
        kind: Kind, master: PortIdentity, sequenceId: UInt16, origin: PTPInstant, correction: PTPDuration,
        receipt: PTPInstant
    ) {
        self.kind = kind
        self.master = master
        self.sequenceId = sequenceId
        self.origin = origin
        self.correction = correction
        self.receipt = receipt
    }
}

/// A state change, with the event that caused it: the substance of ptp4l's
/// `port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED`.
public struct PortStateChange: Sendable, Hashable, CustomStringConvertible {
    public var portNumber: UInt16
    public var from: PortState
    public var to: PortState
    public var event: PortStateEvent

    public init(portNumber: UInt16, from: PortState, to: PortState, event: PortStateEvent) {
        self.portNumber = portNumber
        self.from = from
        self.to = to
        self.event = event
    }

    public var description: String {
        "port \(portNumber): \(from) to \(to) on \(event)"
    }
}

/// A message for the edge to send.
public struct OutgoingMessage: Sendable, Hashable {
    // Stored widest first: 114 bytes rather than 128, so that the clock's action that carries a port's action
    // with the port's index fits in 128.
    public var message: PTPMessage
    /// One peer (unicast, 16.1); nil for the port's multicast address.
    public var destination: PortAddress?
    /// Set for event messages whose transmit time stamp the port needs back.
    public var token: TransmitToken?
    /// One-step Sync: the transport writes the egress time into originTimestamp (and its sub-nanosecond
    /// part into correctionField) as the frame leaves.
    public var insertOriginTimestamp: Bool

    public init(
        message: PTPMessage, token: TransmitToken?, insertOriginTimestamp: Bool, destination: PortAddress? = nil
    ) {
        self.message = message
        self.destination = destination
        self.token = token
        self.insertOriginTimestamp = insertOriginTimestamp
    }

    /// True for event messages (sent on port 319 or with time stamping).
    public var isEvent: Bool { message.messageType.isEvent }
}

/// What a port asks its owner to do.
public enum PortAction: Sendable {
    case send(OutgoingMessage)
    case armTimer(PortTimer, after: PTPDuration)
    case cancelTimer(PortTimer)
    /// A measurement for the clock's servo. The instance hands it to its clock engine and does not pass it on
    /// (``InstanceAction/clock(_:)`` with ``ClockAction/measured(_:syncInterval:)`` reports the outcome).
    case measurement(SyncMeasurement)
    case stateChanged(PortStateChange)
    /// Something BMCA looks at changed (a foreign master qualified or changed, a timeout); the instance
    /// should run the state decision.
    case stateDecisionNeeded
    case diagnostic(PortDiagnostic)
    /// With ``PortConfiguration/reportsSlaveTiming``: a Sync or Delay_Resp the slave took (`slave_event_monitor`).
    case slaveTiming(SlaveTimingRecord)
}

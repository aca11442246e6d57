/// The events that move a port between states (IEEE 1588-2019 9.2.6), named as linuxptp's `fsm.h`
/// names them, because those names end ptp4l's log lines (`… UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED`).
public enum PortStateEvent: String, Sendable, Hashable, CaseIterable {
    case powerUp = "POWERUP"
    case initialize = "INITIALIZE"
    case designatedEnabled = "DESIGNATED_ENABLED"
    case designatedDisabled = "DESIGNATED_DISABLED"
    case faultCleared = "FAULT_CLEARED"
    case faultDetected = "FAULT_DETECTED"
    case stateDecisionEvent = "STATE_DECISION_EVENT"
    case qualificationTimeoutExpires = "QUALIFICATION_TIMEOUT_EXPIRES"
    case announceReceiptTimeoutExpires = "ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES"
    case synchronizationFault = "SYNCHRONIZATION_FAULT"
    case masterClockSelected = "MASTER_CLOCK_SELECTED"
    case initComplete = "INIT_COMPLETE"
    /// Recommended state MASTER by M3.
    case rsMaster = "RS_MASTER"
    /// Recommended state MASTER by M1 or M2: this clock is the grandmaster.
    case rsGrandMaster = "RS_GRAND_MASTER"
    case rsSlave = "RS_SLAVE"
    case rsPassive = "RS_PASSIVE"
    /// Recommended state LISTENING (no foreign master, or a slave-only clock told to be master).
    case rsListening = "RS_LISTENING"
}

extension PortStateEvent: CustomStringConvertible {
    public var description: String { rawValue }
}

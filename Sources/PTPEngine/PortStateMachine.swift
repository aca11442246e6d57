import PTPCore

/// The port state machine (IEEE 1588-2019 9.2.5, figure 30), a pure function like linuxptp's `ptp_fsm`
/// and `ptp_slave_fsm`.
///
/// Meridian has no separate GRAND_MASTER state: RS_GRAND_MASTER (M1/M2) leads straight to MASTER,
/// since the qualification interval for M1 and M2 is zero (9.2.6.11), and RS_MASTER (M3) leads to
/// PRE_MASTER, which the qualification timeout then ends.
public enum PortStateMachine {
    /// The next state; `state` itself when the event causes no transition.
    ///
    /// - Parameters:
    ///   - masterChanged: for RS_SLAVE in SLAVE, whether the parent changed (ptp4l's `mdiff`), which sends
    ///     the port back to UNCALIBRATED.
    ///   - slaveOnly: the clock is slave-only (9.2.2.2): no path leads to PRE_MASTER or MASTER.
    public static func next(
        _ state: PortState, on event: PortStateEvent, masterChanged: Bool = false, slaveOnly: Bool = false
    ) -> PortState {
        let candidate = transition(state, on: event, masterChanged: masterChanged)
        if slaveOnly && (candidate == .master || candidate == .preMaster) {
            return .listening
        }
        return candidate
    }

    static func transition(_ state: PortState, on event: PortStateEvent, masterChanged: Bool) -> PortState {
        // Transitions from any state.
        switch event {
        case .initialize, .powerUp:
            return .initializing
        case .designatedDisabled:
            return .disabled
        case .faultDetected:
            return state == .disabled ? state : .faulty
        default:
            break
        }
        switch state {
        case .initializing:
            return event == .initComplete ? .listening : state
        case .faulty:
            return event == .faultCleared ? .initializing : state
        case .disabled:
            return event == .designatedEnabled ? .initializing : state
        case .listening:
            switch event {
            case .announceReceiptTimeoutExpires: return .master
            case .rsMaster: return .preMaster
            case .rsGrandMaster: return .master
            case .rsSlave: return .uncalibrated
            case .rsPassive: return .passive
            default: return state
            }
        case .preMaster:
            switch event {
            case .qualificationTimeoutExpires: return .master
            case .rsGrandMaster: return .master
            case .rsSlave: return .uncalibrated
            case .rsPassive: return .passive
            case .rsListening: return .listening
            default: return state
            }
        case .master:
            switch event {
            case .rsSlave: return .uncalibrated
            case .rsPassive: return .passive
            case .rsListening: return .listening
            default: return state
            }
        case .passive:
            switch event {
            case .announceReceiptTimeoutExpires: return .master
            case .rsMaster: return .preMaster
            case .rsGrandMaster: return .master
            case .rsSlave: return .uncalibrated
            case .rsListening: return .listening
            default: return state
            }
        case .uncalibrated:
            switch event {
            case .announceReceiptTimeoutExpires: return .master
            case .masterClockSelected: return .slave
            case .rsMaster: return .preMaster
            case .rsGrandMaster: return .master
            case .rsPassive: return .passive
            case .rsListening: return .listening
            default: return state
            }
        case .slave:
            switch event {
            case .announceReceiptTimeoutExpires: return .master
            case .synchronizationFault: return .uncalibrated
            case .rsMaster: return .preMaster
            case .rsGrandMaster: return .master
            case .rsSlave: return masterChanged ? .uncalibrated : state
            case .rsPassive: return .passive
            case .rsListening: return .listening
            default: return state
            }
        }
    }
}

import PTPCore
import PTPEngine
import Testing

/// The port state machine over every state × event pair (IEEE 1588-2019 figure 30, linuxptp `ptp_fsm`).
@Suite struct PortStateMachineTests {
    typealias S = PortState
    typealias E = PortStateEvent

    /// Every transition that changes state; every pair not listed must leave the state as it is.
    static let transitions: [S: [E: S]] = {
        var table: [S: [E: S]] = [:]
        for state in S.allCases {
            var row: [E: S] = [.initialize: .initializing, .powerUp: .initializing, .designatedDisabled: .disabled]
            if state != .disabled { row[.faultDetected] = .faulty }
            table[state] = row
        }
        table[.initializing]?[.initComplete] = .listening
        table[.faulty]?[.faultCleared] = .initializing
        table[.disabled]?[.designatedEnabled] = .initializing
        table[.listening]?.merge([
            .announceReceiptTimeoutExpires: .master, .rsMaster: .preMaster, .rsGrandMaster: .master,
            .rsSlave: .uncalibrated, .rsPassive: .passive,
        ]) { $1 }
        table[.preMaster]?.merge([
            .qualificationTimeoutExpires: .master, .rsGrandMaster: .master, .rsSlave: .uncalibrated,
            .rsPassive: .passive, .rsListening: .listening,
        ]) { $1 }
        table[.master]?.merge([.rsSlave: .uncalibrated, .rsPassive: .passive, .rsListening: .listening]) { $1 }
        table[.passive]?.merge([
            .announceReceiptTimeoutExpires: .master, .rsMaster: .preMaster, .rsGrandMaster: .master,
            .rsSlave: .uncalibrated, .rsListening: .listening,
        ]) { $1 }
        table[.uncalibrated]?.merge([
            .announceReceiptTimeoutExpires: .master, .masterClockSelected: .slave, .rsMaster: .preMaster,
            .rsGrandMaster: .master, .rsPassive: .passive, .rsListening: .listening,
        ]) { $1 }
        table[.slave]?.merge([
            .announceReceiptTimeoutExpires: .master, .synchronizationFault: .uncalibrated, .rsMaster: .preMaster,
            .rsGrandMaster: .master, .rsPassive: .passive, .rsListening: .listening,
        ]) { $1 }
        return table
    }()

    @Test(arguments: S.allCases)
    func everyEventFrom(_ state: S) {
        for event in E.allCases {
            let expected = Self.transitions[state]?[event] ?? state
            #expect(PortStateMachine.next(state, on: event) == expected, "\(state) on \(event)")
        }
    }

    @Test func newMasterSendsSlaveBackToUncalibrated() {
        #expect(PortStateMachine.next(.slave, on: .rsSlave, masterChanged: true) == .uncalibrated)
        #expect(PortStateMachine.next(.slave, on: .rsSlave, masterChanged: false) == .slave)
        #expect(PortStateMachine.next(.uncalibrated, on: .rsSlave, masterChanged: true) == .uncalibrated)
    }

    /// A slave-only clock never reaches PRE_MASTER or MASTER, from any state on any event.
    @Test(arguments: S.allCases)
    func slaveOnlyNeverMaster(_ state: S) {
        for event in E.allCases {
            let next = PortStateMachine.next(state, on: event, slaveOnly: true)
            #expect(next != .master && next != .preMaster, "\(state) on \(event)")
        }
        #expect(PortStateMachine.next(.slave, on: .announceReceiptTimeoutExpires, slaveOnly: true) == .listening)
    }

    @Test func logLineShape() {
        let change = PortStateChange(portNumber: 1, from: .uncalibrated, to: .slave, event: .masterClockSelected)
        #expect(change.description == "port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED")
    }
}

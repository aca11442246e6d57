import MeridianDaemon
import PTPCore
import PTPManagement
import PTPWire

/// A backend holding real data that changes when a SET or COMMAND is applied, standing in for the
/// daemon's actors.
actor TestBackend: ManagementBackend {
    var state: ManagementSnapshot
    private(set) var applied: [ManagementCommand] = []

    init(_ state: ManagementSnapshot) {
        self.state = state
    }

    func snapshot() -> ManagementSnapshot { state }

    func apply(_ command: ManagementCommand) -> Result<Void, ManagementErrorID> {
        applied.append(command)
        let isGrandmaster = state.parentDS.grandmasterIdentity == state.defaultDS.clockIdentity
        switch command {
        case .setPriority1(let value):
            state.defaultDS.priority1 = value
            if isGrandmaster { state.parentDS.grandmasterPriority1 = value }
        case .setPriority2(let value):
            state.defaultDS.priority2 = value
            if isGrandmaster { state.parentDS.grandmasterPriority2 = value }
        case .setDomain(let value): state.defaultDS.domainNumber = value
        case .setUserDescription(let text): state.userDescription = text
        case .setGrandmasterSettings(let settings): state.grandmasterSettings = settings
        case .setSynchronizationUncertain(let value): state.synchronizationUncertain = value
        case .enablePort(let number), .disablePort(let number):
            guard let index = state.ports.firstIndex(where: { $0.portIdentity.portNumber == number }) else {
                return .failure(.wrongValue)
            }
            if case .disablePort = command {
                state.ports[index].portDS.portState = .disabled
            } else {
                state.ports[index].portDS.portState = .listening
            }
        case .setNeighborPropDelayThresh(let number, let nanoseconds):
            guard let index = state.ports.firstIndex(where: { $0.portIdentity.portNumber == number }) else {
                return .failure(.wrongValue)
            }
            state.ports[index].dataSetNP.neighborPropDelayThresh = nanoseconds
        case .subscribe:
            return .failure(.generalError)
        }
        return .success(())
    }

    func setPortState(_ number: UInt16, _ portState: PortState) {
        guard let index = state.ports.firstIndex(where: { $0.portIdentity.portNumber == number }) else { return }
        state.ports[index].portDS.portState = portState
    }

    func setStatus(_ status: MeridianStatus) {
        state.status = status
    }

    func reset(priority2: UInt8) {
        state.defaultDS.priority2 = priority2
        state.parentDS.grandmasterPriority2 = priority2
        applied = []
    }
}

import MeridianDaemon
import PTPCore
import PTPEngine
import PTPManagement
import PTPWire

/// A backend over a real InstanceEngine, as the daemon will have it: management reads the engine's
/// data sets and a SET reruns its BMCA.
actor EngineBackend: ManagementBackend {
    static let own = ClockIdentity(rawValue: 0x0011_22FF_FE33_4455)
    static let foreign = ClockIdentity(rawValue: 0x00AA_BBFF_FECC_DDEE)
    var engine: InstanceEngine
    var now = PTPInstant(seconds: 1_700_000_000)
    private(set) var stateChanges: [String] = []

    init() {
        var ds = DefaultDS(clockIdentity: Self.own, numberPorts: 1)
        ds.priority1 = 128
        var engine = InstanceEngine(
            configuration: InstanceConfiguration(defaultDS: ds, ports: [PortConfiguration(portNumber: 1)]))
        _ = engine.handle(.port(0, .linkUp), at: PTPInstant(seconds: 1_700_000_000))
        self.engine = engine
    }

    func snapshot() -> ManagementSnapshot {
        ManagementSnapshot(engine: engine, ports: [ManagementPortExtras(interfaceName: "veth-a")])
    }

    func apply(_ command: ManagementCommand) -> Result<Void, ManagementErrorID> {
        var actions: [InstanceAction] = []
        let result = engine.applyManagement(command, at: now, into: &actions)
        record(actions)
        return result
    }

    /// Another grandmaster on the segment announces itself with `priority1`.
    func hearForeignGrandmaster(priority1: UInt8, sequence: UInt16) {
        now = now + .seconds(Int64(1))
        let sender = PortIdentity(clockIdentity: Self.foreign, portNumber: 1)
        let header = PTPHeader(
            messageType: .announce, sourcePortIdentity: sender, sequenceId: sequence,
            flags: [.ptpTimescale], logMessageInterval: 1)
        let body = AnnounceBody(
            currentUtcOffset: 37, grandmasterPriority1: priority1, grandmasterClockQuality: .default,
            grandmasterPriority2: 128, grandmasterIdentity: Self.foreign, stepsRemoved: 0, timeSource: .internalOscillator)
        let message = PTPMessage(header: header, body: .announce(body))
        record(engine.handle(.port(0, .received(message, timestamp: now)), at: now))
    }

    private func record(_ actions: [InstanceAction]) {
        for case .port(_, .stateChanged(let change)) in actions {
            stateChanges.append(change.description)
        }
    }

    var portState: PortState { engine.ports[0].state }
}

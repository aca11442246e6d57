import PTPCore
import PTPEngine
import PTPManagement
import PTPWire

/// What a port's actor knows that the engine does not, for management: the interface, the time
/// stamping, the per-messageType counters (PORT_STATS_NP), PORT_DATA_SET_NP.
public struct ManagementPortExtras: Sendable, Hashable {
    public var interfaceName: String
    public var timestamping: TimestampingNP
    /// Received messages by messageType (16 entries; fewer are zero-filled).
    public var receivedMessages: [UInt64]
    /// Sent messages by messageType.
    public var sentMessages: [UInt64]
    public var dataSetNP: PortDataSetNP
    /// CLOCK_DESCRIPTION's physicalAddress and protocolAddress as this port gives them (nil: the
    /// engine's clock-wide description).
    public var physicalAddress: [UInt8]?
    public var protocolAddress: PortAddress?
    /// CLOCK_DESCRIPTION's profileIdentity for this port (nil: the engine's clock-wide description's).
    public var profileIdentity: [UInt8]?

    public init(
        interfaceName: String, timestamping: TimestampingNP = .software, receivedMessages: [UInt64] = [],
        sentMessages: [UInt64] = [],
        dataSetNP: PortDataSetNP = PortDataSetNP(neighborPropDelayThresh: 20_000_000, asCapable: false)
    ) {
        self.interfaceName = interfaceName
        self.timestamping = timestamping
        self.receivedMessages = receivedMessages
        self.sentMessages = sentMessages
        self.dataSetNP = dataSetNP
    }
}

extension ManagementPortExtras {
    /// PORT_DATA_SET_NP as linuxptp 3.1 fills it for a port that is not IEEE 802.1AS (Meridian has no
    /// `follow_up_info`): `port_capable()` makes such a port asCapable for good the first time it runs,
    /// which ptp4l 3.1 was measured to do when the port receives an Announce or sends an Announce or
    /// Sync (E2E) and when it sends its first Pdelay_Req (P2P, even with no peer answering); before
    /// that asCapable is 0 (a LISTENING E2E port that heard nothing). `asCapable true` in the
    /// configuration makes it 1 from the start. Counters are by messageType (Sync 0, Pdelay_Req 2,
    /// Announce 11).
    public static func dataSetNP(
        neighborPropDelayThresh: UInt32, alwaysCapable: Bool, received: [UInt64], sent: [UInt64]
    ) -> PortDataSetNP {
        func count(_ list: [UInt64], _ type: Int) -> UInt64 { type < list.count ? list[type] : 0 }
        let heardOrSpoke = count(received, 11) > 0 || [0, 2, 11].contains { count(sent, $0) > 0 }
        return PortDataSetNP(neighborPropDelayThresh: neighborPropDelayThresh, asCapable: alwaysCapable || heardOrSpoke)
    }
}

extension ManagementSnapshot {
    /// The management view of `engine` (the daemon's InstanceEngine), with what only the actors know:
    /// one ``ManagementPortExtras`` per engine port (missing ones get defaults), the ingress time of
    /// the last Sync for TIME_STATUS_NP, and Meridian's status.
    ///
    /// TIME_STATUS_NP is filled as ptp4l fills it (`clock.c`): master_offset from currentDS,
    /// gmPresent when the grandmaster is not this clock, gmIdentity from parentDS.
    public init(
        engine: InstanceEngine, ports extras: [ManagementPortExtras] = [], ingressTime: Int64 = 0,
        synchronizationUncertain: SynchronizationUncertainNP = .dontCare, status: MeridianStatus = MeridianStatus()
    ) {
        let own = engine.defaultDS.clockIdentity
        let description = engine.clockDescription
        let ports = engine.ports.enumerated().map { index, port in
            let extra = index < extras.count ? extras[index] : ManagementPortExtras(interfaceName: "port\(index + 1)")
            var portDescription = description
            portDescription.physicalAddress = extra.physicalAddress ?? description.physicalAddress
            portDescription.protocolAddress = extra.protocolAddress ?? description.protocolAddress
            portDescription.profileIdentity = extra.profileIdentity ?? description.profileIdentity
            var snapshot = PortSnapshot(
                portDS: port.portDS, interfaceName: extra.interfaceName, timestamping: extra.timestamping,
                dataSetNP: extra.dataSetNP, receivedMessages: extra.receivedMessages,
                sentMessages: extra.sentMessages, clockDescription: portDescription)
            snapshot.serviceStats = PortServiceStatsNP(port)
            snapshot.unicastMasterTable = UnicastMasterTableNP(port, parent: engine.parentDS.parentPortIdentity)
            return snapshot
        }
        let timeStatus = TimeStatusNP(
            masterOffset: ScaledNanoseconds(saturating: engine.currentDS.offsetFromMaster).nanoseconds,
            ingressTime: ingressTime, cumulativeScaledRateOffset: 0, scaledLastGmPhaseChange: 0,
            gmTimeBaseIndicator: 0, lastGmPhaseChange: .zero,
            gmPresent: engine.parentDS.grandmasterIdentity != own, gmIdentity: engine.parentDS.grandmasterIdentity)
        self.init(
            defaultDS: engine.defaultDS, currentDS: engine.currentDS, parentDS: engine.parentDS,
            timePropertiesDS: engine.timePropertiesDS, userDescription: description.userDescription,
            timeStatus: timeStatus,
            grandmasterSettings: GrandmasterSettingsNP(
                clockQuality: engine.grandmasterQuality.clockQuality,
                timeProperties: engine.grandmasterQuality.timeProperties),
            synchronizationUncertain: synchronizationUncertain, ports: ports, status: status)
    }
}

extension InstanceEngine {
    /// Carries out a management command on the engine, rerunning the BMCA where the standard asks
    /// (a new priority, domain or grandmaster quality is a state decision event, 9.2.6.8), and
    /// appends the resulting actions (state changes to log and notify, messages to send).
    ///
    /// SYNCHRONIZATION_UNCERTAIN_NP, subscriptions and PORT_DATA_SET_NP are not engine state: they return
    /// NOT_SUPPORTED here, and the daemon keeps them itself.
    public mutating func applyManagement(
        _ command: ManagementCommand, at now: PTPInstant, into actions: inout [InstanceAction]
    ) -> Result<Void, ManagementErrorID> {
        switch command {
        case .setPriority1(let value):
            setPriorities(priority1: value, priority2: defaultDS.priority2, at: now, into: &actions)
        case .setPriority2(let value):
            setPriorities(priority1: defaultDS.priority1, priority2: value, at: now, into: &actions)
        case .setDomain(let value):
            setDomainNumber(value, at: now, into: &actions)
        case .setUserDescription(let text):
            setUserDescription(text)
        case .setGrandmasterSettings(let settings):
            setGrandmasterQuality(
                GrandmasterQuality(clockQuality: settings.clockQuality, timeProperties: settings.timeProperties),
                at: now, into: &actions)
        case .enablePort(let number), .disablePort(let number):
            guard let index = index(ofPort: number) else { return .failure(.wrongValue) }
            let enable: Bool
            if case .enablePort = command { enable = true } else { enable = false }
            actions += handle(.port(index, .setEnabled(enable)), at: now)
        case .setSynchronizationUncertain, .subscribe, .setNeighborPropDelayThresh:
            return .failure(.notSupported)
        }
        return .success(())
    }
}

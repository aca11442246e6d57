import PTPCore
import PTPManagement
import PTPWire

/// A snapshot holding what ptp4l held in the udp4-e2e capture (clock 769927.fffe.71c27a, one port,
/// MASTER), so our answers can be compared with what linuxptp's pmc printed for ptp4l.
public enum ExampleSnapshot {
    public static let clock = ClockIdentity("769927.fffe.71c27a") ?? .zero

    public static func port(_ number: UInt16, state: PortState = .master) -> PortSnapshot {
        let identity = PortIdentity(clockIdentity: clock, portNumber: number)
        let ds = PortDS(
            portIdentity: identity, portState: state, logMinDelayReqInterval: LogInterval(0),
            peerMeanPathDelay: .zero, logAnnounceInterval: LogInterval(-1), announceReceiptTimeout: 3,
            logSyncInterval: LogInterval(-2), delayMechanism: .e2e, logMinPdelayReqInterval: LogInterval(0),
            versionNumber: 2)
        var rx = [UInt64](repeating: 0, count: 16)
        var tx = [UInt64](repeating: 0, count: 16)
        rx[1] = 5
        rx[13] = 18
        tx[0] = 25
        tx[8] = 25
        tx[9] = 5
        tx[11] = 13
        tx[13] = 17
        let description = ClockDescription(
            clockType: .ordinaryClock, physicalLayerProtocol: "IEEE 802.3",
            physicalAddress: [0x76, 0x99, 0x27, 0x71, 0xC2, 0x7A],
            protocolAddress: PortAddress(networkProtocol: .udpIPv4, address: [10, 66, 0, number == 1 ? 1 : 2]),
            manufacturerIdentity: [0, 0, 0], productDescription: ";;", revisionData: ";;", userDescription: "",
            profileIdentity: [0x00, 0x1B, 0x19, 0x00, 0x01, 0x00])
        return PortSnapshot(
            portDS: ds, interfaceName: "veth\(number)", timestamping: .software,
            dataSetNP: PortDataSetNP(neighborPropDelayThresh: 20_000_000, asCapable: true), receivedMessages: rx,
            sentMessages: tx, clockDescription: description)
    }

    public static func snapshot(ports: Int = 1) -> ManagementSnapshot {
        let dds = DefaultDS(
            twoStepFlag: true, clockIdentity: clock, numberPorts: UInt16(ports), clockQuality: .default, priority1: 128,
            priority2: 128, domainNumber: 0, slaveOnly: false, sdoId: 0)
        var parent = ParentDS(selfAsGrandmaster: dds)
        parent.observedParentOffsetScaledLogVariance = 0xFFFF
        parent.observedParentClockPhaseChangeRate = 0x7FFF_FFFF
        let tp = TimePropertiesDS()
        return ManagementSnapshot(
            defaultDS: dds, currentDS: CurrentDS(), parentDS: parent, timePropertiesDS: tp,
            timeStatus: TimeStatusNP(
                masterOffset: 0, ingressTime: 0, cumulativeScaledRateOffset: 0, scaledLastGmPhaseChange: 0,
                gmTimeBaseIndicator: 0, lastGmPhaseChange: .zero, gmPresent: false, gmIdentity: clock),
            grandmasterSettings: GrandmasterSettingsNP(clockQuality: .default, timeProperties: tp),
            synchronizationUncertain: .dontCare, ports: (1...UInt16(ports)).map { port($0) })
    }
}

import PTPCore
import PTPWire

/// What management reads of one port (IEEE 1588-2019 8.2.15 portDS, and linuxptp's per-port `_NP` data).
public struct PortSnapshot: Sendable, Hashable {
    /// portDS (8.2.15): PORT_DATA_SET, LOG_ANNOUNCE_INTERVAL, ANNOUNCE_RECEIPT_TIMEOUT, LOG_SYNC_INTERVAL,
    /// VERSION_NUMBER, DELAY_MECHANISM, LOG_MIN_PDELAY_REQ_INTERVAL.
    public var portDS: PortDS
    /// The network interface (`eth0`): PORT_PROPERTIES_NP.interface.
    public var interfaceName: String
    /// The time stamping in use: PORT_PROPERTIES_NP.timestamping.
    public var timestamping: TimestampingNP
    /// PORT_DATA_SET_NP: neighborPropDelayThresh (ns) and asCapable.
    public var dataSetNP: PortDataSetNP
    /// Messages received, by messageType (16 entries): PORT_STATS_NP.
    public var receivedMessages: [UInt64]
    /// Messages sent, by messageType (16 entries): PORT_STATS_NP.
    public var sentMessages: [UInt64]
    /// CLOCK_DESCRIPTION as this port describes the clock (15.5.3.1.2): its physical and protocol
    /// address. The userDescription field is replaced by the clock's when answered.
    public var clockDescription: ClockDescription
    /// PORT_SERVICE_STATS_NP's counters (its portIdentity is the port's own).
    public var serviceStats: PortServiceStatsNP?
    /// UNICAST_MASTER_TABLE_NP: the port's unicast master table with each master's state (empty: no table).
    public var unicastMasterTable = UnicastMasterTableNP(entries: [])

    public init(
        portDS: PortDS, interfaceName: String, timestamping: TimestampingNP = .software,
        dataSetNP: PortDataSetNP = PortDataSetNP(neighborPropDelayThresh: 20_000_000, asCapable: false),
        receivedMessages: [UInt64] = [], sentMessages: [UInt64] = [], clockDescription: ClockDescription
    ) {
        self.portDS = portDS
        self.interfaceName = interfaceName
        self.timestamping = timestamping
        self.dataSetNP = dataSetNP
        self.receivedMessages = receivedMessages
        self.sentMessages = sentMessages
        self.clockDescription = clockDescription
    }

    /// The port's identity.
    public var portIdentity: PortIdentity { portDS.portIdentity }

    /// PORT_STATS_NP for this port.
    public var statsNP: PortStatsNP {
        PortStatsNP(portIdentity: portDS.portIdentity, rxMsgType: receivedMessages, txMsgType: sentMessages)
    }

    /// PORT_PROPERTIES_NP for this port.
    public var propertiesNP: PortPropertiesNP {
        PortPropertiesNP(
            portIdentity: portDS.portIdentity, portState: portDS.portState.rawValue, timestamping: timestamping,
            interface: PTPText(interfaceName))
    }
}

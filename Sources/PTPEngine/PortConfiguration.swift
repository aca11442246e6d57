import PTPCore

/// How one port is set up (the per-port keys of ptp4l's configuration).
public struct PortConfiguration: Sendable, Hashable {
    // Stored properties in the order the per-message paths read them (a struct is laid out in declaration order):
    // the intervals and the flags every message checks first, in the first cache line of the port's configuration.
    public var portNumber: UInt16
    public var logAnnounceInterval: LogInterval
    public var logSyncInterval: LogInterval
    public var logMinDelayReqInterval: LogInterval
    public var logMinPdelayReqInterval: LogInterval
    /// announceReceiptTimeout (8.2.15.4.2), at least 2.
    public var announceReceiptTimeout: UInt8
    public var delayMechanism: DelayMechanism
    /// portDS.masterOnly (8.2.15.5.2): never slave; its Announce messages are not BMCA input.
    public var masterOnly: Bool
    /// Send one-step Sync (the transport inserts the time stamp): twoStepFlag clear, no Follow_Up, and no
    /// transmit stamp awaited (ptp4l `time_stamping onestep`, the NIC's `HWTSTAMP_TX_ONESTEP_SYNC`).
    public var oneStep: Bool
    /// Answer Pdelay_Req one-step (ptp4l `time_stamping p2p1step`, `HWTSTAMP_TX_ONESTEP_P2P`, IEEE 1588-2019
    /// 11.4.2 c one-step): the Pdelay_Resp carries the request's correction plus egressLatency and ingressLatency,
    /// its requestReceiptTimestamp zero and its twoStepFlag clear, and the NIC adds the turnaround time
    /// (egress less the request's ingress) to its correctionField as it leaves; no Pdelay_Resp_Follow_Up.
    public var oneStepPeerDelay = false
    /// `syncReceiptTimeout`: Sync intervals without a Sync before a slave gives its master up (0 = off).
    public var syncReceiptTimeout: UInt8
    /// portDS.localPriority (ITU-T G.8275.1 6.3.2, `G.8275.portDS.localPriority`): the localPriority of every
    /// foreign master heard on this port in the G.8275 comparison.
    public var localPriority: UInt8 = 128
    /// `transportSpecific` (majorSdoId, 13.3.2.3): sent in every message; messages with another value are
    /// dropped unless `ignoreTransportSpecific` (linuxptp `port_ignore`). IEEE 802.1AS uses 1.
    public var transportSpecific: UInt8 = 0
    public var ignoreTransportSpecific = false
    /// `follow_up_info`: append the IEEE 802.1AS Follow_Up information TLV (802.1AS-2011 11.4.4.3) to Follow_Up.
    public var followUpInformation = false
    /// `path_trace_enabled`: append the PATH_TRACE TLV to Announce and drop an Announce whose path already
    /// holds this clock (IEEE 1588-2019 16.2).
    public var pathTrace = false
    /// `BMCA noop` with `masterOnly`: a designated master, MASTER from initialisation on, outside the BMCA
    /// (linuxptp `designated_master_fsm`).
    public var designatedMaster = false
    /// `inhibit_announce`: send no Announce, and do not wait for one.
    public var inhibitAnnounce = false
    /// `inhibit_delay_req`: send no Delay_Req or Pdelay_Req (the path delay is not measured); peers' requests
    /// are still answered.
    public var inhibitDelayRequest = false
    /// `assume_two_step`: treat every Sync as two-step, whatever its twoStepFlag (linuxptp `one_step`).
    public var assumeTwoStep = false
    /// `asCapable true`: the port is asCapable whatever its peer delay (linuxptp ALWAYS_CAPABLE).
    public var alwaysASCapable = false
    /// `delay_filter`: moving median (ptp4l's default) or moving average of the path delay samples.
    public var delayFilter: PathDelayFilter.Kind = .movingMedian
    /// `tsproc_mode raw`: each Sync's offset uses the latest unfiltered path delay, not the filtered one
    /// (linuxptp tsproc.c); the filtered one is still what the port reports.
    public var rawDelayForOffset = false
    /// `tsproc_mode filter_weight` / `raw_weight`: each measurement carries the weight filtered ÷ raw path delay
    /// (at most 1), which the servo scales its correction by (linuxptp tsproc.c `tsproc_update_offset`, pi.c and
    /// linreg.c): a Sync whose path delay sample was long counts for less.
    public var weightedOffsets = false
    /// `msg_interval_request`: once the servo is stable, take `operLogSyncInterval`/`operLogPdelayReqInterval`
    /// and ask the master for that Sync interval (802.1AS message interval request).
    public var messageIntervalRequest = false
    public var operLogSyncInterval = LogInterval(0)
    public var operLogPdelayReqInterval = LogInterval(0)
    /// `ignore_source_id`: take Sync and Follow_Up from any sender, not only the parent (with BMCA noop, where
    /// a designated slave has no parent from an Announce).
    public var ignoreSourceIdentity = false
    /// `BMCA noop` with `slaveOnly`: a designated slave, SLAVE from initialisation on, outside the BMCA
    /// (linuxptp `designated_slave_fsm`).
    public var designatedSlave = false
    /// `inhibit_multicast_service`: a master sends Announce and Sync only to its unicast clients.
    public var inhibitMulticastService = false
    /// A port of a transparent clock (`clock_type E2E_TC`/`P2P_TC`): it runs the BMCA's states but originates
    /// no Announce or Sync (linuxptp `e2e_dispatch`/`p2p_dispatch` arm neither timer); what it forwards is
    /// the instance's (``TransparentClock``). With `transparentDelayRequests` false (a free-running E2E TC,
    /// linuxptp `e2e_event`) it sends no Delay_Req of its own either.
    public var transparentClock = false
    /// `delay_mechanism Auto` (with ``delayMechanism`` E2E): the port works end to end until it receives a
    /// Pdelay_Req, then switches to peer delay for good, as linuxptp 3.1's `process_pdelay_req`.
    public var automaticDelayMechanism = false
    /// `slave_event_monitor` set: each Sync and Delay_Resp the slave takes is reported as a
    /// ``PortAction/slaveTiming(_:)`` (linuxptp `monitor_sync`, `monitor_delay`).
    public var reportsSlaveTiming = false
    /// `check_fup_sync`: a Follow_Up that overtook its Sync is paired with it only if it was received no earlier
    /// than the Sync (linuxptp 3.1 `fup_sync_ok`, on software receive stamps: the daemon has the transport stamp
    /// general messages too).
    public var checkFollowUpSync = false
    public var transparentDelayRequests = true
    /// `hybrid_e2e`: a slave sends Delay_Req unicast to its master (a master answers any unicast Delay_Req
    /// unicast, with or without it).
    public var hybridE2E = false
    /// `maxStepsRemoved` (clock-wide, 2…255): an Announce with this many steps or more is not processed
    /// (linuxptp `process_announce`; IEEE 1588-2019 9.3.2.5 d fixes 255).
    public var maxStepsRemoved: UInt16 = 255
    public var egressLatency: PTPDuration
    /// ingressLatency/egressLatency (16.7): from the time stamp point to the reference plane.
    public var ingressLatency: PTPDuration
    /// delayAsymmetry (8.2.15.4.8, 16.8): master-to-slave delay minus the mean path delay.
    public var delayAsymmetry: PTPDuration
    /// `delay_filter_length`: samples in the mean-path-delay moving median.
    public var delayFilterLength: Int
    /// The 802.1AS asCapable limits on the filtered peer delay (ns): above `neighborPropDelayThresh` or below
    /// `min_neighbor_prop_delay` the port is not asCapable.
    public var neighborPropDelayThresh: Int64 = 20_000_000
    public var minNeighborPropDelay: Int64 = -20_000_000
    /// `freq_est_interval`: log2 seconds over which an 802.1AS port estimates the neighbour rate ratio.
    public var frequencyEstimationInterval: Int = 1
    /// `initial_delay`: the path delay assumed until the first is measured (nil: no offset until then).
    public var initialDelay: PTPDuration?
    /// Unicast negotiation as a master (`unicast_listen`, `unicast_max_clients`; IEEE 1588-2019 16.1).
    public var unicast = UnicastServiceConfiguration()
    /// `unicast_master_table` (with `[unicast_master_table]` and `unicast_req_duration`): the masters this port
    /// asks for unicast service as a slave (16.1); nil: none.
    public var unicastMasterTable: UnicastMasterTableConfiguration? = nil

    public init(
        portNumber: UInt16, logAnnounceInterval: LogInterval = LogInterval(1), logSyncInterval: LogInterval = LogInterval(0),
        logMinDelayReqInterval: LogInterval = LogInterval(0), logMinPdelayReqInterval: LogInterval = LogInterval(0),
        announceReceiptTimeout: UInt8 = 3, delayMechanism: DelayMechanism = .e2e, masterOnly: Bool = false,
        delayAsymmetry: PTPDuration = .zero, ingressLatency: PTPDuration = .zero, egressLatency: PTPDuration = .zero,
        oneStep: Bool = false, delayFilterLength: Int = 10, syncReceiptTimeout: UInt8 = 0
    ) {
        self.portNumber = portNumber
        self.logAnnounceInterval = logAnnounceInterval
        self.logSyncInterval = logSyncInterval
        self.logMinDelayReqInterval = logMinDelayReqInterval
        self.logMinPdelayReqInterval = logMinPdelayReqInterval
        self.announceReceiptTimeout = max(2, announceReceiptTimeout)
        self.delayMechanism = delayMechanism
        self.masterOnly = masterOnly
        self.delayAsymmetry = delayAsymmetry
        self.ingressLatency = ingressLatency
        self.egressLatency = egressLatency
        self.oneStep = oneStep
        self.delayFilterLength = delayFilterLength
        self.syncReceiptTimeout = syncReceiptTimeout
    }
}

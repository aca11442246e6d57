import LinuxPlatform
import MeridianConfig
import PTPCore
import PTPEngine
import PTPServo
import PTPWire

/// The configuration turned into what the engine, the servo, the clock and the transports take.
/// Pure translation: nothing is opened here.
struct DaemonSettings: Sendable {
    struct Port: Sendable {
        var interface: String
        var networkProtocol: NetworkProtocol
        var transport: TransportConfiguration
        var engine: PortConfiguration
        /// PORT_DATA_SET_NP: `neighborPropDelayThresh` (ns) and whether `asCapable true` pins asCapable.
        var neighborPropDelayThresh: UInt32
        var alwaysASCapable: Bool
        /// `fault_reset_interval`: log2 seconds a FAULTY port waits before it reopens its transport and starts
        /// over (ptp4l's default 4: 16 s); nil for ASAP (at once).
        var faultResetInterval: LogInterval?
        /// The profileIdentity of this port's CLOCK_DESCRIPTION (``profileIdentity(configured:delayMechanism:telecom:networkProtocol:)``).
        var profileIdentity: [UInt8] = ClockDescription.defaultE2EProfile
        /// `source_allow_list` and `acceptable_master_table` (issue #17), applied by the port's I/O.
        var sourceFilter = SourceFilter()
        /// `phc_index` (linuxptp 4): the PHC this port's hardware stamps come from; nil (-1) for the interface's own.
        /// With `virtual_clock_mode phc`, the emulated PHC the port stamps with (nil or 0: the disciplined one).
        var phcIndex: Int32? = nil
        /// `boundary_clock_jbod`: this port may be on another PHC than the disciplined clock (kept aligned to it).
        var jbod = false

        /// PORT_PROPERTIES_NP's timestamping as ptp4l reports it: SOFTWARE, HARDWARE, ONESTEP or P2P1STEP.
        func managementTimestamping(software: Bool) -> TimestampingNP {
            if software { return .software }
            switch transport.transmitStamps {
            case .twoStep: return .hardware
            case .oneStepSync: return .oneStep
            case .oneStepPeerDelay: return .p2pOneStep
            }
        }
    }

    /// With `virtual_clock_mode phc` and `boundary_clock_jbod`: the emulated PHCs of the ports that stamp with one
    /// of their own (`phc_index` 1 or more), by index, each with the oscillator its first port's section gives
    /// (`virtual_clock_offset`, `virtual_clock_freq_ppm`; the global values otherwise).
    var emulatedPortPHCs: [Int32: VirtualClockConfiguration] = [:]

    /// G.8275.1's profileIdentifier (ITU-T G.8275.1 annex A, version 2.3, as linuxptp 4 sends it).
    static let g8275_1Profile: [UInt8] = [0x00, 0x19, 0xA7, 0x01, 0x02, 0x03]
    /// G.8275.2's profileIdentifier (ITU-T G.8275.2 annex A, version 1.2, as linuxptp 4 sends it).
    static let g8275_2Profile: [UInt8] = [0x00, 0x19, 0xA7, 0x02, 0x01, 0x02]

    /// The profileIdentity a port's CLOCK_DESCRIPTION carries, chosen as linuxptp 4 chooses it (`port.c`,
    /// MID_CLOCK_DESCRIPTION): the configured `profileIdentity` unless it is all zero; else the peer-to-peer
    /// default profile's (IEEE 1588-2019 I.4) on a P2P port; else G.8275.1's on IEEE 802.3 and G.8275.2's on UDP
    /// under the G.8275 comparison; else the delay request-response default profile's (I.3).
    static func profileIdentity(
        configured: [UInt8]?, delayMechanism: DelayMechanism, telecom: Bool, networkProtocol: NetworkProtocol
    ) -> [UInt8] {
        if let configured, configured.count == 6, configured.contains(where: { $0 != 0 }) { return configured }
        if delayMechanism == .p2p { return ClockDescription.defaultP2PProfile }
        if telecom { return networkProtocol == .ieee802_3 ? g8275_1Profile : g8275_2Profile }
        return ClockDescription.defaultE2EProfile
    }

    enum ClockChoice: Sendable, Hashable {
        case virtual(VirtualClockConfiguration)
        /// `clock_device virtual` with `virtual_clock_mode phc`: an emulated PHC keeping TAI (TAI − UTC from
        /// `utc_offset`), driven through ``PHCClock`` like `/dev/ptpN`.
        case emulatedPHC(VirtualClockConfiguration, taiMinusUTC: Int)
        case system
        case phc(String)
        /// `auto`: the first port's PHC with hardware stamps; with software stamps (`-S`) the system clock, steered
        /// unless `free_running` (as ptp4l).
        case automatic
    }

    var ports: [Port]
    var defaultDS: DefaultDS
    var timeProperties: TimePropertiesDS
    var servoKind: ServoKind
    /// `servo_outlier_filter`: nil when 0.
    var outlierFilter: OutlierFilter?
    var servo: ServoConfiguration
    var clock: ClockChoice
    var freeRunning: Bool
    var verbose: Bool
    var useSyslog: Bool
    var loggingLevel: Int
    var driftFile: String?
    /// `refclock_sock_address`: chrony's SOCK refclock socket to feed while locked; nil when empty.
    var refclockSockAddress: String?
    /// `ntpshm_feed` with `ntpshm_segment`: the NTP SHM segment to write while locked; nil when off.
    var ntpSHMSegment: Int32?
    var userDescription: String
    var summaryInterval: Int64
    /// `sanity_freq_limit` (ppb; 0: no check): see ``ClockSanityCheck``.
    var sanityFreqLimit: Int
    /// `dataset_comparison` and `G.8275.defaultDS.localPriority`.
    var bmca: BMCAConfiguration
    /// `servo_offset_threshold` and `servo_num_offset_values`.
    var servoStability: ServoStability
    /// `clockIdentity` when it is not linuxptp's default (000000.0000.000000: from the first port's MAC).
    var clockIdentity: ClockIdentity?
    /// CLOCK_DESCRIPTION's strings: `manufacturerIdentity`, `productDescription`, `revisionData`,
    /// `userDescription` (linuxptp clock.c reads the same options).
    var clockDescription: ClockDescription
    /// `slave_event_monitor`: the Unix socket the slave's Sync and Delay_Resp timing goes to; nil when empty.
    var slaveEventMonitor: String?
    /// `clock_type E2E_TC` / `P2P_TC`: the instance is a transparent clock.
    var transparentClock: TransparentClockConfiguration?

    init(_ c: Configuration) {
        let timestamping: LinuxPlatform.TimestampingMode = c.string("time_stamping") == "software" ? .software : .hardware
        // linuxptp `config_harmonize_onestep`: hardware with twoStepFlag 0 is onestep; onestep/p2p1step clear
        // twoStepFlag. Software stamps with twoStepFlag 0 never get here (ProfileConfigCheck refuses them).
        let transmitStamps: TransmitStampMode =
            switch c.oneStepTimestamping {
            case "onestep": .oneStepSync
            case "p2p1step": .oneStepPeerDelay
            default: .twoStep
            }
        var ports: [Port] = []
        var emulatedPHCs: [Int32: VirtualClockConfiguration] = [:]
        for (index, section) in c.ports.enumerated() {
            let name = section.interface
            let protocolNumber = c.integer("network_transport", port: name)
            let networkProtocol: NetworkProtocol = protocolNumber == 2 ? .udpIPv6 : protocolNumber == 3 ? .ieee802_3 : .udpIPv4
            var transport = TransportConfiguration(
                interfaceName: name, timestamping: timestamping,
                transmitTimestampTimeout: .milliseconds(c.integer("tx_timestamp_timeout")),
                maxConsecutiveMissedTimestamps: Int(c.integer("tx_timestamp_miss_limit")),
                dscpEvent: UInt8(clamping: c.integer("dscp_event")), dscpGeneral: UInt8(clamping: c.integer("dscp_general")),
                ipv6Scope: UInt8(clamping: c.integer("udp6_scope", port: name)),
                primaryMAC: ConfigKey.parseMAC(c.string("ptp_dst_mac", port: name)) ?? EthernetTransport.primaryGroup,
                peerDelayMAC: ConfigKey.parseMAC(c.string("p2p_dst_mac", port: name)) ?? EthernetTransport.peerDelayGroup)
            transport.multicastTTL = Int(c.integer("udp_ttl", port: name))
            transport.socketPriority = Int(c.integer("socket_priority"))
            transport.transmitStamps = timestamping == .hardware ? transmitStamps : .twoStep
            // check_fup_sync: on software stamps only, where ptp4l's check has both stamps to compare.
            let checkFollowUpSync = c.flag("check_fup_sync") && transport.timestamping == .software
            transport.stampGeneralMessages = checkFollowUpSync
            let mechanism = c.integer("delay_mechanism", port: name)
            var engine = PortConfiguration(
                portNumber: UInt16(index + 1),
                logAnnounceInterval: LogInterval(Int8(clamping: c.integer("logAnnounceInterval", port: name))),
                logSyncInterval: LogInterval(Int8(clamping: c.integer("logSyncInterval", port: name))),
                logMinDelayReqInterval: LogInterval(Int8(clamping: c.integer("logMinDelayReqInterval", port: name))),
                logMinPdelayReqInterval: LogInterval(Int8(clamping: c.integer("logMinPdelayReqInterval", port: name))),
                announceReceiptTimeout: UInt8(clamping: c.integer("announceReceiptTimeout", port: name)),
                // Auto (0) starts end to end and switches on the first Pdelay_Req (automaticDelayMechanism).
                delayMechanism: mechanism == 2 ? .p2p : mechanism == 0xFE ? .noMechanism : .e2e,
                masterOnly: c.flag("masterOnly", port: name),
                delayAsymmetry: .nanoseconds(c.integer("delayAsymmetry", port: name)),
                ingressLatency: .nanoseconds(c.integer("ingressLatency", port: name)),
                egressLatency: .nanoseconds(c.integer("egressLatency", port: name)),
                oneStep: transmitStamps.oneStepSync,
                delayFilterLength: Int(c.integer("delay_filter_length", port: name)),
                syncReceiptTimeout: UInt8(clamping: c.integer("syncReceiptTimeout", port: name)))
            engine.oneStepPeerDelay = transmitStamps == .oneStepPeerDelay
            engine.automaticDelayMechanism = mechanism == 0
            engine.reportsSlaveTiming = !c.string("slave_event_monitor").isEmpty
            engine.checkFollowUpSync = checkFollowUpSync
            engine.localPriority = UInt8(clamping: c.integer("G.8275.portDS.localPriority", port: name))
            engine.transportSpecific = UInt8(clamping: c.integer("transportSpecific", port: name))
            engine.ignoreTransportSpecific = c.flag("ignore_transport_specific", port: name)
            engine.followUpInformation = c.flag("follow_up_info", port: name)
            engine.pathTrace = c.flag("path_trace_enabled", port: name)
            // ProfileConfigCheck has refused BMCA noop without masterOnly.
            engine.designatedMaster = c.string("BMCA", port: name) == "noop" && c.flag("masterOnly", port: name)
            engine.inhibitAnnounce = c.flag("inhibit_announce", port: name)
            engine.inhibitDelayRequest = c.flag("inhibit_delay_req", port: name)
            engine.unicast.listen = c.flag("unicast_listen", port: name)
            engine.unicast.maxClients = Int(c.integer("unicast_max_clients", port: name))
            engine.unicast.minLogInterval = LogInterval(Int8(clamping: c.integer("unicast_min_log_interval", port: name)))
            engine.unicast.maxDuration = UInt32(clamping: c.integer("unicast_max_duration", port: name))
            engine.inhibitMulticastService = c.flag("inhibit_multicast_service", port: name)
            engine.hybridE2E = c.flag("hybrid_e2e", port: name)
            engine.unicastMasterTable = UnicastMasterTables.table(c, port: name, transport: networkProtocol)
            engine.assumeTwoStep = c.flag("assume_two_step")
            engine.maxStepsRemoved = UInt16(clamping: c.integer("maxStepsRemoved"))
            engine.alwaysASCapable = c.string("asCapable", port: name) == "true"
            engine.neighborPropDelayThresh = c.integer("neighborPropDelayThresh", port: name)
            engine.minNeighborPropDelay = c.integer("min_neighbor_prop_delay", port: name)
            engine.frequencyEstimationInterval = Int(c.integer("freq_est_interval", port: name))
            engine.delayFilter = c.string("delay_filter", port: name) == "moving_average" ? .movingAverage : .movingMedian
            let tsproc = c.string("tsproc_mode", port: name)
            engine.rawDelayForOffset = tsproc == "raw" || tsproc == "raw_weight"
            engine.weightedOffsets = tsproc == "filter_weight" || tsproc == "raw_weight"
            let initialDelay = c.integer("initial_delay")
            engine.initialDelay = initialDelay > 0 ? .nanoseconds(initialDelay) : nil
            engine.messageIntervalRequest = c.flag("msg_interval_request", port: name)
            engine.operLogSyncInterval = LogInterval(Int8(clamping: c.integer("operLogSyncInterval", port: name)))
            engine.operLogPdelayReqInterval = LogInterval(Int8(clamping: c.integer("operLogPdelayReqInterval", port: name)))
            engine.ignoreSourceIdentity = c.flag("ignore_source_id", port: name)
            engine.designatedSlave = c.string("BMCA", port: name) == "noop" && c.flag("slaveOnly") && !engine.designatedMaster
            ports.append(
                Port(
                    interface: name, networkProtocol: networkProtocol, transport: transport, engine: engine,
                    neighborPropDelayThresh: UInt32(clamping: c.integer("neighborPropDelayThresh", port: name)),
                    alwaysASCapable: c.integer("asCapable", port: name) == 1,
                    faultResetInterval: c.integer("fault_reset_interval", port: name) == ConfigKey.faultResetASAP
                        ? nil : LogInterval(Int8(clamping: c.integer("fault_reset_interval", port: name))),
                    profileIdentity: Self.profileIdentity(
                        configured: ConfigKey.parseMAC(c.string("profileIdentity", port: name)),
                        delayMechanism: engine.delayMechanism, telecom: c.integer("dataset_comparison") == 1,
                        networkProtocol: networkProtocol)))
            ports[ports.count - 1].sourceFilter = SourceFilter(c, port: name)
            let phcIndex = c.integer("phc_index", port: name)
            ports[ports.count - 1].phcIndex = phcIndex >= 0 ? Int32(clamping: phcIndex) : nil
            ports[ports.count - 1].jbod = c.flag("boundary_clock_jbod", port: name)
            if c.string("clock_device") == "virtual", c.string("virtual_clock_mode") == "phc", phcIndex >= 1,
                emulatedPHCs[Int32(clamping: phcIndex)] == nil
            {
                emulatedPHCs[Int32(clamping: phcIndex)] = VirtualClockConfiguration(
                    name: "emulated PHC \(phcIndex)", offsetSeconds: c.real("virtual_clock_offset", port: name),
                    frequencyPPM: c.real("virtual_clock_freq_ppm", port: name),
                    maxFrequency: PartsPerBillion(c.real("virtual_clock_max_adj_ppb")))
            }
        }
        self.ports = ports
        emulatedPortPHCs = emulatedPHCs
        // linuxptp clock_create: a slave-only clock, or an 802.1AS clock that is not gmCapable, is class 255
        // (IEEE 1588-2019 table 4; G.8275.1's T-TSC).
        let slaveOnlyClass = c.flag("slaveOnly") || !c.flag("gmCapable")
        let quality = ClockQuality(
            clockClass: slaveOnlyClass ? 255 : UInt8(clamping: c.integer("clockClass")),
            clockAccuracy: ClockAccuracy(rawValue: UInt8(clamping: c.integer("clockAccuracy"))),
            offsetScaledLogVariance: UInt16(clamping: c.integer("offsetScaledLogVariance")))
        // The clock identity is set when the first port's MAC is known (see Daemon).
        defaultDS = DefaultDS(
            twoStepFlag: !transmitStamps.oneStepSync, clockIdentity: .zero, numberPorts: UInt16(ports.count),
            clockQuality: quality,
            priority1: UInt8(clamping: c.integer("priority1")), priority2: UInt8(clamping: c.integer("priority2")),
            domainNumber: UInt8(clamping: c.integer("domainNumber")), slaveOnly: c.flag("slaveOnly"))
        timeProperties = TimePropertiesDS(
            currentUtcOffset: Int16(clamping: c.integer("utc_offset")),
            timeSource: TimeSource(rawValue: UInt8(clamping: c.integer("timeSource"))))
        servoKind = c.string("clock_servo") == "linreg" ? .linreg : .pi
        let outlierWindow = Int(c.integer("servo_outlier_filter"))
        outlierFilter = outlierWindow > 0 ? OutlierFilter(length: outlierWindow) : nil
        servo = ServoConfiguration(
            stepThreshold: .seconds(c.real("step_threshold")),
            firstStepThreshold: .seconds(c.real("first_step_threshold")),
            maxFrequency: PartsPerBillion(Double(c.integer("max_frequency"))),
            piProportionalConst: c.real("pi_proportional_const"), piIntegralConst: c.real("pi_integral_const"),
            piProportionalScale: c.real("pi_proportional_scale"), piProportionalExponent: c.real("pi_proportional_exponent"),
            piProportionalNormMax: c.real("pi_proportional_norm_max"), piIntegralScale: c.real("pi_integral_scale"),
            piIntegralExponent: c.real("pi_integral_exponent"), piIntegralNormMax: c.real("pi_integral_norm_max"),
            timestamping: timestamping == .software ? .software : .hardware)
        switch c.string("clock_device") {
        case "virtual":
            let wander = c.real("virtual_clock_wander_ppb")
            let virtual =
                VirtualClockConfiguration(
                    name: "virtual", offsetSeconds: c.real("virtual_clock_offset"),
                    frequencyPPM: c.real("virtual_clock_freq_ppm"),
                    maxFrequency: PartsPerBillion(c.real("virtual_clock_max_adj_ppb")),
                    wander: wander > 0
                        ? VirtualClockConfiguration.Wander(
                            stepDeviation: PartsPerBillion(wander), bound: PartsPerBillion(wander * 100), seed: 1)
                        : nil)
            if c.string("virtual_clock_mode") == "phc" {
                var phc = virtual
                phc.name = "emulated PHC"
                clock = .emulatedPHC(phc, taiMinusUTC: Int(clamping: c.integer("utc_offset")))
            } else {
                clock = .virtual(virtual)
            }
        case "system": clock = .system
        case "auto": clock = .automatic
        case let path: clock = .phc(path)
        }
        freeRunning = c.flag("free_running")
        let monitor = c.string("slave_event_monitor")
        slaveEventMonitor = monitor.isEmpty ? nil : monitor
        verbose = c.flag("verbose")
        useSyslog = c.flag("use_syslog")
        loggingLevel = Int(c.integer("logging_level"))
        let sock = c.string("refclock_sock_address")
        refclockSockAddress = sock.isEmpty ? nil : sock
        ntpSHMSegment = c.flag("ntpshm_feed") ? Int32(clamping: c.integer("ntpshm_segment")) : nil
        let drift = c.string("drift_file")
        driftFile = drift.isEmpty ? nil : drift
        userDescription = c.string("userDescription")
        summaryInterval = c.integer("summary_interval")
        sanityFreqLimit = Int(clamping: c.integer("sanity_freq_limit"))
        let identity = c.string("clockIdentity")
        clockIdentity = identity == "000000.0000.000000" ? nil : ClockIdentity(identity)
        servoStability = ServoStability(
            offsetThreshold: c.integer("servo_offset_threshold"), offsetValues: Int(c.integer("servo_num_offset_values")))
        let telecom = c.integer("dataset_comparison") == 1
        bmca = BMCAConfiguration(
            comparison: telecom ? .g8275 : .ieee1588,
            localPriority: UInt8(clamping: c.integer("G.8275.defaultDS.localPriority")))
        // A G.8275 clock that can be master and has no reference of its own is a T-BC: 135/165 in holdover.
        if telecom && c.string("reference") == "none" && !c.flag("slaveOnly") {
            let limit = c.real("holdover_max_time")
            bmca.boundaryClockHoldover = TelecomBoundaryClockClasses(
                holdoverSpecification: limit > 0 ? .seconds(limit) : nil)
        }
        // ptp4l.c: OC with several interfaces is a BC; E2E_TC and P2P_TC as configured (ProfileConfigCheck
        // refuses a TC of one port or with the other delay mechanism).
        var clockType: ClockType = ports.count > 1 ? .boundaryClock : .ordinaryClock
        switch c.integer("clock_type") {
        case 0x1000, 0x2000:
            let endToEnd = c.integer("clock_type") == 0x1000
            clockType = endToEnd ? .e2eTransparentClock : .p2pTransparentClock
            transparentClock = TransparentClockConfiguration(
                mechanism: endToEnd ? .endToEnd : .peerToPeer, spanningTree: c.flag("tc_spanning_tree"),
                freeRunning: c.flag("free_running"), frequencyEstimationInterval: Int(clamping: c.integer("freq_est_interval")))
        default:
            transparentClock = nil
        }
        var description = ClockDescription(
            clockType: clockType,
            manufacturerIdentity: DaemonSettings.oui(c.string("manufacturerIdentity")),
            productDescription: PTPText(c.string("productDescription")), revisionData: PTPText(c.string("revisionData")),
            userDescription: PTPText(c.string("userDescription")))
        if ports.first?.engine.delayMechanism == .p2p { description.profileIdentity = ClockDescription.defaultP2PProfile }
        clockDescription = description
    }

    /// `manufacturerIdentity` "xx:xx:xx" as three octets (linuxptp `clock_create`: sscanf of %hhx:%hhx:%hhx);
    /// anything else gives 00:00:00.
    static func oui(_ text: String) -> [UInt8] {
        let parts = text.split(separator: ":")
        guard parts.count == 3 else { return [0, 0, 0] }
        let bytes = parts.compactMap { UInt8($0, radix: 16) }
        return bytes.count == 3 ? bytes : [0, 0, 0]
    }
}

import LinuxPlatform
import MeridianConfig
import PTPCore
import PTPEngine
import PTPServo

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
    }

    enum ClockChoice: Sendable, Hashable {
        case virtual(VirtualClockConfiguration)
        case system
        case phc(String)
        /// `auto`: the interface's PHC with hardware stamps, the system clock (not steered) with software.
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
    var userDescription: String
    var summaryInterval: Int64

    init(_ c: Configuration) {
        let timestamping: LinuxPlatform.TimestampingMode = c.string("time_stamping") == "software" ? .software : .hardware
        var ports: [Port] = []
        for (index, section) in c.ports.enumerated() {
            let name = section.interface
            let protocolNumber = c.integer("network_transport", port: name)
            let networkProtocol: NetworkProtocol = protocolNumber == 2 ? .udpIPv6 : protocolNumber == 3 ? .ieee802_3 : .udpIPv4
            let transport = TransportConfiguration(
                interfaceName: name, timestamping: timestamping,
                transmitTimestampTimeout: .milliseconds(c.integer("tx_timestamp_timeout")),
                maxConsecutiveMissedTimestamps: Int(c.integer("tx_timestamp_miss_limit")),
                dscpEvent: UInt8(clamping: c.integer("dscp_event")), dscpGeneral: UInt8(clamping: c.integer("dscp_general")),
                ipv6Scope: UInt8(clamping: c.integer("udp6_scope", port: name)))
            let mechanism = c.integer("delay_mechanism", port: name)
            let engine = PortConfiguration(
                portNumber: UInt16(index + 1),
                logAnnounceInterval: LogInterval(Int8(clamping: c.integer("logAnnounceInterval", port: name))),
                logSyncInterval: LogInterval(Int8(clamping: c.integer("logSyncInterval", port: name))),
                logMinDelayReqInterval: LogInterval(Int8(clamping: c.integer("logMinDelayReqInterval", port: name))),
                logMinPdelayReqInterval: LogInterval(Int8(clamping: c.integer("logMinPdelayReqInterval", port: name))),
                announceReceiptTimeout: UInt8(clamping: c.integer("announceReceiptTimeout", port: name)),
                delayMechanism: mechanism == 2 ? .p2p : mechanism == 0xFE ? .noMechanism : .e2e,
                masterOnly: c.flag("masterOnly", port: name),
                delayAsymmetry: .nanoseconds(c.integer("delayAsymmetry", port: name)),
                ingressLatency: .nanoseconds(c.integer("ingressLatency", port: name)),
                egressLatency: .nanoseconds(c.integer("egressLatency", port: name)),
                oneStep: false,
                delayFilterLength: Int(c.integer("delay_filter_length", port: name)),
                syncReceiptTimeout: UInt8(clamping: c.integer("syncReceiptTimeout", port: name)))
            ports.append(
                Port(
                    interface: name, networkProtocol: networkProtocol, transport: transport, engine: engine,
                    neighborPropDelayThresh: UInt32(clamping: c.integer("neighborPropDelayThresh", port: name)),
                    alwaysASCapable: c.integer("asCapable", port: name) == 1,
                    faultResetInterval: c.integer("fault_reset_interval", port: name) == ConfigKey.faultResetASAP
                        ? nil : LogInterval(Int8(clamping: c.integer("fault_reset_interval", port: name)))))
        }
        self.ports = ports
        let quality = ClockQuality(
            clockClass: UInt8(clamping: c.integer("clockClass")),
            clockAccuracy: ClockAccuracy(rawValue: UInt8(clamping: c.integer("clockAccuracy"))),
            offsetScaledLogVariance: UInt16(clamping: c.integer("offsetScaledLogVariance")))
        // The clock identity is set when the first port's MAC is known (see Daemon).
        defaultDS = DefaultDS(
            twoStepFlag: true, clockIdentity: .zero, numberPorts: UInt16(ports.count), clockQuality: quality,
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
            clock = .virtual(
                VirtualClockConfiguration(
                    name: "virtual", offsetSeconds: c.real("virtual_clock_offset"),
                    frequencyPPM: c.real("virtual_clock_freq_ppm"),
                    maxFrequency: PartsPerBillion(c.real("virtual_clock_max_adj_ppb")),
                    wander: wander > 0
                        ? VirtualClockConfiguration.Wander(
                            stepDeviation: PartsPerBillion(wander), bound: PartsPerBillion(wander * 100), seed: 1)
                        : nil))
        case "system": clock = .system
        case "auto": clock = .automatic
        case let path: clock = .phc(path)
        }
        freeRunning = c.flag("free_running")
        verbose = c.flag("verbose")
        useSyslog = c.flag("use_syslog")
        loggingLevel = Int(c.integer("logging_level"))
        let drift = c.string("drift_file")
        driftFile = drift.isEmpty ? nil : drift
        userDescription = c.string("userDescription")
        summaryInterval = c.integer("summary_interval")
    }
}

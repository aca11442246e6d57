/// The one table of options: name, scope, type and range, default (DESIGN.md "MeridianConfig").
///
/// Names, types, ranges and defaults follow ptp4l 3.1's `config.c` for every option both implement, so a
/// ptp4l.conf means the same here. Where Meridian differs it says so in the summary.
public enum ConfigKeys {
    static let int8 = Int64(Int8.min)...Int64(Int8.max)
    static let int32 = Int64(Int32.min)...Int64(Int32.max)
    static let uint8: ClosedRange<Int64> = 0...255
    static let positive32: ClosedRange<Int64> = 0...Int64(Int32.max)
    static let big: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude

    public static let all: [ConfigKey] =
        [
            // defaultDS and clock quality (IEEE 1588-2019 8.2.1)
            .int("domainNumber", .global, 0, 0...127, "PTP domain of the clock"),
            .int("priority1", .global, 128, uint8, "BMCA priority1; lower wins"),
            .int("priority2", .global, 128, uint8, "BMCA priority2; lower wins"),
            .int("clockClass", .global, 248, uint8, "clockClass announced when no reference sets it"),
            .int("clockAccuracy", .global, 0xFE, uint8, "clockAccuracy announced when no reference sets it (hex accepted)"),
            .int(
                "offsetScaledLogVariance", .global, 0xFFFF, 0...0xFFFF,
                "offsetScaledLogVariance announced when no reference sets it"),
            .flag("slaveOnly", .global, false, "the clock never becomes master"),
            .flag("twoStepFlag", .global, true, "send Follow_Up after Sync (two-step)"),
            .flag("free_running", .global, false, "measure but never adjust the clock"),
            .int("timeSource", .global, 0xA0, uint8, "timeSource announced by a grandmaster without a reference"),
            .int("utc_offset", .global, 37, positive32, "TAI-UTC in seconds when no reference or leap file knows better"),
            .int("maxStepsRemoved", .global, 255, 2...255, "Announce messages with this many steps or more are ignored"),
            // Port data set and message rates (8.2.15)
            .flag("masterOnly", .port, false, "the port never becomes slave"),
            .int("logAnnounceInterval", .port, 1, int8, "log2 seconds between Announce messages"),
            .int("logSyncInterval", .port, 0, int8, "log2 seconds between Sync messages"),
            .int("logMinDelayReqInterval", .port, 0, int8, "log2 seconds, minimum between Delay_Req messages"),
            .int("logMinPdelayReqInterval", .port, 0, int8, "log2 seconds, minimum between Pdelay_Req messages"),
            .int("announceReceiptTimeout", .port, 3, 2...255, "Announce intervals without Announce before the master is lost"),
            .int("syncReceiptTimeout", .port, 0, uint8, "Sync intervals without Sync before the master is lost (0 = off)"),
            .choice(
                "delay_mechanism", .port, "E2E", [("E2E", 1), ("P2P", 2), ("Auto", 3), ("NONE", 0xFE)], "path delay mechanism"),
            .int(
                "neighborPropDelayThresh", .port, 20_000_000, 0...Int64(UInt32.max),
                "ns; PORT_DATA_SET_NP's neighborPropDelayThresh (an 802.1AS port's peer delay limit)"),
            .choice(
                "asCapable", .port, "auto", [("auto", 0), ("true", 1)],
                "PORT_DATA_SET_NP's asCapable: auto (once the port heard or sent an Announce, as ptp4l), or always"),
            .choice("network_transport", .port, "UDPv4", [("UDPv4", 1), ("UDPv6", 2), ("L2", 3)], "transport of the port"),
            .int("delayAsymmetry", .port, 0, int32, "ns; delay master-to-slave minus mean path delay (16.8)"),
            .int("ingressLatency", .port, 0, int32, "ns the receive timestamp lags the reference plane (16.7)"),
            .int("egressLatency", .port, 0, int32, "ns the transmit timestamp leads the reference plane (16.7)"),
            .int("udp6_scope", .port, 0x0E, 0...0x0F, "scope nibble of the ff0X::181 multicast group"),
            .int("delay_filter_length", .port, 10, 1...Int64(Int32.max), "samples in the path delay moving median"),
            // Timestamping and sockets
            .choice(
                "time_stamping", .global, "hardware",
                [("hardware", 1), ("software", 2), ("legacy", 3), ("onestep", 4), ("p2p1step", 5)], "timestamping mode"),
            .int(
                "tx_timestamp_timeout", .global, 10, 1...Int64(Int32.max),
                "ms to wait for a transmit timestamp (ptp4l's default is 1)"),
            .int(
                "tx_timestamp_miss_limit", .global, 3, 1...1000, "consecutive missing transmit timestamps before the port faults"),
            .int(
                "fault_reset_interval", .port, 4, int8,
                "log2 s a FAULTY port waits before it reopens its transport and starts over; ASAP: at once (ptp4l)"),
            .int("dscp_event", .global, 0, 0...63, "DSCP of event messages"),
            .int("dscp_general", .global, 0, 0...63, "DSCP of general messages"),
            // Servo (ptp4l's pi.c and linreg.c options)
            .choice("clock_servo", .global, "pi", [("pi", 1), ("linreg", 2)], "clock servo"),
            .int(
                "servo_outlier_filter", .global, 16, 0...1024,
                "samples; window of the filter that keeps a spoiled slave-port measurement (far beyond the recent spread) from a locked servo (0 = off, as ptp4l)"
            ),
            .real(
                "step_threshold", .global, 0.0, big,
                "seconds; step the clock when the offset exceeds it (0 = never after the first)"),
            .real("first_step_threshold", .global, 0.00002, big, "seconds; step on the first lock when the offset exceeds it"),
            .int(
                "max_frequency", .global, 900_000_000, positive32,
                "ppb; frequency adjustment limit (the clock's own limit if lower)"),
            .real("pi_proportional_const", .global, 0.0, big, "PI kp (0 = from the scale, exponent and norm below)"),
            .real("pi_integral_const", .global, 0.0, big, "PI ki (0 = from the scale, exponent and norm below)"),
            .real("pi_proportional_scale", .global, 0.0, big, "PI kp scale (0 = 0.7 hardware, 0.7 software)"),
            .real(
                "pi_proportional_exponent", .global, -0.3, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                "PI kp exponent"),
            .real("pi_proportional_norm_max", .global, 0.7, Double.leastNormalMagnitude...1.0, "PI kp upper bound"),
            .real("pi_integral_scale", .global, 0.0, big, "PI ki scale (0 = 0.3 hardware, 0.3 software)"),
            .real(
                "pi_integral_exponent", .global, 0.4, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                "PI ki exponent"),
            .real("pi_integral_norm_max", .global, 0.3, Double.leastNormalMagnitude...2.0, "PI ki upper bound"),
            // Management
            .text("uds_address", .global, "/var/run/ptp4l", "read-write management socket (pmc -u default)"),
            .text("uds_ro_address", .global, "/var/run/ptp4lro", "read-only management socket"),
            .flag(
                "management_network_writes", .global, false,
                "accept management SET and COMMAND from the network (ptp4l never does)"),
            .text("userDescription", .global, "", "USER_DESCRIPTION of the clock"),
            .text("productDescription", .global, ";;", "productDescription of CLOCK_DESCRIPTION"),
            .text("revisionData", .global, ";;", "revisionData of CLOCK_DESCRIPTION"),
            .text("manufacturerIdentity", .global, "00:00:00", "OUI of CLOCK_DESCRIPTION"),
            // Logging
            .int(
                "summary_interval", .global, 0, int32,
                "log2 seconds between offset summaries (rms/max lines instead of one line per Sync when longer than the Sync interval)"
            ),
            .flag("verbose", .global, false, "log to standard output"),
            .flag("use_syslog", .global, true, "log to syslog"),
            .int("logging_level", .global, 6, 0...7, "syslog level; 6 is info, 7 debug"),
            // Meridian's own
            .text("clock_device", .global, "auto", "clock to discipline: auto, virtual, system or /dev/ptpN"),
            .real("virtual_clock_offset", .global, 0.0, -1e9...1e9, "seconds; initial error of the virtual clock"),
            .real("virtual_clock_freq_ppm", .global, 0.0, -1e4...1e4, "ppm; frequency error of the virtual clock"),
            .real("virtual_clock_wander_ppb", .global, 0.0, 0...1e6, "ppb per sqrt(s); random-walk wander of the virtual clock"),
            .real(
                "virtual_clock_max_adj_ppb", .global, 500_000, 1...1e9,
                "ppb; the virtual clock's frequency limit, like a PHC's max_adj"),
            .text("ports_dir", .global, "", "directory of per-port files (default: ports.d next to the main file)"),
            .text(
                "drift_file", .global, "",
                "file that keeps the servo's learned frequency across restarts, saved each minute and at shutdown while locked (empty = none)"
            ),
        ] + referenceKeys

    /// The time reference of a grandmaster (issue 6): source, its checks, leap seconds, holdover and the
    /// announced classes. ts2phc's names where they overlap (`extts_polarity`, `extts_correction`, `pin_index`),
    /// ptp4l's for `leapfile`. Cross-option rules are in ``ReferenceConfigCheck``.
    static let referenceKeys: [ConfigKey] = [
        .choice(
            "reference", .global, "none", [("none", 0), ("gpsd", 1), ("pps", 2), ("extts", 3), ("simulated", 4)],
            "time reference of a grandmaster"),
        .text("gpsd_address", .global, "127.0.0.1:2947", "gpsd to ask for time of day (and PPS with reference gpsd): host:port"),
        .text("pps_device", .global, "", "kernel PPS device for reference pps, e.g. /dev/pps0"),
        .choice(
            "extts_polarity", .global, "rising", [("rising", 1), ("falling", 2), ("both", 3)],
            "edges the PHC timestamps (ts2phc.extts_polarity)"),
        .int(
            "extts_correction", .global, 0, int32,
            "ns added to each external timestamp: cable and receiver delay (ts2phc.extts_correction)"),
        .int("pin_index", .global, 0, positive32, "PHC pin the PPS is wired to (ts2phc.pin_index)"),
        .int("extts_channel", .global, 0, positive32, "external timestamp channel of that pin (ts2phc.channel)"),
        .int("gnss_min_fix", .global, 3, 0...3, "lowest receiver fix mode whose time of day is used (2 = 2D, 3 = 3D)"),
        .int("gnss_min_satellites", .global, 4, 0...255, "fewest satellites used for a sample to count"),
        .int(
            "gnss_edge_window", .global, 1_000_000, 1...999_999_999,
            "ns; a locked clock rejects edges further than this from the expected second"),
        .int(
            "gnss_lock_threshold", .global, 0, 0...999_999_999,
            "ns; largest offset that counts towards locked (0 = holdover_max_error)"),
        .text("leapfile", .global, "", "leap-seconds.list file (IETF/NIST format) when the receiver gives no leap seconds"),
        .real(
            "holdover_max_error", .global, 1.5e-6, 1e-9...1e3,
            "seconds; holdover is within spec until the predicted time error crosses it"),
        .real("holdover_max_time", .global, 0.0, 0...1e9, "seconds; holdover is within spec at most this long (0 = no limit)"),
        .real(
            "holdover_frequency_wander", .global, 0.0, 0...1e6,
            "ppb per sqrt(s); the oscillator's random-walk frequency noise, from its data sheet (0 = left out of the prediction)"),
        .int("gm_class_locked", .global, 6, uint8, "clockClass announced while locked to the reference"),
        .int("gm_class_holdover", .global, 7, uint8, "clockClass announced in holdover within spec"),
        .int(
            "gm_class_holdover_out_of_spec", .global, 140, uint8,
            "clockClass announced in holdover out of spec (G.8275.1: 140, 150 or 160)"),
        .int("gm_class_free_running", .global, 248, uint8, "clockClass announced before the first lock"),
        .choice(
            "gm_quality_profile", .global, "default", [("default", 0), ("G.8275.1", 1)],
            "measured clockAccuracy/variance, or G.8275.1's fixed values"),
        .real("sim_gnss_jitter_ns", .global, 0.0, 0...1e9, "ns; standard deviation of the simulated reference's edges"),
        .real("sim_gnss_outage_after", .global, 0.0, 0...1e9, "seconds after start of a simulated reference outage (0 = none)"),
        .real("sim_gnss_outage_duration", .global, 0.0, 0...1e9, "seconds the simulated outage lasts"),
        .int("sim_gnss_seed", .global, 1, 0...Int64.max, "seed of the simulated reference's jitter, so a demo repeats"),
    ]

    static let byName: [String: ConfigKey] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The option called `name`, or nil.
    public static func key(_ name: String) -> ConfigKey? {
        byName[name]
    }

    /// ptp4l 3.1 options Meridian recognises but does not implement: accepted with a warning so a
    /// ptp4l.conf still loads, instead of stopping start-up.
    public static let ptp4lOnly: Set<String> = [
        "gmCapable", "G.8275.defaultDS.localPriority", "G.8275.portDS.localPriority", "assume_two_step",
        "check_fup_sync", "clock_class_threshold", "fault_badpeernet_interval",
        "hybrid_e2e", "inhibit_multicast_service", "net_sync_monitor", "tc_spanning_tree", "unicast_listen",
        "unicast_master_table", "unicast_req_duration", "min_neighbor_prop_delay",
        "BMCA", "inhibit_announce", "ignore_source_id", "msg_interval_request",
        "servo_num_offset_values", "servo_offset_threshold", "write_phase_mode", "delay_filter",
        "freq_est_interval", "follow_up_info", "kernel_leap", "sanity_freq_limit", "ntpshm_segment",
        "hwts_filter", "boundary_clock_jbod", "clock_type", "dataset_comparison", "p2p_dst_mac", "ptp_dst_mac",
        "udp_ttl", "socket_priority", "step_window", "pi_offset_const", "slave_event_monitor", "phc_index",
        "ignore_transport_specific", "transportSpecific", "path_trace_enabled", "operLogSyncInterval",
        "operLogPdelayReqInterval", "message_tag", "allowedLostResponses", "tsproc_mode", "announce_span",
        "fault_badpeernet_interval", "unicast_master_table", "power_profile.version", "ptp_minor_version",
        "refclock_sock_address", "serverOnly", "clientOnly", "tx_timestamp_retries", "master_only", "slave_only",
    ]
}

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

    public static let all: [ConfigKey] = ptp4lKeys + meridianKeys + referenceKeys.map(meridianUnlessPTP4l) + ptp4lOnlyKeys

    static func meridianUnlessPTP4l(_ key: ConfigKey) -> ConfigKey {
        key.name == "leapfile" ? key : key.support(.meridian)
    }

    /// The options ptp4l 3.1 and Meridian both implement, as ptp4l does (or with the values listed).
    static let ptp4lKeys: [ConfigKey] = [
        // defaultDS and clock quality (IEEE 1588-2019 8.2.1)
        .int("domainNumber", .global, 0, 0...127, "PTP domain of the clock"),
        .int("priority1", .global, 128, uint8, "BMCA priority1; lower wins (not compared by dataset_comparison G.8275.x)"),
        .int("priority2", .global, 128, uint8, "BMCA priority2; lower wins"),
        .int("clockClass", .global, 248, uint8, "clockClass announced when no reference sets it"),
        .int("clockAccuracy", .global, 0xFE, uint8, "clockAccuracy announced when no reference sets it (hex accepted)"),
        .int(
            "offsetScaledLogVariance", .global, 0xFFFF, 0...0xFFFF,
            "offsetScaledLogVariance announced when no reference sets it"),
        .flag("slaveOnly", .global, false, "the clock never becomes master; its clockClass is 255 (as ptp4l)"),
        .flag(
            "twoStepFlag", .global, true,
            "send Follow_Up after Sync (two-step); 0 with hardware stamps is one-step Sync (time_stamping onestep, HWTSTAMP_TX_ONESTEP_SYNC, as ptp4l); refused with software stamps"
        ),
        .flag("free_running", .global, false, "measure but never adjust the clock"),
        .int("timeSource", .global, 0xA0, 0x10...0xFE, "timeSource announced by a grandmaster without a reference"),
        .int("utc_offset", .global, 37, positive32, "TAI-UTC in seconds when no reference or leap file knows better"),
        .int("maxStepsRemoved", .global, 255, 2...255, "Announce messages with this many steps or more are ignored"),
        .choice(
            "dataset_comparison", .global, "ieee1588", [("ieee1588", 0), ("G.8275.x", 1)],
            "BMCA data set comparison: IEEE 1588-2019 9.3.4, or ITU-T G.8275.1/G.8275.2's alternate BMCA"),
        .int(
            "G.8275.defaultDS.localPriority", .global, 128, 1...255,
            "the clock's own localPriority in the G.8275 comparison (dataset_comparison G.8275.x)"),
        .choice(
            "clock_type", .global, "OC", [("OC", 0x8000), ("BC", 0x4000), ("P2P_TC", 0x2000), ("E2E_TC", 0x1000)],
            "OC/BC: ordinary or boundary clock, by the number of ports as ptp4l decides; E2E_TC/P2P_TC: a transparent clock over two ports or more (IEEE 1588-2019 10.2), forwarding with residence time in the correctionField (two-step, as linuxptp tc.c); E2E_TC needs delay_mechanism E2E, P2P_TC P2P"
        ),
        // Port data set and message rates (8.2.15)
        .flag("masterOnly", .port, false, "the port never becomes slave"),
        .int(
            "G.8275.portDS.localPriority", .port, 128, 1...255,
            "localPriority of the port's foreign masters in the G.8275 comparison (dataset_comparison G.8275.x)"),
        .int("logAnnounceInterval", .port, 1, int8, "log2 seconds between Announce messages"),
        .int("logSyncInterval", .port, 0, int8, "log2 seconds between Sync messages"),
        .int(
            "logMinDelayReqInterval", .port, 0, int8,
            "log2 seconds, minimum between Delay_Req messages; a master port whose value is above logSyncInterval answers the Delay_Reqs in its next Sync's pass (at most one Sync interval later)"
        ),
        .int("logMinPdelayReqInterval", .port, 0, int8, "log2 seconds, minimum between Pdelay_Req messages"),
        .int("announceReceiptTimeout", .port, 3, 2...255, "Announce intervals without Announce before the master is lost"),
        .int("syncReceiptTimeout", .port, 0, uint8, "Sync intervals without Sync before the master is lost (0 = off)"),
        .choice(
            "delay_mechanism", .port, "E2E", [("Auto", 0), ("E2E", 1), ("P2P", 2), ("NONE", 0xFE)],
            "path delay mechanism; Auto: end to end until a Pdelay_Req arrives, then peer to peer for good (linuxptp 3.1 process_pdelay_req); NONE is Meridian's: no delay measurement"
        ),
        .int(
            "neighborPropDelayThresh", .port, 20_000_000, 0...Int64(Int32.max),
            "ns; an 802.1AS port (follow_up_info 1) with a longer peer delay is not asCapable; PORT_DATA_SET_NP shows and sets it"
        ),
        .choice(
            "asCapable", .port, "auto", [("true", 1), ("auto", 0)],
            "auto: an 802.1AS port (follow_up_info 1) is asCapable by the 802.1AS rules as ptp4l's port_capable (peer delay within limits, a measured neighbour rate ratio, one responder, at most 3 lost responses), any other port always; true: always"
        ),
        .choice("network_transport", .port, "UDPv4", [("L2", 3), ("UDPv4", 1), ("UDPv6", 2)], "transport of the port"),
        ConfigKey(
            "ptp_dst_mac", .port, .macAddress, default: .string("01:1B:19:00:00:00"),
            "IEEE 802.3 destination of every message but the peer delay ones (G.8275.1: 01:80:C2:00:00:0E)"),
        ConfigKey(
            "p2p_dst_mac", .port, .macAddress, default: .string("01:80:C2:00:00:0E"),
            "IEEE 802.3 destination of the peer delay messages"),
        ConfigKey(
            "profileIdentity", .port, .macAddress, default: .string("00:00:00:00:00:00"),
            "six octets xx:xx:xx:xx:xx:xx: the profileIdentity of the port's CLOCK_DESCRIPTION (linuxptp 4); all zero: the profile's own, as linuxptp 4 picks it (P2P 00:1B:19:00:02:00; dataset_comparison G.8275.x on L2 00:19:A7:01:02:03, on UDP 00:19:A7:02:01:02; else 00:1B:19:00:01:00)"
        ),
        .int("delayAsymmetry", .port, 0, int32, "ns; delay master-to-slave minus mean path delay (16.8)"),
        .int("ingressLatency", .port, 0, int32, "ns the receive timestamp lags the reference plane (16.7)"),
        .int("egressLatency", .port, 0, int32, "ns the transmit timestamp leads the reference plane (16.7)"),
        .int("udp6_scope", .port, 0x0E, 0...0x0F, "scope nibble of the ff0X::181 multicast group"),
        .int("udp_ttl", .port, 1, 1...255, "TTL / hop limit of multicast UDP messages"),
        .int("delay_filter_length", .port, 10, 1...Int64(Int32.max), "samples in the path delay moving median"),
        .int(
            "fault_reset_interval", .port, 4, int8,
            "log2 s a FAULTY port waits before it reopens its transport and starts over; ASAP: at once (ptp4l)"
        )
        .words([("ASAP", ConfigKey.faultResetASAP)]),
        // Timestamping and sockets
        .choice(
            "time_stamping", .global, "hardware",
            [("hardware", 1), ("software", 2), ("legacy", 3), ("onestep", 4), ("p2p1step", 5)],
            "timestamping mode: hardware, software, onestep (the NIC writes Sync's originTimestamp: HWTSTAMP_TX_ONESTEP_SYNC, no Follow_Up) or p2p1step (also Pdelay_Resp one-step: HWTSTAMP_TX_ONESTEP_P2P)"
        ).support(
            .only(
                [
                    .enumeration("hardware", 1), .enumeration("software", 2), .enumeration("onestep", 4),
                    .enumeration("p2p1step", 5),
                ],
                "Meridian takes hardware (two-step), onestep, p2p1step or software time stamps; legacy is the stamping of drivers from before SIOCSHWTSTAMP (SOF_TIMESTAMPING_SYS_HARDWARE), which no current driver needs: use hardware"
            )),
        .int(
            "tx_timestamp_timeout", .global, 10, 1...Int64(Int32.max),
            "ms to wait for a transmit timestamp (ptp4l's default is 1)"),
        .int("dscp_event", .global, 0, 0...63, "DSCP of event messages"),
        .int("dscp_general", .global, 0, 0...63, "DSCP of general messages"),
        // Servo (ptp4l's pi.c and linreg.c options)
        .choice("clock_servo", .global, "pi", [("pi", 1), ("linreg", 2), ("ntpshm", 3), ("nullf", 4)], "clock servo")
            .support(
                .only(
                    [.enumeration("pi", 1), .enumeration("linreg", 2)],
                    "the ntpshm and nullf servos are not implemented")),
        .real(
            "step_threshold", .global, 0.0, big,
            "seconds; step the clock when the offset exceeds it (0 = never after the first)"),
        .real("first_step_threshold", .global, 0.00002, big, "seconds; step on the first lock when the offset exceeds it"),
        .int(
            "max_frequency", .global, 900_000_000, positive32,
            "ppb; frequency adjustment limit (the clock's own limit if lower)"),
        .real("pi_proportional_const", .global, 0.0, big, "PI kp (0 = from the scale, exponent and norm below)"),
        .real("pi_integral_const", .global, 0.0, big, "PI ki (0 = from the scale, exponent and norm below)"),
        .real("pi_proportional_scale", .global, 0.0, big, "PI kp scale (0 = 0.7 with hardware stamps, 0.1 with software stamps)"),
        .real(
            "pi_proportional_exponent", .global, -0.3, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
            "PI kp exponent"),
        .real("pi_proportional_norm_max", .global, 0.7, Double.leastNormalMagnitude...1.0, "PI kp upper bound"),
        .real("pi_integral_scale", .global, 0.0, big, "PI ki scale (0 = 0.3 with hardware stamps, 0.001 with software stamps)"),
        .real(
            "pi_integral_exponent", .global, 0.4, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
            "PI ki exponent"),
        .real("pi_integral_norm_max", .global, 0.3, Double.leastNormalMagnitude...2.0, "PI ki upper bound"),
        // Management
        .text("uds_address", .global, "/var/run/ptp4l", "read-write management socket (pmc -u default)"),
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
    ]

    /// Meridian's own options (ptp4l 3.1 has none of these names).
    static let meridianKeys: [ConfigKey] = meridianOwnKeys.map { $0.support(.meridian) }
    private static let meridianOwnKeys: [ConfigKey] = [
        .int(
            "tx_timestamp_miss_limit", .global, 3, 1...1000, "consecutive missing transmit timestamps before the port faults"),
        .int(
            "servo_outlier_filter", .global, 16, 0...1024,
            "samples; window of the filter that keeps a spoiled slave-port measurement (far beyond the recent spread) from a locked servo (0 = off, as ptp4l)"
        ),
        .text("uds_ro_address", .global, "/var/run/ptp4lro", "read-only management socket (linuxptp 4's option)"),
        .text(
            "source_allow_list", .port, "",
            "addresses (IPv4, IPv6 or MAC, space-separated) from which this port takes any PTP message; others are dropped and counted (empty = every source)"
        ),
        .text(
            "acceptable_master_table", .port, "",
            "IEEE 1588 17.6 acceptable master table: addresses whose Announce this port qualifies; an Announce from any other is dropped and counted (empty = off)"
        ),
        .text(
            "user", .global, "",
            "user (name or uid in the passwd database) meridiand switches to once its sockets and devices are open, when started as root: its groups plus uds_group, and only the capabilities it needs at run time (empty = stay as started)"
        ),
        .text(
            "uds_group", .global, "",
            "group of the read-write management socket (mode 0660), so its members can use pmc without root (empty = the daemon's own group)"
        ),
        .text(
            "http_address", .global, HTTPAddress.defaultText,
            "read-only HTTP endpoint (/metrics, /status.json, /): host:port or [v6]:port, or none"),
        .flag(
            "management_network_writes", .global, false,
            "accept management SET and COMMAND from the network (ptp4l never does)"),
        .text("clock_device", .global, "auto", "clock to discipline: auto, virtual, system or /dev/ptpN"),
        .real(
            "virtual_clock_offset", .port, 0.0, -1e9...1e9,
            "seconds; initial error of the virtual clock (in a port section, with virtual_clock_mode phc and boundary_clock_jbod: of that port's emulated PHC phc_index)"
        ),
        .real(
            "virtual_clock_freq_ppm", .port, 0.0, -1e4...1e4,
            "ppm; frequency error of the virtual clock (in a port section, with virtual_clock_mode phc and boundary_clock_jbod: of that port's emulated PHC phc_index)"
        ),
        .int(
            "conversion_remeasure_interval", .global, 16, 1...86_400,
            "seconds between re-measurements of the crossing from CLOCK_REALTIME onto a PHC (reference gpsd, pps or simulated on a PHC): the worst read window of five sys-offset measurements (plus, with boundary_clock_jbod, the widest PHC-to-PHC window) becomes the conversion uncertainty the announced clockAccuracy carries"
        ),
        .int(
            "phc_index", .port, -1, -1...Int64(Int32.max),
            "the PTP hardware clock /dev/ptpN the port's hardware timestamps come from (linuxptp 4's name; -1: the interface's own, from ETHTOOL_GET_TS_INFO); with virtual_clock_mode phc, the emulated PHC the port stamps with (0 or -1: the disciplined one); a port on another PHC than the disciplined clock needs boundary_clock_jbod 1"
        ),
        .real("virtual_clock_wander_ppb", .global, 0.0, 0...1e6, "ppb per sqrt(s); random-walk wander of the virtual clock"),
        .real(
            "virtual_clock_max_adj_ppb", .global, 500_000, 1...1e9,
            "ppb; the virtual clock's frequency limit, like a PHC's max_adj"),
        .text(
            "refclock_sock_address", .global, "",
            "chrony SOCK refclock socket (refclock SOCK <path> in chrony.conf): while locked, each measurement is sent as chrony's struct sock_sample, true time minus system time with the leap flags (linuxptp 4's option; empty = off)"
        ),
        .int(
            "phc_pps_out_channel", .global, -1, -1...63,
            "periodic-output channel of the disciplined PHC that gives 1 PPS on the PHC's whole seconds (PTP_PEROUT_REQUEST); -1 = off"
        ),
        .int(
            "phc_pps_out_pin", .global, -1, -1...255,
            "programmable pin (SDP) to set to periodic output for phc_pps_out_channel (PTP_PIN_SETFUNC); -1 = leave the pins as they are"
        ),
        .choice(
            "system_clock_follower", .global, "off", [("off", 0), ("realtime", 1), ("virtual", 2)],
            "make a clock follow the disciplined clock in-process with its own PI servo (phc2sys's role): realtime steers CLOCK_REALTIME (needs CAP_SYS_TIME; refused when the daemon already disciplines the system clock), virtual steers a lab clock standing in for it"
        ),
        .real(
            "follower_virtual_offset", .global, 0.0, -1e6...1e6,
            "seconds; initial error of system_clock_follower virtual's stand-in clock"),
        .real(
            "follower_virtual_freq_ppm", .global, 0.0, -1e4...1e4,
            "ppm; frequency error of system_clock_follower virtual's stand-in clock"),
        .choice(
            "virtual_clock_mode", .global, "realtime", [("realtime", 0), ("phc", 1)],
            "what clock_device virtual emulates: realtime (a clock over CLOCK_REALTIME, UTC) or phc (an emulated PTP hardware clock: TAI, read and adjusted only through the PHC ioctl surface, sys-offset read windows)"
        ),
        .text("ports_dir", .global, "", "directory of per-port files (default: ports.d next to the main file)"),
        .text(
            "drift_file", .global, "",
            "file that keeps the servo's learned frequency across restarts, saved each minute and at shutdown while locked (empty = none)"
        ),
        .int(
            "unicast_max_clients", .port, 1024, 1...1_000_000,
            "distinct client addresses a unicast_listen port grants to at once; a request from one more is refused (duration 0)"
        ),
        .int(
            "unicast_min_log_interval", .port, -7, -7...7,
            "log2 seconds; a unicast_listen port refuses a request for a faster interval than this or than its own for that message"
        ),
        .int(
            "unicast_max_duration", .port, 3600, 10...86_400,
            "seconds; the longest unicast grant (a longer request is granted this long, IEEE 1588-2019 16.1.4.2)"
        ),
    ]

    /// The time reference of a grandmaster (issue 6): source, its checks, leap seconds, holdover and the
    /// announced classes. ts2phc's names where they overlap (`extts_polarity`, `extts_correction`, `pin_index`),
    /// ptp4l's for `leapfile`. Cross-option rules are in ``ReferenceConfigCheck``.
    static let referenceKeys: [ConfigKey] = [
        .choice(
            "reference", .global, "none", [("none", 0), ("gpsd", 1), ("pps", 2), ("extts", 3), ("simulated", 4)],
            "time reference of a grandmaster"),
        .text("gpsd_address", .global, "127.0.0.1:2947", "gpsd to ask for time of day (and PPS with reference gpsd): host:port"),
        .text(
            "gpsd_user", .global, "gpsd",
            "who may serve gpsd_address on this host besides root: a user name or uid whose socket is believed (any local user can bind port 2947 while gpsd is down); any = no check"
        ),
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
        .real(
            "holdover_max_time", .global, 0.0, 0...1e9,
            "seconds; holdover is within spec at most this long (0 = no limit); a G.8275 boundary clock announces 135 that long after losing its master, then 165"
        ),
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
            "clockAccuracy from the measured error (table 5's steps, with hysteresis) and the variance that goes with it, or G.8275.1's fixed values"
        ),
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

    /// The rest of ptp4l 3.1's options: parsed with ptp4l's types, ranges and defaults so every ptp4l.conf
    /// loads, and each accepted only where Meridian does what ptp4l would (see ``ConfigSupport``).
    static let ptp4lOnlyKeys: [ConfigKey] = [
        // IEEE 802.1AS / gPTP and the automotive profiles
        .flag("gmCapable", .global, true, "802.1AS: the clock may become grandmaster; 0 makes it class 255 as ptp4l does"),
        .flag("assume_two_step", .global, false, "treat every received Sync as two-step, whatever its twoStepFlag (802.1AS)"),
        .int(
            "transportSpecific", .port, 0, 0...0x0F,
            "majorSdoId of every message sent; messages with another are dropped (802.1AS: 1)"),
        .flag("ignore_transport_specific", .port, false, "accept messages whatever their transportSpecific"),
        .flag(
            "follow_up_info", .port, false,
            "an IEEE 802.1AS port: the Follow_Up information TLV on Follow_Up (zeros, as a ptp4l grandmaster), the asCapable rules, the neighbour rate ratio"
        ),
        .flag(
            "path_trace_enabled", .port, false,
            "append the PATH_TRACE TLV to Announce, drop an Announce whose path holds this clock (16.2)"),
        .int(
            "min_neighbor_prop_delay", .port, -20_000_000, Int64(Int32.min)...(-1),
            "ns; an 802.1AS port (follow_up_info 1) with a shorter peer delay is not asCapable"),
        .choice(
            "BMCA", .port, "ptp", [("ptp", 0), ("noop", 1)],
            "ptp: the BMCA decides port states; noop: fixed, MASTER with masterOnly 1 (a designated master), SLAVE with slaveOnly 1 (a designated slave)"
        ),
        .flag("inhibit_announce", .port, false, "send no Announce, and wait for none"),
        .flag(
            "inhibit_delay_req", .port, false,
            "send no Delay_Req or Pdelay_Req (peers' requests are still answered); needs asCapable true"),
        .flag("ignore_source_id", .port, false, "take Sync and Follow_Up from any sender, not only the parent (with BMCA noop)"),
        .flag(
            "msg_interval_request", .port, false,
            "802.1AS: once the servo is stable, take operLogSyncInterval/operLogPdelayReqInterval and ask the master for that Sync interval (Signaling, message interval request TLV)"
        ),
        .int("operLogSyncInterval", .port, 0, int8, "log2 seconds; the Sync interval asked for once the servo is stable"),
        .int("operLogPdelayReqInterval", .port, 0, int8, "log2 seconds; the Pdelay_Req interval used once the servo is stable"),
        // Transparent clocks
        .flag(
            "tc_spanning_tree", .global, false,
            "a transparent clock forwards only from the port toward the grandmaster to its master ports (Delay_Req the other way), and adds one to an Announce's stepsRemoved, as linuxptp tc_blocked/tc_forward; 0: between every pair of ports"
        ),
        // Unicast (G.8265.1, G.8275.2, ptp4l's unicast tables)
        .flag(
            "hybrid_e2e", .port, false,
            "a slave sends Delay_Req unicast to the address of its master's Sync; a master answers any unicast Delay_Req unicast"
        ),
        .flag("inhibit_multicast_service", .port, false, "a unicast master sends no multicast Announce/Sync"),
        .flag("unicast_listen", .port, false, "grant unicast transmission (Announce, Sync, Delay_Resp) to requesting slaves"),
        .int(
            "unicast_master_table", .port, 0, positive32,
            "table_id of the [unicast_master_table] whose masters the port asks for unicast service (0 = none)"),
        .int(
            "unicast_req_duration", .port, 3600, 10...Int64(Int32.max),
            "seconds of service a unicast slave asks for; it renews at 3/4 of the duration granted"),
        // The rest of default.cfg
        .choice(
            "delay_filter", .port, "moving_median", [("moving_average", 1), ("moving_median", 2)],
            "filter of the path delay samples over delay_filter_length"),
        .int(
            "freq_est_interval", .port, 1, positive32,
            "log2 seconds over which an 802.1AS port estimates the neighbour rate ratio, and a free-running transparent clock its master/local rate ratio (which scales residence times, linuxptp clock_no_adjust)"
        ),
        .choice(
            "tsproc_mode", .port, "filter", [("filter", 0), ("raw", 1), ("filter_weight", 2), ("raw_weight", 3)],
            "filter: each offset uses the filtered path delay; raw: the latest sample; filter_weight/raw_weight: the same, and the servo weighs each offset by filtered ÷ raw path delay (at most 1), as linuxptp tsproc.c with pi.c and linreg.c"
        ),
        .flag("net_sync_monitor", .port, false, "answer NetSync monitor requests (unicast)")
            .onlyDefault("the NetSync monitor is not implemented"),
        .flag(
            "boundary_clock_jbod", .port, false,
            "a boundary clock over several PHCs (just a bunch of devices): a port on another PHC than the disciplined clock is allowed; that PHC is kept aligned to the disciplined clock by its own PI servo (phc2sys's role, in-process) and the port's timestamps are converted into the disciplined clock's time through the PHC-to-PHC sys-offset relation; without it such a port stops start-up (exit 2)"
        ),
        .int("fault_badpeernet_interval", .port, 16, int32, "seconds a port waits after a bad peer network fault")
            .words([("ASAP", 0)])
            .onlyDefault(
                "a port does not fault on several peer delay responders (an 802.1AS port only stops being asCapable), so there is no such wait"
            ),
        .flag(
            "check_fup_sync", .global, false,
            "a Follow_Up that overtook its Sync is paired with it only if the kernel stamped it no earlier than the Sync (general messages get software receive stamps for it; ptp4l 3.1 fup_sync_ok); with hardware stamps the check always passes, as in ptp4l, whose Sync then has no software stamp"
        ),
        .int(
            "sanity_freq_limit", .global, 200_000_000, positive32,
            "ppb; the servo starts over when the clock, its adjustments taken out, runs this far off the monotonic clock at a received stamp (something else stepped or slewed it; linuxptp clockcheck.c); 0: no check"
        ),
        .int(
            "servo_num_offset_values", .global, 10, positive32,
            "locked samples below servo_offset_threshold before the servo counts as stable (linuxptp SERVO_LOCKED_STABLE)"),
        .int(
            "servo_offset_threshold", .global, 0, positive32,
            "ns; the servo counts as stable after servo_num_offset_values samples below it (0 = never); msg_interval_request acts on it"
        ),
        .int("socket_priority", .global, 0, 0...15, "SO_PRIORITY of the PTP sockets (0 = the kernel's default)"),
        .flag("kernel_leap", .global, true, "hand leap seconds to the kernel when disciplining the system clock")
            .onlyDefault(
                "the servo's own leap handling (kernel_leap 0) is not implemented; on a virtual clock or a PHC the option does nothing, as in ptp4l, and on the system clock Meridian does not yet set the kernel's leap flags or TAI offset either (a known gap: across a leap second its servo sees a one-second offset)"
            ),
        .int(
            "initial_delay", .global, 0, positive32,
            "ns; path delay assumed until the first is measured (0 = none: no offset until then)"),
        .flag("write_phase_mode", .global, false, "steer the PHC's phase directly (ADJ_OFFSET)")
            .onlyDefault("Meridian steers frequency only"),
        .choice("hwts_filter", .global, "normal", [("normal", 0), ("check", 1), ("full", 2)], "hardware stamp filter setting")
            .onlyDefault("Meridian sets the interface's filter itself, as normal does"),
        .int(
            "ntpshm_segment", .global, 0, 0...2_000_000,
            "NTP SHM segment (key 0x4e545030 + N; chrony's refclock SHM N) that ntpshm_feed writes; linuxptp's ntpshm servo is refused"
        ),
        .flag(
            "ntpshm_feed", .global, false,
            "write each measurement, while locked, to the NTP SHM segment ntpshm_segment (true time and the system time it was taken at, leap flags) for chrony or ntpd"
        ),
        .text(
            "clockIdentity", .global, "000000.0000.000000",
            "clock identity, e.g. 001122.fffe.334455 (the default: from the first port's MAC)"),
        .text(
            "slave_event_monitor", .global, "",
            "Unix socket that receives, for every Sync and Delay_Resp a slave port takes, a Signaling message with its SLAVE_RX_SYNC_TIMING_DATA or SLAVE_DELAY_TIMING_DATA_NP record (linuxptp monitor.c); empty: none"
        ),
        .text("message_tag", .global, "", "tag put before every log message, as ptp4l's print.c"),
        // ts2phc's options, in config.c's table but meaningless to ptp4l
        .int("ts2phc.channel", .port, 0, positive32, "ts2phc's external timestamp channel")
            .support(.refused("a ts2phc option; Meridian's reference takes extts_channel")),
        .int("ts2phc.extts_correction", .port, 0, int32, "ts2phc's stamp correction")
            .support(.refused("a ts2phc option; Meridian's reference takes extts_correction")),
        .choice(
            "ts2phc.extts_polarity", .port, "rising", [("rising", 1), ("falling", 2), ("both", 3)], "ts2phc's edges"
        ).support(.refused("a ts2phc option; Meridian's reference takes extts_polarity")),
        .flag("ts2phc.master", .port, false, "ts2phc's master PHC")
            .support(.refused("a ts2phc option; Meridian's reference is chosen with reference")),
        .text("ts2phc.nmea_remote_host", .global, "", "ts2phc's NMEA host")
            .support(.refused("a ts2phc option; Meridian reads time of day from gpsd (gpsd_address)")),
        .text("ts2phc.nmea_remote_port", .global, "", "ts2phc's NMEA port")
            .support(.refused("a ts2phc option; Meridian reads time of day from gpsd (gpsd_address)")),
        .text("ts2phc.nmea_serialport", .global, "/dev/ttyS0", "ts2phc's NMEA serial port")
            .support(.refused("a ts2phc option; Meridian reads time of day from gpsd (gpsd_address)")),
        .int("ts2phc.pin_index", .port, 0, positive32, "ts2phc's PHC pin")
            .support(.refused("a ts2phc option; Meridian's reference takes pin_index")),
        .int("ts2phc.pulsewidth", .global, 500_000_000, 1_000_000...999_000_000, "ts2phc's pulse width")
            .support(.refused("a ts2phc option; Meridian's reference needs no pulse width")),
    ]

    /// Option names of later linuxptp releases (4.x), which ptp4l 3.1 refuses as unknown: named in the
    /// error so a user knows why.
    public static let laterLinuxptp: Set<String> = [
        "serverOnly", "clientOnly", "power_profile.version", "ptp_minor_version", "refclock_sock_address",
        "tx_timestamp_retries", "allowedLostResponses", "announce_span", "step_window",
        "inhibit_pdelay_req", "SPP", "active_key_id", "sa_file", "spp", "clock_class_threshold", "uds_file_mode",
        "uds_ro_file_mode", "max_sync_interval", "phc2sys.", "ts2phc.holdover",
    ]

    /// ptp4l's renamed options (config.c `check_deprecated_options`): read as the new name, with a warning.
    public static let deprecated: [String: String] = [
        "pi_offset_const": "step_threshold", "pi_f_offset_const": "first_step_threshold",
        "pi_max_frequency": "max_frequency",
    ]
}

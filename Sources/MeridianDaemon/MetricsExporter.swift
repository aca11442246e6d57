import PTPCore
import PTPEngine
import PTPManagement
import PTPServo
import PTPWire
import Prometheus
import Synchronization

/// `/metrics`: the daemon's published state in the Prometheus text format (issue 16), through
/// swift-prometheus's registry. Every scrape reads the state the clock actor published after its last pass
/// (``ClockStateBox``) and the management server's published counters: no hop onto either actor, so a
/// scrape never delays a Sync. Names follow Prometheus conventions (base units, `_total` for counters,
/// `_info` for identities); docs/metrics.md lists them all.
final class MetricsExporter: Sendable {
    /// The registry and the series set at the last scrape; one scrape at a time fills and renders it, so a
    /// counter is never seen between its reset and its new value.
    private let state: Mutex<Registry>

    init() {
        state = Mutex(Registry())
    }

    /// One scrape: the metrics of `view`, rendered.
    func render(_ view: ObservedState) -> [UInt8] {
        state.withLock { registry in
            registry.begin()
            Self.fill(&registry, view)
            return registry.finish()
        }
    }

    /// The messageType names of PORT_STATS_NP's counters (IEEE 1588-2019 table 36), for the `type` label.
    static let messageTypes: [(Int, String)] = [
        (0x0, "sync"), (0x1, "delay_req"), (0x2, "pdelay_req"), (0x3, "pdelay_resp"), (0x8, "follow_up"),
        (0x9, "delay_resp"), (0xA, "pdelay_resp_follow_up"), (0xB, "announce"), (0xC, "signaling"),
        (0xD, "management"),
    ]

    private static func fill(_ r: inout Registry, _ view: ObservedState) {
        let snapshot = view.snapshot
        let engine = view.published.engine
        let status = snapshot.status

        // The clock.
        r.gauge(
            "meridian_clock_info", "The clock: identity and domain (always 1).",
            ["clock_identity": "\(snapshot.defaultDS.clockIdentity)", "domain": "\(snapshot.defaultDS.domainNumber)"], 1)
        r.gauge(
            "meridian_offset_from_master_seconds", "currentDS.offsetFromMaster: the last offset from the master.",
            engine.currentDS.offsetFromMaster.secondsDouble)
        r.gauge(
            "meridian_mean_path_delay_seconds", "currentDS.meanPathDelay: the mean path delay to the master.",
            engine.currentDS.meanPathDelay.secondsDouble)
        r.gauge(
            "meridian_steps_removed", "currentDS.stepsRemoved: boundary clocks between this clock and the grandmaster.",
            Double(engine.currentDS.stepsRemoved))
        let servo = engine.clock.discipline.servo
        r.gauge(
            "meridian_frequency_adjustment_ratio",
            "The servo's frequency adjustment as a ratio (1e-9 is 1 ppb; positive runs the clock faster).",
            servo.lastFrequency.value / 1e9)
        let servoStates = MeridianStatus.ServoState.allCases
        for candidate in servoStates {
            r.gauge(
                "meridian_servo_state", "The servo's state, one series per state: 1 for the current one.",
                ["state": Self.name(candidate)], candidate == status.servoState ? 1 : 0)
        }
        r.counter(
            "meridian_holdovers_total", "Times the clock went into holdover (master silence or reference loss).",
            engine.clock.holdovers)
        r.counter("meridian_measurements_total", "Offset measurements the servo took.", engine.clock.discipline.measurements)
        r.gauge(
            "meridian_gm_present", "1 while a grandmaster other than this clock is selected (TIME_STATUS_NP gmPresent).",
            snapshot.timeStatus.gmPresent ? 1 : 0)

        // What this clock announces (defaultDS, or the grandmaster's quality when not its own grandmaster) and
        // the grandmaster it follows.
        let own = snapshot.defaultDS.clockQuality
        r.gauge("meridian_clock_class", "defaultDS.clockQuality.clockClass of this clock (7.6.2.5).", Double(own.clockClass))
        let gm = snapshot.parentDS.grandmasterClockQuality
        r.gauge(
            "meridian_grandmaster_clock_class", "parentDS.grandmasterClockQuality.clockClass: what master ports announce.",
            Double(gm.clockClass))
        r.gauge(
            "meridian_grandmaster_clock_accuracy", "parentDS.grandmasterClockQuality.clockAccuracy, the code of table 5.",
            Double(gm.clockAccuracy.rawValue))
        r.gauge(
            "meridian_grandmaster_offset_scaled_log_variance", "parentDS.grandmasterClockQuality.offsetScaledLogVariance.",
            Double(gm.offsetScaledLogVariance))
        r.gauge(
            "meridian_grandmaster_info", "The grandmaster and parent port this clock follows (always 1).",
            [
                "grandmaster_identity": "\(snapshot.parentDS.grandmasterIdentity)",
                "parent_port_identity": "\(snapshot.parentDS.parentPortIdentity)",
            ], 1)

        // The reference (a grandmaster with gpsd, PPS, extts or a simulated receiver).
        if let reference = engine.clock.reference?.status {
            for candidate in GrandmasterClockState.allCases {
                r.gauge(
                    "meridian_reference_state", "The reference discipline's state, one series per state: 1 for the current one.",
                    ["state": candidate.rawValue], candidate == reference.state ? 1 : 0)
            }
            r.gauge(
                "meridian_reference_satellites", "Satellites the receiver used in its latest fresh report.",
                Double(status.satellites))
            r.gauge(
                "meridian_reference_pps_offset_seconds", "The last PPS edge's offset from the clock.",
                reference.lastOffset?.secondsDouble ?? 0)
            r.gauge(
                "meridian_holdover_seconds", "Time since holdover began; 0 when not in holdover.", Double(status.holdoverSeconds))
            r.gauge(
                "meridian_holdover_predicted_error_seconds",
                "The holdover model's predicted time error now; 0 when not in holdover.",
                reference.predictedError?.secondsDouble ?? 0)
            if let conversion = engine.clock.reference?.configuration.conversionUncertainty {
                r.gauge(
                    "meridian_reference_conversion_uncertainty_seconds",
                    "How uncertain the crossing of the reference's CLOCK_REALTIME stamps onto the clock is (a PHC's sys-offset read window, re-measured every conversion_remeasure_interval; 0 on the system or a virtual clock); part of the announced clockAccuracy.",
                    conversion.secondsDouble)
            }
            r.counter(
                "meridian_reference_samples_accepted_total", "Reference samples the validator accepted.", reference.accepted)
            r.counter(
                "meridian_reference_samples_rejected_total", "Reference samples the validator rejected.",
                reference.rejections.values.reduce(0, +))
            r.counter(
                "meridian_reference_reports_rejected_total",
                "gpsd reports refused before they could make a sample (a number out of range, issue #17).",
                view.published.referenceReportsRejected)
        }
        // boundary_clock_jbod: every other PHC a port stamps with, as last aligned to the disciplined clock.
        for aligned in view.published.alignment {
            let labels = ["phc": aligned.phc, "ports": aligned.ports.map(String.init).joined(separator: ",")]
            r.gauge(
                "meridian_phc_alignment_offset_seconds",
                "boundary_clock_jbod: a port's PHC minus the disciplined clock at the last alignment (once a second).",
                labels, aligned.offset?.secondsDouble ?? 0)
            r.gauge(
                "meridian_phc_alignment_uncertainty_seconds",
                "boundary_clock_jbod: the uncertainty of that offset (the two PHCs' sys-offset read windows).", labels,
                aligned.uncertainty.secondsDouble)
            r.counter(
                "meridian_phc_alignment_steps_total", "boundary_clock_jbod: times the alignment servo stepped the PHC.", labels,
                aligned.steps)
        }
        // A transparent clock (clock_type E2E_TC / P2P_TC): what it forwarded and the residence times it added.
        if let tc = engine.transparent {
            for (type, name) in messageTypes {
                r.counter(
                    "meridian_tc_forwarded_total", "Messages a transparent clock sent out of a port on another port's behalf.",
                    ["type": name], type < tc.counters.forwarded.count ? tc.counters.forwarded[type] : 0)
            }
            r.counter(
                "meridian_tc_residence_samples_total",
                "Residence times a transparent clock measured (event message × egress port).",
                tc.counters.residenceSamples)
            r.gauge(
                "meridian_tc_residence_seconds", "A transparent clock's latest and largest residence time.", ["stat": "last"],
                tc.counters.lastResidence.secondsDouble)
            r.gauge(
                "meridian_tc_residence_seconds", "A transparent clock's latest and largest residence time.", ["stat": "max"],
                tc.counters.maxResidence.secondsDouble)
            r.gauge(
                "meridian_tc_rate_ratio", "The master/local rate ratio residence times are scaled by (1 on a steered clock).",
                tc.rateRatio)
            r.counter(
                "meridian_tc_dropped_total", "Messages and waiting state a transparent clock dropped, by reason.",
                ["reason": "unmatched"], tc.counters.expired)
            r.counter(
                "meridian_tc_dropped_total", "Messages and waiting state a transparent clock dropped, by reason.",
                ["reason": "unicast"], tc.counters.unicastDropped)
        }
        if let error = status.virtualClockError {
            r.gauge(
                "meridian_virtual_clock_true_error_seconds", "A virtual clock's (lab) true error: its reading minus true time.",
                Double(error) / 1e9)
        }

        // Ports.
        for (index, port) in engine.ports.enumerated() {
            let number = "\(port.portIdentity.portNumber)"
            let interface = index < snapshot.ports.count ? snapshot.ports[index].interfaceName : ""
            let labels = ["port": number, "interface": interface]
            for candidate in PortState.allCases {
                r.gauge(
                    "meridian_port_state", "portDS.portState, one series per state: 1 for the current one.",
                    labels.merging(["state": candidate.description]) { a, _ in a }, candidate == port.state ? 1 : 0)
            }
            r.gauge(
                "meridian_port_peer_mean_path_delay_seconds", "portDS.peerMeanPathDelay (P2P ports; 0 otherwise).",
                labels, port.peerMeanPathDelay?.secondsDouble ?? 0)
            let received = index < view.published.received.count ? view.published.received[index] : []
            let sent = index < view.published.sent.count ? view.published.sent[index] : []
            for (type, name) in messageTypes {
                let typed = labels.merging(["type": name]) { a, _ in a }
                r.counter(
                    "meridian_port_messages_received_total", "PTP messages received, by messageType.", typed,
                    type < received.count ? Int(clamping: received[type]) : 0)
                r.counter(
                    "meridian_port_messages_sent_total", "PTP messages sent, by messageType.", typed,
                    type < sent.count ? Int(clamping: sent[type]) : 0)
            }
            // The reserved messageType values (4–7, 14, 15) in one series, so every datagram a port read shows in
            // this metric (issue #17: a flood of random bytes is counted, not lost).
            let reserved = [4, 5, 6, 7, 14, 15].reduce(0) { $0 + ($1 < received.count ? Int(clamping: received[$1]) : 0) }
            r.counter(
                "meridian_port_messages_received_total", "PTP messages received, by messageType.",
                labels.merging(["type": "reserved"]) { a, _ in a }, reserved)
            r.counter(
                "meridian_port_tx_timestamp_misses_total", "Transmit timestamps the kernel never returned.", labels,
                view.published.transmitMisses.element(index))
            r.counter(
                "meridian_port_rx_timestamp_misses_total", "Event messages received without a timestamp (dropped).", labels,
                view.published.missingTimestamps.element(index) - view.published.transmitMisses.element(index))
            r.counter(
                "meridian_port_faults_total", "Times the port entered FAULTY.", labels, view.published.faults.element(index))
            for reason in SourceFilter.Reason.allCases {
                let count =
                    index < view.published.filtered.count && reason.rawValue < view.published.filtered[index].count
                    ? view.published.filtered[index][reason.rawValue] : 0
                r.counter(
                    "meridian_port_filtered_total",
                    "Messages dropped by source_allow_list or acceptable_master_table (IEEE 1588 17.6), by filter.",
                    labels.merging(["filter": reason.label]) { a, _ in a }, count)
            }
            r.counter(
                "meridian_port_malformed_total", "Messages that did not decode (dropped).", labels, port.counters.decodeFailures)
            r.counter(
                "meridian_port_dropped_total",
                "Well-formed messages dropped: another domain, not from the parent, out of order, unmatched.", labels,
                port.counters.diagnostics - port.counters.decodeFailures)
            // Unicast negotiation as a master (IEEE 1588-2019 16.1, `unicast_listen`).
            let service = port.unicastService
            r.gauge(
                "meridian_port_unicast_clients", "Distinct client addresses with a live unicast grant.", labels,
                Double(service.clientCount))
            for (result, count) in [
                ("granted", service.granted), ("refused", service.refused), ("expired", service.expired),
                ("cancelled", service.cancelled),
            ] {
                r.counter(
                    "meridian_port_unicast_requests_total",
                    "Unicast transmission requests and grants: granted, refused (duration 0), expired, cancelled.",
                    labels.merging(["result": result]) { a, _ in a }, count)
            }
            r.counter(
                "meridian_port_unicast_delay_req_ungranted_total",
                "Unicast Delay_Req from an address without a Delay_Resp grant, not answered (unicast_listen without hybrid_e2e).",
                labels, service.ungrantedDelayRequests)
            // Unicast negotiation as a slave (a port with a unicast_master_table; zeros without one, so every
            // port exports the same series).
            let client = port.unicastClient
            for (event, count) in [
                ("request_sent", client?.requestsSent ?? 0), ("granted", client?.grantsReceived ?? 0),
                ("refused", client?.refusalsReceived ?? 0), ("cancelled_by_master", client?.cancelsReceived ?? 0),
                ("not_in_table", client?.rogueMessages ?? 0),
            ] {
                r.counter(
                    "meridian_port_unicast_client_total",
                    "Unicast negotiation as a slave: requests sent, grants, refusals and cancels received, messages from addresses not in the table.",
                    labels.merging(["event": event]) { a, _ in a }, count)
            }
            r.gauge(
                "meridian_port_unicast_masters_granting_sync",
                "Masters of the port's unicast master table that have granted Sync (HAVE_SYDY).", labels,
                Double(client?.masters.filter { $0.state == .haveSyncDelay }.count ?? 0))
        }

        // The management server.
        let management = view.management
        r.counter(
            "meridian_management_received_total", "Management datagrams received (Unix sockets and PTP ports).",
            management.received)
        r.counter("meridian_management_malformed_total", "Management datagrams that did not decode.", management.malformed)
        r.counter(
            "meridian_management_dropped_total", "Well-formed management messages dropped unanswered.",
            management.dropped.values.reduce(0, +) + view.published.managementDropped)
        r.counter("meridian_management_replies_total", "Management RESPONSE and ACKNOWLEDGE messages sent.", management.replies)
        r.counter("meridian_management_error_replies_total", "MANAGEMENT_ERROR_STATUS messages sent.", management.errorReplies)
        r.counter("meridian_management_notifications_total", "Event notifications sent to subscribers.", management.notifications)

        // The HTTP endpoint itself (this scrape is counted in the next).
        for (status, count) in view.http {
            r.counter(
                "meridian_http_responses_total",
                "Responses of the HTTP endpoint, by status code (400 includes unparsable requests).",
                ["code": String(status)], count)
        }
    }

    /// Prometheus-friendly names of the servo states.
    static func name(_ state: MeridianStatus.ServoState) -> String {
        switch state {
        case .unlocked: "unlocked"
        case .jump: "jump"
        case .locked: "locked"
        case .holdover: "holdover"
        }
    }
}

/// What one scrape or status page reads: the clock actor's published state, management's snapshot of it,
/// and the management server's counters.
struct ObservedState: Sendable {
    var published: PublishedState
    var snapshot: ManagementSnapshot
    var management: ManagementServerStatistics
    /// The HTTP endpoint's responses so far, by status code.
    var http: [Int: Int] = [:]
}

extension [Int] {
    fileprivate func element(_ index: Int) -> Int { indices.contains(index) ? self[index] : 0 }
}

/// The registry with the series it holds, so a series that stops being set (a grandmaster that is no longer
/// followed) is removed rather than left at its last value.
private struct Registry {
    let registry = PrometheusCollectorRegistry()
    private var gauges: [String: Gauge] = [:]
    private var counters: [String: Counter] = [:]
    private var touched: Set<String> = []

    mutating func begin() {
        touched.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> [UInt8] {
        for (key, gauge) in gauges where !touched.contains(key) {
            registry.unregisterGauge(gauge)
            gauges.removeValue(forKey: key)
        }
        for (key, counter) in counters where !touched.contains(key) {
            registry.unregisterCounter(counter)
            counters.removeValue(forKey: key)
        }
        return registry.emitToBuffer()
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.reduce(name) { $0 + "\u{0}" + $1.0 + "=" + $1.1 }
    }

    /// The whole name is given as the metric name (the unit is already part of it).
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static func sorted(_ labels: [String: String]) -> [(String, String)] {
        labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help, [:], value)
    }

    mutating func gauge(_ name: String, _ help: String, _ labels: [String: String], _ value: Double) {
        let labels = Self.sorted(labels)
        let key = Self.key(name, labels)
        touched.insert(key)
        if let gauge = gauges[key] {
            gauge.set(value)
            return
        }
        let gauge = registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
        gauge.set(value)
        gauges[key] = gauge
    }

    mutating func counter(_ name: String, _ help: String, _ value: Int) {
        counter(name, help, [:], value)
    }

    /// Counters are read from the daemon's own counts: the series is set to the count, which only grows.
    mutating func counter(_ name: String, _ help: String, _ labels: [String: String], _ value: Int) {
        let labels = Self.sorted(labels)
        let key = Self.key(name, labels)
        touched.insert(key)
        let counter: Counter
        if let existing = counters[key] {
            counter = existing
        } else {
            counter = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
            counters[key] = counter
        }
        counter.reset()
        counter.increment(by: Int64(Swift.max(0, value)))
    }
}

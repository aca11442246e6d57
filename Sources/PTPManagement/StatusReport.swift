import PTPCore
import PTPWire

/// `meridianctl status`: one screen built from the standard GETs (DEFAULT_DATA_SET,
/// CURRENT_DATA_SET, PARENT_DATA_SET, TIME_STATUS_NP, PORT_DATA_SET and PORT_PROPERTIES_NP of every
/// port) and MERIDIAN_STATUS_NP, as a table for people and as one JSON object for scripts.
public struct StatusReport: Sendable, Hashable {
    public struct Port: Sendable, Hashable {
        public var identity: PortIdentity
        public var state: String
        public var interface: String
        public var timestamping: String
        public var delayMechanism: String
        public var logSyncInterval: Int8
        public var peerMeanPathDelay: String
    }

    public var defaultDS: DefaultDS?
    public var currentDS: ManagementCurrentDS?
    public var parentDS: ParentDS?
    public var timeStatus: TimeStatusNP?
    public var status: MeridianStatus?
    public var ports: [Port] = []

    /// The IDs `status` asks for, in order.
    public static let requests: [ManagementID] = [
        .defaultDataSet, .currentDataSet, .parentDataSet, .timeStatusNP, .portDataSet, .portPropertiesNP,
        .meridianStatusNP,
    ]

    public init() {}

    /// Builds the report from the replies (any order; error statuses are skipped).
    public init(replies: [PTPMessage]) {
        var properties: [PortIdentity: PortPropertiesNP] = [:]
        var portSets: [ManagementPortDS] = []
        for message in replies {
            guard case .management(let body) = message.body, case .management(let tlv)? = message.tlvs.first,
                let data = try? tlv.decodedData(action: body.action)
            else { continue }
            switch data {
            case .defaultDataSet(let d): defaultDS = d
            case .currentDataSet(let c): currentDS = c
            case .parentDataSet(let p): parentDS = p
            case .timeStatusNP(let t): timeStatus = t
            case .portDataSet(let p): portSets.append(p)
            case .portPropertiesNP(let p): properties[p.portIdentity] = p
            case .unknown(let id, let bytes) where id == .meridianStatusNP: status = MeridianStatus(data: bytes)
            default: break
            }
        }
        ports = portSets.sorted { $0.portIdentity < $1.portIdentity }.map { ds in
            let props = properties[ds.portIdentity]
            return Port(
                identity: ds.portIdentity, state: PMCBlock.stateName(ds.portState),
                interface: props.map { $0.interface.description } ?? "-",
                timestamping: props.map { PMCBlock.timestampingName($0.timestamping) } ?? "-",
                delayMechanism: ds.delayMechanism.description, logSyncInterval: ds.logSyncInterval.rawValue,
                peerMeanPathDelay: PMCValue.scaledTenths(ds.peerMeanPathDelay.rawValue))
        }
    }

    /// The clock's role: GRANDMASTER when it is its own grandmaster with a MASTER port, SLAVE when a
    /// port is SLAVE (or UNCALIBRATED), else the states seen.
    public var role: String {
        let states = Set(ports.map(\.state))
        if states.contains("SLAVE") { return "SLAVE" }
        if states.contains("UNCALIBRATED") { return "UNCALIBRATED" }
        if let parentDS, let defaultDS, parentDS.grandmasterIdentity == defaultDS.clockIdentity,
            states.contains("MASTER")
        {
            return "GRANDMASTER"
        }
        return states.sorted().joined(separator: "/").isEmpty ? "UNKNOWN" : states.sorted().joined(separator: "/")
    }

    /// The table.
    public var text: String {
        var lines: [String] = []
        let clock = defaultDS.map { "\($0.clockIdentity)" } ?? "?"
        let domain = defaultDS.map { "\($0.domainNumber)" } ?? "?"
        lines.append("clock        \(clock)  domain \(domain)  role \(role)")
        if let p = parentDS {
            let q = p.grandmasterClockQuality
            let steps = currentDS.map { "\($0.stepsRemoved)" } ?? "?"
            lines.append(
                "grandmaster  \(p.grandmasterIdentity)  class \(q.clockClass)  accuracy 0x"
                    + PMCValue.pad(String(q.clockAccuracy.rawValue, radix: 16), 2)
                    + "  priority1 \(p.grandmasterPriority1)  priority2 \(p.grandmasterPriority2)  stepsRemoved \(steps)"
                    + "  parent \(p.parentPortIdentity)")
        }
        if let c = currentDS {
            let present = timeStatus.map { $0.gmPresent ? "yes" : "no" } ?? "?"
            lines.append(
                "offset       \(PMCValue.scaledTenths(c.offsetFromMaster.rawValue)) ns  path delay "
                    + "\(PMCValue.scaledTenths(c.meanPathDelay.rawValue)) ns  gmPresent \(present)")
        }
        if let s = status {
            lines.append(
                "servo        \(s.servoState)  freq \(PMCValue.scaledTenths(s.servoFrequency)) ppb  last offset "
                    + "\(s.lastOffset) ns  last delay \(s.lastPathDelay) ns")
            let holdover = s.inHoldover ? "yes (\(s.holdoverSeconds) s)" : "no"
            lines.append(
                "reference    \(s.referenceKind) \(s.referenceState)  satellites \(s.satellites)  PPS "
                    + (s.ppsValid ? "valid" : "invalid") + " offset \(s.lastPPSOffset) ns  holdover \(holdover)"
                    + (s.virtualClockError.map { "  virtual clock error \($0) ns" } ?? ""))
        } else {
            lines.append("servo        (no MERIDIAN_STATUS_NP: not a Meridian daemon?)")
        }
        let header = ["PORT", "IDENTITY", "STATE", "INTERFACE", "TIMESTAMPING", "DELAY", "LOGSYNC", "PEERDELAY"]
        let rows = ports.map {
            [
                "\($0.identity.portNumber)", "\($0.identity)", $0.state, $0.interface, $0.timestamping, $0.delayMechanism,
                "\($0.logSyncInterval)", $0.peerMeanPathDelay,
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        for row in [header] + rows {
            lines.append(
                row.enumerated().map { $0.element + String(repeating: " ", count: widths[$0.offset] - $0.element.count) }
                    .joined(separator: "  ").trimmingTrailingSpaces())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object.
    public var json: String {
        var pairs: [(String, String)] = [("role", JSONText.quote(role))]
        if let d = defaultDS {
            pairs.append(("clockIdentity", JSONText.quote("\(d.clockIdentity)")))
            pairs.append(("domainNumber", "\(d.domainNumber)"))
            pairs.append(("priority1", "\(d.priority1)"))
            pairs.append(("priority2", "\(d.priority2)"))
            pairs.append(("clockClass", "\(d.clockQuality.clockClass)"))
        }
        if let p = parentDS {
            pairs.append(("grandmasterIdentity", JSONText.quote("\(p.grandmasterIdentity)")))
            pairs.append(("grandmasterClockClass", "\(p.grandmasterClockQuality.clockClass)"))
            pairs.append(("grandmasterPriority1", "\(p.grandmasterPriority1)"))
            pairs.append(("parentPortIdentity", JSONText.quote("\(p.parentPortIdentity)")))
        }
        if let c = currentDS {
            pairs.append(("stepsRemoved", "\(c.stepsRemoved)"))
            pairs.append(("offsetFromMasterNs", PMCValue.scaledTenths(c.offsetFromMaster.rawValue)))
            pairs.append(("meanPathDelayNs", PMCValue.scaledTenths(c.meanPathDelay.rawValue)))
        }
        if let t = timeStatus { pairs.append(("gmPresent", t.gmPresent ? "true" : "false")) }
        if let s = status, let block = PMCBlock(.unknown(.meridianStatusNP, s.encode())) {
            pairs.append(("meridian", JSONText.object(block.fields.map { ($0.name, $0.value.json) })))
        }
        let portObjects = ports.map {
            JSONText.object([
                ("portIdentity", JSONText.quote("\($0.identity)")), ("portState", JSONText.quote($0.state)),
                ("interface", JSONText.quote($0.interface)), ("timestamping", JSONText.quote($0.timestamping)),
                ("delayMechanism", JSONText.quote($0.delayMechanism)), ("logSyncInterval", "\($0.logSyncInterval)"),
                ("peerMeanPathDelayNs", $0.peerMeanPathDelay),
            ])
        }
        pairs.append(("ports", "[" + portObjects.joined(separator: ",") + "]"))
        return JSONText.object(pairs)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

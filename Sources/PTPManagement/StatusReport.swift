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
        ports = Self.ports(portSets, properties: properties)
    }

    /// The same report from the snapshot management answers from (the daemon's `/status.json`): the data
    /// sets as pmc would receive them, so both views say the same.
    public init(snapshot: ManagementSnapshot) {
        defaultDS = snapshot.defaultDS
        currentDS = ManagementCurrentDS(snapshot.currentDS)
        parentDS = snapshot.parentDS
        timeStatus = snapshot.timeStatus
        status = snapshot.status
        var properties: [PortIdentity: PortPropertiesNP] = [:]
        for port in snapshot.ports { properties[port.portIdentity] = port.propertiesNP }
        ports = Self.ports(snapshot.ports.map { ManagementPortDS($0.portDS) }, properties: properties)
    }

    private static func ports(_ portSets: [ManagementPortDS], properties: [PortIdentity: PortPropertiesNP]) -> [Port] {
        portSets.sorted { $0.portIdentity < $1.portIdentity }.map { ds in
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

    /// What `meridianctl status --json` and the daemon's `/status.json` print, as a `Codable` value; the
    /// JSON text comes from a real encoder outside the pure targets (FoundationEssentials' `JSONEncoder`).
    public var document: Document {
        var d = Document(role: role)
        if let defaultDS {
            d.clockIdentity = "\(defaultDS.clockIdentity)"
            d.domainNumber = defaultDS.domainNumber
            d.priority1 = defaultDS.priority1
            d.priority2 = defaultDS.priority2
            d.clockClass = defaultDS.clockQuality.clockClass
        }
        if let parentDS {
            d.grandmasterIdentity = "\(parentDS.grandmasterIdentity)"
            d.grandmasterClockClass = parentDS.grandmasterClockQuality.clockClass
            d.grandmasterPriority1 = parentDS.grandmasterPriority1
            d.parentPortIdentity = "\(parentDS.parentPortIdentity)"
        }
        if let currentDS {
            d.stepsRemoved = currentDS.stepsRemoved
            d.offsetFromMasterNs = Self.nanoseconds(currentDS.offsetFromMaster.rawValue)
            d.meanPathDelayNs = Self.nanoseconds(currentDS.meanPathDelay.rawValue)
        }
        d.gmPresent = timeStatus?.gmPresent
        d.meridian = status.map(Document.Meridian.init)
        d.ports = ports.map {
            Document.Port(
                portIdentity: "\($0.identity)", portState: $0.state, interface: $0.interface, timestamping: $0.timestamping,
                delayMechanism: $0.delayMechanism, logSyncInterval: $0.logSyncInterval,
                peerMeanPathDelayNs: Double($0.peerMeanPathDelay) ?? 0)
        }
        return d
    }

    /// A TimeInterval (ns × 2¹⁶) in nanoseconds, to pmc's one decimal (`%.1f`, ties to even).
    static func nanoseconds(_ scaled: Int64) -> Double {
        // + 0 turns -0.0 (a value that rounds to zero from below) into 0.
        (Double(PMCValue.scaledTenths(scaled)) ?? Double(scaled) / 65_536) + 0
    }

    /// The JSON object of a status report. Keys are those `meridianctl status --json` has always printed;
    /// absent data sets leave their keys out.
    public struct Document: Codable, Sendable, Hashable {
        public var role: String
        public var clockIdentity: String?
        public var domainNumber: UInt8?
        public var priority1: UInt8?
        public var priority2: UInt8?
        public var clockClass: UInt8?
        public var grandmasterIdentity: String?
        public var grandmasterClockClass: UInt8?
        public var grandmasterPriority1: UInt8?
        public var parentPortIdentity: String?
        public var stepsRemoved: UInt16?
        public var offsetFromMasterNs: Double?
        public var meanPathDelayNs: Double?
        public var gmPresent: Bool?
        public var meridian: Meridian?
        public var ports: [Port] = []

        public init(role: String) { self.role = role }

        public struct Port: Codable, Sendable, Hashable {
            public var portIdentity: String
            public var portState: String
            public var interface: String
            public var timestamping: String
            public var delayMechanism: String
            public var logSyncInterval: Int8
            public var peerMeanPathDelayNs: Double
        }

        /// MERIDIAN_STATUS_NP, with the field names `meridianctl GET MERIDIAN_STATUS_NP` prints.
        public struct Meridian: Codable, Sendable, Hashable {
            public var referenceKind: String
            public var referenceState: String
            public var satellites: UInt8
            public var ppsValid: Bool
            public var lastPPSOffset: Int64
            public var servoState: String
            public var servoFrequencyPPB: Double
            public var lastOffset: Int64
            public var lastPathDelay: Int64
            public var inHoldover: Bool
            public var holdoverSeconds: UInt32
            /// Left out unless the clock is a virtual clock (a lab), which knows its true error.
            public var virtualClockError: Int64?
            public var mgmtReceived: UInt32
            public var mgmtMalformed: UInt32
            public var mgmtDropped: UInt32
            public var mgmtReplies: UInt32
            public var mgmtErrors: UInt32
            public var rmsOffset: Int64
            public var residualFrequencyPPB: Double
            public var frequencySkewPPB: Double

            init(_ s: MeridianStatus) {
                referenceKind = s.referenceKind.description
                referenceState = s.referenceState.description
                satellites = s.satellites
                ppsValid = s.ppsValid
                lastPPSOffset = s.lastPPSOffset
                servoState = s.servoState.description
                servoFrequencyPPB = StatusReport.nanoseconds(s.servoFrequency)
                lastOffset = s.lastOffset
                lastPathDelay = s.lastPathDelay
                inHoldover = s.inHoldover
                holdoverSeconds = s.holdoverSeconds
                virtualClockError = s.virtualClockError
                mgmtReceived = s.management.received
                mgmtMalformed = s.management.malformed
                mgmtDropped = s.management.dropped
                mgmtReplies = s.management.replies
                mgmtErrors = s.management.errorReplies
                rmsOffset = s.rmsOffset
                residualFrequencyPPB = StatusReport.nanoseconds(s.residualFrequency)
                frequencySkewPPB = StatusReport.nanoseconds(s.frequencySkew)
            }
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

import PTPCore
import PTPWire

/// `meridianctl tracking`: `chronyc tracking`'s fields for a PTP clock, from the standard GETs
/// (CURRENT_DATA_SET, PARENT_DATA_SET, TIME_STATUS_NP, TIME_PROPERTIES_DATA_SET, DEFAULT_DATA_SET,
/// PORT_DATA_SET) and MERIDIAN_STATUS_NP. What each chrony field means here:
///
/// - Reference ID: the grandmaster's clockIdentity (TIME_STATUS_NP gmIdentity; PARENT_DATA_SET's when absent).
/// - Stratum: stepsRemoved (CURRENT_DATA_SET).
/// - Ref time: when the last Sync arrived (TIME_STATUS_NP ingress_time), on the clock's timescale.
/// - System time: offsetFromMaster (CURRENT_DATA_SET, IEEE 1588-2019 8.2.2.3), local minus master:
///   positive means this clock is ahead ("fast").
/// - Last offset: the servo's last offset (MERIDIAN_STATUS_NP); RMS offset: over the last 64 measurements.
/// - Frequency: the servo's adjustment; a clock the servo speeds up by N ppb runs N ppb slow on its own.
/// - Residual freq: the drift of the last offsets the servo has not yet taken out (their regression slope).
/// - Skew: the standard deviation of the servo's frequency over the window.
/// - Root delay: meanPathDelay (CURRENT_DATA_SET). Error bound: |offset| + meanPathDelay, the offset plus the
///   worst a path asymmetry can hide (a fully one-sided path delay); no standard field bounds it better.
/// - Update interval: 2^logSyncInterval of the SLAVE port (PORT_DATA_SET).
/// - Leap status: leap61 / leap59 (TIME_PROPERTIES_DATA_SET), or "Not synchronised" while no
///   grandmaster is present and the clock is no grandmaster.
public struct TrackingReport: Sendable, Hashable {
    public static let requests: [ManagementID] = [
        .defaultDataSet, .currentDataSet, .parentDataSet, .timeStatusNP, .timePropertiesDataSet, .portDataSet,
        .meridianStatusNP,
    ]

    public var defaultDS: DefaultDS?
    public var currentDS: ManagementCurrentDS?
    public var parentDS: ParentDS?
    public var timeStatus: TimeStatusNP?
    public var timeProperties: TimePropertiesDS?
    public var ports: [ManagementPortDS] = []
    public var status: MeridianStatus?

    public init() {}

    /// Builds the report from the replies (any order; error statuses are skipped).
    public init(replies: [PTPMessage]) {
        for message in replies {
            guard case .management(let body) = message.body, case .management(let tlv)? = message.tlvs.first,
                let data = try? tlv.decodedData(action: body.action)
            else { continue }
            switch data {
            case .defaultDataSet(let d): defaultDS = d
            case .currentDataSet(let c): currentDS = c
            case .parentDataSet(let p): parentDS = p
            case .timeStatusNP(let t): timeStatus = t
            case .timePropertiesDataSet(let t): timeProperties = t
            case .portDataSet(let p): ports.append(p)
            case .unknown(let id, let bytes) where id == .meridianStatusNP: status = MeridianStatus(data: bytes)
            default: break
            }
        }
        ports.sort { $0.portIdentity < $1.portIdentity }
    }

    /// The JSON document (`meridianctl tracking --json`), in seconds and ppb.
    public struct Document: Codable, Sendable, Hashable {
        public var referenceID: String?
        public var stepsRemoved: UInt16?
        public var refTimeSeconds: Double?
        public var systemTimeOffsetSeconds: Double?
        public var lastOffsetSeconds: Double?
        public var rmsOffsetSeconds: Double?
        public var frequencyPPB: Double?
        public var residualFrequencyPPB: Double?
        public var skewPPB: Double?
        public var rootDelaySeconds: Double?
        public var errorBoundSeconds: Double?
        public var updateIntervalSeconds: Double?
        public var leapStatus: String
        public var servoState: String?
    }

    public var document: Document {
        let offset = currentDS.map { Double($0.offsetFromMaster.rawValue) / 65_536 / 1e9 }
        let delay = currentDS.map { Double($0.meanPathDelay.rawValue) / 65_536 / 1e9 }
        let slave = ports.first { $0.portState == PortState.slave.rawValue || $0.portState == PortState.uncalibrated.rawValue }
        let interval = (slave ?? ports.first).map { Self.power2($0.logSyncInterval.rawValue) }
        return Document(
            referenceID: referenceID, stepsRemoved: currentDS?.stepsRemoved,
            refTimeSeconds: timeStatus.flatMap { $0.ingressTime > 0 ? Double($0.ingressTime) / 1e9 : nil },
            systemTimeOffsetSeconds: offset, lastOffsetSeconds: status.map { Double($0.lastOffset) / 1e9 },
            rmsOffsetSeconds: status.map { Double($0.rmsOffset) / 1e9 },
            frequencyPPB: status.map { Double($0.servoFrequency) / 65_536 },
            residualFrequencyPPB: status.map { Double($0.residualFrequency) / 65_536 },
            skewPPB: status.map { Double($0.frequencySkew) / 65_536 }, rootDelaySeconds: delay,
            errorBoundSeconds: offset.flatMap { offset in delay.map { abs(offset) + abs($0) } },
            updateIntervalSeconds: interval, leapStatus: leapStatus, servoState: status.map { "\($0.servoState)" })
    }

    var referenceID: String? {
        if let timeStatus, timeStatus.gmPresent { return "\(timeStatus.gmIdentity)" }
        return parentDS.map { "\($0.grandmasterIdentity)" }
    }

    /// chrony's words.
    var leapStatus: String {
        let grandmaster = parentDS.map { parent in defaultDS.map { parent.grandmasterIdentity == $0.clockIdentity } ?? false }
        if timeStatus?.gmPresent == false && grandmaster != true { return "Not synchronised" }
        guard let timeProperties else { return "Unknown" }
        if timeProperties.leap61 { return "Insert second" }
        if timeProperties.leap59 { return "Delete second" }
        return "Normal"
    }

    static func power2(_ log: Int8) -> Double {
        var value = 1.0
        if log >= 0 {
            for _ in 0..<Int(log) { value *= 2 }
        } else {
            for _ in 0..<Int(-Int(log)) { value /= 2 }
        }
        return value
    }

    /// `chronyc tracking`'s layout.
    public var text: String {
        let d = document
        func seconds(_ value: Double?) -> String {
            guard let value else { return "?" }
            return Self.fixed(abs(value), 9) + " seconds"
        }
        func signed(_ value: Double?) -> String {
            guard let value else { return "?" }
            return (value < 0 ? "-" : "+") + Self.fixed(abs(value), 9) + " seconds"
        }
        func ppb(_ value: Double?, _ positive: String, _ negative: String) -> String {
            guard let value else { return "?" }
            return Self.fixed(abs(value), 3) + " ppb " + (value < 0 ? negative : positive)
        }
        var rows: [(String, String)] = [
            ("Reference ID", d.referenceID ?? "?"),
            ("Stratum", d.stepsRemoved.map { "\($0) (stepsRemoved)" } ?? "?"),
            ("Ref time", d.refTimeSeconds.map { Self.fixed($0, 9) + " (last Sync received, clock's timescale)" } ?? "-"),
            (
                "System time",
                d.systemTimeOffsetSeconds.map { seconds($0) + ($0 < 0 ? " slow of" : " fast of") + " master" } ?? "?"
            ),
            ("Last offset", signed(d.lastOffsetSeconds)),
            ("RMS offset", seconds(d.rmsOffsetSeconds)),
            // The servo's adjustment speeds the clock up by `frequency`: on its own it runs that much slow.
            ("Frequency", ppb(d.frequencyPPB, "slow", "fast")),
            ("Residual freq", d.residualFrequencyPPB.map { ($0 < 0 ? "-" : "+") + Self.fixed(abs($0), 3) + " ppb" } ?? "?"),
            ("Skew", d.skewPPB.map { Self.fixed($0, 3) + " ppb" } ?? "?"),
            ("Root delay", seconds(d.rootDelaySeconds)),
            ("Error bound", seconds(d.errorBoundSeconds)),
            ("Update interval", d.updateIntervalSeconds.map { Self.fixed($0, 4) + " seconds" } ?? "?"),
            ("Leap status", d.leapStatus),
        ]
        if let servo = d.servoState { rows.append(("Servo", servo)) }
        return rows.map { $0.0 + String(repeating: " ", count: max(0, 16 - $0.0.count)) + ": " + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    /// `value` with `digits` decimals, rounded (no Foundation formatting in the pure targets).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let whole = Int64(scaled)
        let integer = whole / Int64(scale)
        let fraction = String(whole % Int64(scale))
        let text = digits == 0 ? "\(integer)" : "\(integer)." + String(repeating: "0", count: digits - fraction.count) + fraction
        return (value < 0 && scaled != 0 ? "-" : "") + text
    }
}

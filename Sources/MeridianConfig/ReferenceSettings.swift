/// The reference options of a configuration as typed values (issue 6), for the daemon to turn into
/// `ReferenceDisciplineConfiguration`, `HoldoverConfiguration`, `GrandmasterQualityPolicy` and a reference
/// source. Durations are in the options' own units (ns or s) so this target stays free of engine types.
public struct ReferenceSettings: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case none, gpsd, pps, extts, simulated
    }

    public var kind: Kind
    /// `gpsd_address` split into host and port (port 2947 when absent).
    public var gpsdHost: String
    public var gpsdPort: String
    public var ppsDevice: String
    /// `rising`, `falling` or `both`.
    public var exttsPolarity: String
    public var exttsCorrectionNanoseconds: Int64
    public var pinIndex: UInt32
    public var exttsChannel: UInt32
    /// gpsd's fix mode: 2 = 2D, 3 = 3D.
    public var minimumFix: Int
    public var minimumSatellites: Int
    public var edgeWindowNanoseconds: Int64
    /// nil: use `holdover_max_error`.
    public var lockThresholdNanoseconds: Int64?
    /// nil when no `leapfile`.
    public var leapfile: String?
    public var utcOffset: Int
    public var holdoverMaxErrorSeconds: Double
    /// nil: no limit.
    public var holdoverMaxTimeSeconds: Double?
    /// ppb/√s; `HoldoverConfiguration.randomWalkNoise` is its square (ns²/s³).
    public var holdoverFrequencyWander: Double
    public var classLocked: UInt8
    public var classHoldover: UInt8
    public var classHoldoverOutOfSpec: UInt8
    public var classFreeRunning: UInt8
    /// `default` or `G.8275.1`.
    public var qualityProfile: String
    public var simulatedJitterNanoseconds: Double
    /// nil: no outage.
    public var simulatedOutageAfterSeconds: Double?
    public var simulatedOutageDurationSeconds: Double
    public var simulatedSeed: UInt64

    /// The settings of `configuration`. Run ``ReferenceConfigCheck/diagnostics(_:file:)`` first: values it
    /// refuses are mapped to safe defaults here rather than trapping.
    public init(_ configuration: Configuration) {
        kind = Kind(rawValue: configuration.string("reference")) ?? .none
        let address = configuration.string("gpsd_address")
        (gpsdHost, gpsdPort) = Self.split(address) ?? ("127.0.0.1", "2947")
        ppsDevice = configuration.string("pps_device")
        exttsPolarity = configuration.string("extts_polarity")
        exttsCorrectionNanoseconds = configuration.integer("extts_correction")
        pinIndex = UInt32(clamping: configuration.integer("pin_index"))
        exttsChannel = UInt32(clamping: configuration.integer("extts_channel"))
        minimumFix = Int(configuration.integer("gnss_min_fix"))
        minimumSatellites = Int(configuration.integer("gnss_min_satellites"))
        edgeWindowNanoseconds = configuration.integer("gnss_edge_window")
        let lock = configuration.integer("gnss_lock_threshold")
        lockThresholdNanoseconds = lock > 0 ? lock : nil
        let leap = configuration.string("leapfile")
        leapfile = leap.isEmpty ? nil : leap
        utcOffset = Int(configuration.integer("utc_offset"))
        holdoverMaxErrorSeconds = configuration.real("holdover_max_error")
        let maxTime = configuration.real("holdover_max_time")
        holdoverMaxTimeSeconds = maxTime > 0 ? maxTime : nil
        holdoverFrequencyWander = configuration.real("holdover_frequency_wander")
        classLocked = UInt8(clamping: configuration.integer("gm_class_locked"))
        classHoldover = UInt8(clamping: configuration.integer("gm_class_holdover"))
        classHoldoverOutOfSpec = UInt8(clamping: configuration.integer("gm_class_holdover_out_of_spec"))
        classFreeRunning = UInt8(clamping: configuration.integer("gm_class_free_running"))
        qualityProfile = configuration.string("gm_quality_profile")
        simulatedJitterNanoseconds = configuration.real("sim_gnss_jitter_ns")
        let after = configuration.real("sim_gnss_outage_after")
        simulatedOutageAfterSeconds = after > 0 ? after : nil
        simulatedOutageDurationSeconds = configuration.real("sim_gnss_outage_duration")
        simulatedSeed = UInt64(clamping: configuration.integer("sim_gnss_seed"))
    }

    /// `host:port`, `[v6]:port` or `host`.
    static func split(_ text: String) -> (String, String)? {
        guard ReferenceConfigCheck.validAddress(text) else { return nil }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            return (host, rest.isEmpty ? "2947" : String(rest.dropFirst()))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count == 2 ? String(parts[1]) : "2947")
    }
}

import PTPCore

/// What an IEEE 802.1AS port knows of its neighbour (linuxptp 3.1 `port_capable` and `port_nrate_calculate`;
/// 802.1AS-2011 10.2.4.1 asCapable, 11.2.15.2.3 neighborRateRatio).
public struct NeighborState: Sendable, Hashable {
    /// Pdelay_Req sent while the previous one was still unanswered, since the last complete exchange
    /// (linuxptp `pdr_missing`).
    public var missingResponses = 0
    /// The last request was answered by more than one responder (linuxptp `multiple_seq_pdr_count`).
    public var multipleResponders = false
    var multipleDetected = false
    /// The responder of the last exchange (linuxptp `peer_portid_valid` once set).
    public var peer: PortIdentity?
    /// The neighbour rate ratio and whether it has been measured.
    public var rateRatio = 1.0
    public var rateRatioValid = false
    /// The first exchange of the current estimation window: the responder's t3 (with corrections) and our t4.
    var origin1: PTPInstant?
    var ingress1: PTPInstant?
    var count = 0

    /// linuxptp `ALLOWED_LOST_RESPONSES`.
    public static let allowedLostResponses = 3
}

extension PortEngine {
    /// asCapable (802.1AS-2011 10.2.4.1) as linuxptp 3.1 decides it: always for a port that is not 802.1AS
    /// (`follow_up_info 0`) or with `asCapable true`; otherwise only with a measured peer delay within
    /// [min_neighbor_prop_delay, neighborPropDelayThresh], at most 3 lost responses, one responder, a known
    /// peer and a measured neighbour rate ratio.
    @inline(__always)
    public var asCapable: Bool {
        guard configuration.followUpInformation, !configuration.alwaysASCapable else { return true }
        let delay = peerMeanPathDelay?.nanosecondsDouble ?? 0
        if delay > Double(configuration.neighborPropDelayThresh) { return false }
        if delay < Double(configuration.minNeighborPropDelay) { return false }
        if neighbor.missingResponses > NeighborState.allowedLostResponses { return false }
        if neighbor.multipleResponders { return false }
        return neighbor.peer != nil && neighbor.rateRatioValid
    }

    /// Exchanges in one neighbour rate estimate: 2^(freq_est_interval − logMinPdelayReqInterval), at least 1
    /// (linuxptp `port_nrate_initialize`).
    var rateEstimationExchanges: Int {
        let shift = configuration.frequencyEstimationInterval - Int(configuration.logMinPdelayReqInterval.rawValue)
        return 1 << min(max(shift, 0), 30)
    }

    /// A complete peer delay exchange: the responder's t3 (with its corrections) and our t4
    /// (linuxptp `port_nrate_calculate`).
    mutating func neighborExchangeCompleted(responder: PortIdentity?, origin: PTPInstant, ingress: PTPInstant) {
        neighbor.missingResponses = 0
        if let responder { neighbor.peer = responder }
        guard let ingress1 = neighbor.ingress1, let origin1 = neighbor.origin1 else {
            neighbor.ingress1 = ingress
            neighbor.origin1 = origin
            return
        }
        neighbor.count += 1
        guard neighbor.count >= rateEstimationExchanges else { return }
        let elapsed = (ingress - ingress1).nanosecondsDouble
        guard elapsed != 0 else { return }
        neighbor.rateRatio = (origin - origin1).nanosecondsDouble / elapsed
        neighbor.ingress1 = ingress
        neighbor.origin1 = origin
        neighbor.count = 0
        neighbor.rateRatioValid = true
    }
}

import PTPCore
import PTPWire

/// How a transparent clock works (`clock_type E2E_TC` / `P2P_TC`, IEEE 1588-2019 10.2, 10.3).
public struct TransparentClockConfiguration: Sendable, Hashable {
    public enum Mechanism: Sendable, Hashable {
        /// An end-to-end TC (10.2.1): forwards Sync, Follow_Up, Delay_Req and Delay_Resp, each with its
        /// residence time; it measures no link delay of its own.
        case endToEnd
        /// A peer-to-peer TC (10.2.2): forwards Sync and Follow_Up with residence time plus the ingress link's
        /// peer delay (measured on every port), and never forwards Delay_Req or a peer delay message.
        case peerToPeer
    }

    public var mechanism: Mechanism
    /// `tc_spanning_tree`: forward only from the port toward the grandmaster to the master ports (and
    /// Delay_Req against the stream), as linuxptp's `tc_blocked`; off: forward between every pair of ports.
    public var spanningTree: Bool
    /// `free_running`: the clock is not steered, so residence times (measured on it) are scaled by the
    /// master/local rate ratio the TC estimates from the Syncs it receives (linuxptp `clock_no_adjust`).
    public var freeRunning: Bool
    /// `freq_est_interval` (log2 s): the span of that estimate.
    public var frequencyEstimationInterval: Int

    public init(mechanism: Mechanism, spanningTree: Bool, freeRunning: Bool, frequencyEstimationInterval: Int = 1) {
        self.mechanism = mechanism
        self.spanningTree = spanningTree
        self.freeRunning = freeRunning
        self.frequencyEstimationInterval = frequencyEstimationInterval
    }
}

/// What a transparent clock counts (for management, metrics and the log).
public struct TransparentClockCounters: Sendable, Hashable {
    /// Messages sent out of a port on another port's behalf, by messageType nibble.
    public var forwarded = [Int](repeating: 0, count: 16)
    /// Residence times measured (one per event message and egress port).
    public var residenceSamples = 0
    /// The latest residence time, and the largest, in ns (after the rate ratio).
    public var lastResidence: PTPDuration = .zero
    public var maxResidence: PTPDuration = .zero
    /// Follow_Up, Delay_Req and Delay_Resp state dropped unmatched after a second (a lost Sync, a lost stamp).
    public var expired = 0
    /// Unicast messages, which a TC does not forward (as linuxptp: "cannot switch unicast messages").
    public var unicastDropped = 0

    public init() {}
}

/// The transparent clock's forwarding state, kept by the ``InstanceEngine`` of a TC (linuxptp tc.c's
/// `tc_transmitted` lists, per egress port).
public struct TransparentClock: Sendable {
    public let configuration: TransparentClockConfiguration
    public internal(set) var counters = TransparentClockCounters()
    /// The master/local rate ratio the residence times are scaled by (1 while unknown, and on a steered clock).
    public internal(set) var rateRatio: Double = 1

    /// What one egress port waits for: a Sync's residence time for its Follow_Up, a Follow_Up for its Sync's
    /// egress stamp, a Delay_Req's residence time for its Delay_Resp.
    struct Entry: Sendable {
        enum Kind: Sendable {
            case sync(residence: PTPDuration)
            case followUp(PTPMessage)
            case delayReq(residence: PTPDuration)
        }

        var kind: Kind
        var ingressPort: Int
        var sequenceId: UInt16
        var source: PortIdentity
        var at: PTPInstant
    }

    /// An event message forwarded, awaiting its egress stamp.
    struct Departure: Sendable {
        var egressPort: Int
        var ingressPort: Int
        var messageType: MessageType
        var sequenceId: UInt16
        var source: PortIdentity
        var ingress: PTPInstant
        var at: PTPInstant
    }

    var pending: [[Entry]]
    var departures: [UInt32: Departure] = [:]
    var nextRelay: UInt32 = 1
    /// The latest Sync from the port toward the master, for the rate estimate.
    var lastSync: (port: Int, sequenceId: UInt16, source: PortIdentity, ingress: PTPInstant, correction: PTPDuration)?
    var estimate: (ingress: PTPInstant, origin: PTPInstant, count: Int)?

    /// Entries older than this are dropped (linuxptp `tc_current`: one second).
    static let lifetime = PTPDuration.seconds(1)
    /// At most this many entries per port and departures in all, whatever the peers send.
    static let capacity = 256

    public init(configuration: TransparentClockConfiguration, ports: Int) {
        self.configuration = configuration
        pending = Array(repeating: [], count: ports)
    }

    /// Adds an entry for `port`, dropping expired ones first and the oldest when full.
    mutating func remember(_ entry: Entry, port: Int) {
        prune(port: port, now: entry.at)
        if pending[port].count >= Self.capacity {
            pending[port].removeFirst()
            counters.expired += 1
        }
        pending[port].append(entry)
    }

    mutating func prune(port: Int, now: PTPInstant) {
        let before = pending[port].count
        pending[port].removeAll { now - $0.at > Self.lifetime }
        counters.expired += before - pending[port].count
    }

    /// A new relay id for an event message leaving `egress`.
    mutating func depart(_ departure: Departure) -> UInt32 {
        if departures.count >= Self.capacity * 4 {
            let now = departure.at
            departures = departures.filter { now - $0.value.at <= Self.lifetime }
            if departures.count >= Self.capacity * 4, let oldest = departures.min(by: { $0.value.at < $1.value.at }) {
                departures.removeValue(forKey: oldest.key)
            }
        }
        let id = nextRelay
        nextRelay = nextRelay == UInt32.max ? 1 : nextRelay + 1
        departures[id] = departure
        return id
    }

    /// One (origin, ingress) pair from the port toward the master: the master/local rate ratio over
    /// 2^(freq_est_interval − logSyncInterval) Syncs, as linuxptp's `clock_no_adjust` (the path delay left out:
    /// it is taken as constant). A ratio beyond ±0.1 % (a master that stepped) restarts the estimate.
    mutating func rateSample(origin: PTPInstant, ingress: PTPInstant, logSyncInterval: Int8) {
        guard configuration.freeRunning else { return }
        guard var current = estimate else {
            estimate = (ingress, origin, 0)
            return
        }
        current.count += 1
        let shift = max(0, min(30, configuration.frequencyEstimationInterval - Int(logSyncInterval)))
        guard current.count >= 1 << shift else {
            estimate = current
            return
        }
        let local = (ingress - current.ingress).nanosecondsDouble
        let master = (origin - current.origin).nanosecondsDouble
        estimate = (ingress, origin, 0)
        guard local > 0 else { return }
        let ratio = master / local
        if abs(ratio - 1) < 1e-3 { rateRatio = ratio } else { estimate = nil }
    }
}

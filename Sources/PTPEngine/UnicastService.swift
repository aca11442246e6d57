import PTPCore
import PTPWire

/// How a port serves unicast negotiation as a master (IEEE 1588-2019 16.1; linuxptp unicast_service.c).
public struct UnicastServiceConfiguration: Sendable, Hashable {
    /// `unicast_listen`: grant REQUEST_UNICAST_TRANSMISSION from any client (16.1.4.1). Off: requests are
    /// ignored, as ptp4l does.
    public var listen = false
    /// `unicast_max_clients` (Meridian's own): distinct client addresses one port grants to at once. A request
    /// from a further address is refused (duration 0), so the grant table an attacker can grow is bounded.
    public var maxClients = 1024
    /// `unicast_min_log_interval` floor for every message type (Meridian's own): a request for a faster
    /// interval than this or than the port's own configured interval for that message is refused.
    public var minLogInterval = LogInterval(-7)
    /// The longest duration granted (seconds); a longer request is granted this long (16.1.4.2.4 lets a
    /// grantor shorten it). ptp4l's `unicast_req_duration` default is 3600.
    public var maxDuration: UInt32 = 3600

    public init() {}
}

/// One granted service (16.1.4.2): a client's address, the message type and its interval, until `expires`.
public struct UnicastGrant: Sendable, Hashable {
    public var address: PortAddress
    public var client: PortIdentity
    public var messageType: MessageType
    public var logInterval: LogInterval
    public var expires: PTPInstant
    /// Which slot of the Sync or Announce interval serves this client (its low bits; ``UnicastSlots``): a hash
    /// of the address, so a client keeps its phase across renewals.
    public var spread: UInt32 = 0

    /// FNV-1a of the address's octets: spreads clients evenly over the slots.
    static func spread(of address: PortAddress) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for octet in address.address {
            hash = (hash ^ UInt32(octet)) &* 16_777_619
        }
        return hash ^ (hash >> 16)
    }
}

/// The grants of one master port, and what happened to requests.
///
/// Keyed, not searched: one array of grants per served message type (a tick walks only the grants of its own
/// type), a dictionary from (address, type) to a grant's place in its array, and a count of grants per client
/// address, so a request, a renewal, a cancel or the client limit costs O(1) however many clients there are.
/// Expiry scans only when the earliest expiry has passed. A slot of a Sync or Announce interval reads only its own
/// clients' grants (``forEachGrant(of:slot:of:_:)``).
public struct UnicastServiceTable: Sendable {
    struct Key: Hashable, Sendable {
        var address: PortAddress
        var type: MessageType
    }

    /// The grants of Announce, Sync and Delay_Resp, in that order (``UnicastServiceTable/slot(_:)``).
    var byType: [[UnicastGrant]] = [[], [], []]
    var positions: [Key: Int] = [:]
    var grantsPerClient: [PortAddress: Int] = [:]
    /// Per type, the places in ``byType`` of the grants whose ``UnicastGrant/spread`` has each value of its low
    /// bits (`spread & (spreadBuckets − 1)`). The clients of slot `k` of an interval cut into `n` slots (a power
    /// of two up to ``spreadBuckets``) are those of the buckets `b` with `b & (n − 1) == k`: a slot reads its own
    /// grants, not all of them (at 10,000 clients and 256 slots a scan would read 2.5 million grants a second
    /// per message type). Empty until the first grant.
    var bySpread: [[[Int32]]] = []
    /// As many buckets as an interval may have slots (``PortEngine/maxUnicastSlots``).
    static let spreadBuckets = 256
    /// No grant expires before this; nil with no grant.
    var earliestExpiry: PTPInstant?
    /// False only when the table holds no grant (``earliestExpiry`` is set with the first): a master port
    /// serving multicast alone answers its every Sync and Announce tick from this, without reading the grants.
    var mayHoldGrants: Bool { earliestExpiry != nil }
    public internal(set) var granted = 0
    public internal(set) var refused = 0
    public internal(set) var expired = 0
    public internal(set) var cancelled = 0
    /// Unicast Delay_Req from an address without a Delay_Resp grant on a `unicast_listen` port without
    /// `hybrid_e2e`: not answered.
    public internal(set) var ungrantedDelayRequests = 0

    public init() {}

    /// Every live grant: Announce, then Sync, then Delay_Resp.
    public var grants: [UnicastGrant] { byType.flatMap { $0 } }

    /// Distinct client addresses with at least one live grant.
    public var clientCount: Int { grantsPerClient.count }

    /// The grants of `type` (Announce, Sync or Delay_Resp).
    func grants(of type: MessageType) -> [UnicastGrant] {
        slot(type).map { byType[$0] } ?? []
    }

    func slot(_ type: MessageType) -> Int? {
        switch type {
        case .announce: 0
        case .sync: 1
        case .delayResp: 2
        default: nil
        }
    }

    func hasClient(_ address: PortAddress) -> Bool { grantsPerClient[address] != nil }

    func grant(_ address: PortAddress, _ type: MessageType) -> UnicastGrant? {
        guard let s = slot(type), let i = positions[Key(address: address, type: type)] else { return nil }
        return byType[s][i]
    }

    /// Whether `address` holds a live Delay_Resp grant at `now`.
    func grantsDelayResponse(to address: PortAddress, now: PTPInstant) -> Bool {
        grant(address, .delayResp).map { $0.expires > now } ?? false
    }

    /// Adds `grant`, or replaces the same client's grant of the same type (a renewal).
    mutating func upsert(_ grant: UnicastGrant) {
        guard let s = slot(grant.messageType) else { return }
        let key = Key(address: grant.address, type: grant.messageType)
        if let i = positions[key] {
            // A renewal: the same address, so the same spread and bucket.
            byType[s][i] = grant
        } else {
            positions[key] = byType[s].count
            index(byType[s].count, spread: grant.spread, type: s)
            byType[s].append(grant)
            grantsPerClient[grant.address, default: 0] += 1
        }
        if earliestExpiry.map({ grant.expires < $0 }) ?? true { earliestExpiry = grant.expires }
    }

    /// Removes the grant of `type` to `address` (a CANCEL); true when there was one.
    @discardableResult
    mutating func remove(_ address: PortAddress, _ type: MessageType) -> Bool {
        guard let s = slot(type), let i = positions.removeValue(forKey: Key(address: address, type: type)) else { return false }
        unindex(i, spread: byType[s][i].spread, type: s)
        let last = byType[s].removeLast()
        if i < byType[s].count {
            byType[s][i] = last
            positions[Key(address: last.address, type: last.messageType)] = i
            reindex(from: byType[s].count, to: i, spread: last.spread, type: s)
        }
        if let n = grantsPerClient[address], n > 1 { grantsPerClient[address] = n - 1 } else { grantsPerClient[address] = nil }
        return true
    }

    /// Drops every grant whose duration is over: a client that stops renewing costs nothing after it. Scans only
    /// when the earliest expiry has come.
    mutating func expire(now: PTPInstant) {
        guard let earliest = earliestExpiry, earliest <= now else { return }
        var next: PTPInstant?
        positions.removeAll(keepingCapacity: true)
        grantsPerClient.removeAll(keepingCapacity: true)
        for s in bySpread.indices {
            for b in bySpread[s].indices { bySpread[s][b].removeAll(keepingCapacity: true) }
        }
        for s in byType.indices {
            let before = byType[s].count
            byType[s].removeAll { $0.expires <= now }
            expired += before - byType[s].count
            for (i, g) in byType[s].enumerated() {
                positions[Key(address: g.address, type: g.messageType)] = i
                index(i, spread: g.spread, type: s)
                grantsPerClient[g.address, default: 0] += 1
                if next.map({ g.expires < $0 }) ?? true { next = g.expires }
            }
        }
        earliestExpiry = next
    }

    @inline(__always)
    static func bucket(_ spread: UInt32) -> Int { Int(spread & UInt32(spreadBuckets - 1)) }

    private mutating func index(_ position: Int, spread: UInt32, type s: Int) {
        if bySpread.isEmpty {
            bySpread = Array(repeating: Array(repeating: [], count: Self.spreadBuckets), count: byType.count)
        }
        bySpread[s][Self.bucket(spread)].append(Int32(truncatingIfNeeded: position))
    }

    private mutating func unindex(_ position: Int, spread: UInt32, type s: Int) {
        guard bySpread.indices.contains(s) else { return }
        let b = Self.bucket(spread)
        if let k = bySpread[s][b].firstIndex(of: Int32(truncatingIfNeeded: position)) {
            bySpread[s][b].remove(at: k)
        }
    }

    private mutating func reindex(from old: Int, to new: Int, spread: UInt32, type s: Int) {
        guard bySpread.indices.contains(s) else { return }
        let b = Self.bucket(spread)
        if let k = bySpread[s][b].firstIndex(of: Int32(truncatingIfNeeded: old)) {
            bySpread[s][b][k] = Int32(truncatingIfNeeded: new)
        }
    }

    /// Hands `body` each grant of `type` served in slot `slot` of an interval cut into `count` slots
    /// (``UnicastSlots``), bucket by bucket. With more slots than buckets (never: the
    /// port cuts at most ``spreadBuckets``), every grant is checked.
    @inline(__always)
    func forEachGrant(of type: MessageType, slot: Int, of count: Int, _ body: (UnicastGrant) -> Void) {
        guard let s = self.slot(type) else { return }
        let grants = byType[s]
        guard count <= Self.spreadBuckets, count > 0, bySpread.indices.contains(s) else {
            let mask = UInt32(truncatingIfNeeded: max(count, 1) - 1)
            for grant in grants where grant.spread & mask == UInt32(truncatingIfNeeded: slot) { body(grant) }
            return
        }
        let buckets = bySpread[s]
        for b in stride(from: slot, to: Self.spreadBuckets, by: count) {
            for position in buckets[b] where grants.indices.contains(Int(position)) { body(grants[Int(position)]) }
        }
    }
}

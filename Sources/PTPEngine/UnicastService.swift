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
/// Expiry scans only when the earliest expiry has passed.
public struct UnicastServiceTable: Sendable {
    struct Key: Hashable, Sendable {
        var address: PortAddress
        var type: MessageType
    }

    /// The grants of Announce, Sync and Delay_Resp, in that order (``UnicastServiceTable/slot(_:)``).
    var byType: [[UnicastGrant]] = [[], [], []]
    var positions: [Key: Int] = [:]
    var grantsPerClient: [PortAddress: Int] = [:]
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
            byType[s][i] = grant
        } else {
            positions[key] = byType[s].count
            byType[s].append(grant)
            grantsPerClient[grant.address, default: 0] += 1
        }
        if earliestExpiry.map({ grant.expires < $0 }) ?? true { earliestExpiry = grant.expires }
    }

    /// Removes the grant of `type` to `address` (a CANCEL); true when there was one.
    @discardableResult
    mutating func remove(_ address: PortAddress, _ type: MessageType) -> Bool {
        guard let s = slot(type), let i = positions.removeValue(forKey: Key(address: address, type: type)) else { return false }
        let last = byType[s].removeLast()
        if i < byType[s].count {
            byType[s][i] = last
            positions[Key(address: last.address, type: last.messageType)] = i
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
        for s in byType.indices {
            let before = byType[s].count
            byType[s].removeAll { $0.expires <= now }
            expired += before - byType[s].count
            for (i, g) in byType[s].enumerated() {
                positions[Key(address: g.address, type: g.messageType)] = i
                grantsPerClient[g.address, default: 0] += 1
                if next.map({ g.expires < $0 }) ?? true { next = g.expires }
            }
        }
        earliestExpiry = next
    }
}

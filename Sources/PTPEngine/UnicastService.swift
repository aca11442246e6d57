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
}

/// The grants of one master port, and what happened to requests.
public struct UnicastServiceTable: Sendable {
    public internal(set) var grants: [UnicastGrant] = []
    public internal(set) var granted = 0
    public internal(set) var refused = 0
    public internal(set) var expired = 0
    public internal(set) var cancelled = 0
    /// Unicast Delay_Req from an address without a Delay_Resp grant on a `unicast_listen` port without
    /// `hybrid_e2e`: not answered.
    public internal(set) var ungrantedDelayRequests = 0

    public init() {}

    /// Distinct client addresses with at least one live grant.
    public var clientCount: Int {
        Set(grants.lazy.map(\.address)).count
    }

    /// Whether `address` holds a live Delay_Resp grant at `now`.
    func grantsDelayResponse(to address: PortAddress, now: PTPInstant) -> Bool {
        grants.contains { $0.address == address && $0.messageType == .delayResp && $0.expires > now }
    }

    func index(of address: PortAddress, _ type: MessageType) -> Int? {
        grants.firstIndex { $0.address == address && $0.messageType == type }
    }

    /// Drops every grant whose duration is over: a client that stops renewing costs nothing after it.
    mutating func expire(now: PTPInstant) {
        let before = grants.count
        grants.removeAll { $0.expires <= now }
        expired += before - grants.count
    }
}

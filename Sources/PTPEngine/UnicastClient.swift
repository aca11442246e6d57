import PTPCore
import PTPWire

/// A port's unicast master table (ptp4l's `[unicast_master_table]` with `unicast_master_table` and
/// `unicast_req_duration`; IEEE 1588-2019 16.1, 17.5): the masters it asks for unicast service.
public struct UnicastMasterTableConfiguration: Sendable, Hashable {
    /// `logQueryInterval`: the period (2^n s) of the port's request timer (linuxptp FD_UNICAST_REQ_TIMER).
    public var logQueryInterval: LogInterval
    /// The masters' addresses, in table order.
    public var masters: [PortAddress]
    /// `unicast_req_duration`: seconds of service each REQUEST asks for (ptp4l's default 3600).
    public var requestDuration: UInt32
    /// `peer_address`: the P2P peer. With delay_mechanism P2P the port sends its Pdelay_Req there by unicast and
    /// asks it for Pdelay_Resp service (linuxptp `port_pdelay_request`, `unicast_client_peer_renew`).
    public var peerAddress: PortAddress?

    public init(
        logQueryInterval: LogInterval = LogInterval(0), masters: [PortAddress], requestDuration: UInt32 = 3600,
        peerAddress: PortAddress? = nil
    ) {
        self.logQueryInterval = logQueryInterval
        self.masters = masters
        self.requestDuration = requestDuration
        self.peerAddress = peerAddress
    }

    /// The request timer's period: 2^logQueryInterval seconds, the exponent held to -8…16 so a table cannot
    /// ask for a timer of 2^-128 or 2^127 s.
    public var queryPeriod: PTPDuration {
        LogInterval(max(-8, min(16, logQueryInterval.rawValue))).duration
    }
}

/// A master's place in the client's negotiation (linuxptp `enum unicast_state`, unicast_fsm.c); the raw value is
/// what UNICAST_MASTER_TABLE_NP carries in `port_state`.
public enum UnicastClientState: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// Asking for Announce.
    case wait = 0
    /// Announce granted: the master is a candidate for the BMCA.
    case haveAnnounce = 1
    /// Selected by the BMCA: asking for Sync (and Delay_Resp with E2E).
    case needSyncDelay = 2
    /// Sync (and Delay_Resp) granted.
    case haveSyncDelay = 3

    public var description: String {
        switch self {
        case .wait: "WAIT"
        case .haveAnnounce: "HAVE_ANN"
        case .needSyncDelay: "NEED_SYDY"
        case .haveSyncDelay: "HAVE_SYDY"
        }
    }

    enum Event { case grantAnnounce, selected, grantSyncDelay, unselected, cancel }

    /// linuxptp `unicast_fsm`.
    func next(on event: Event) -> UnicastClientState {
        switch (self, event) {
        case (.wait, .grantAnnounce): .haveAnnounce
        case (.haveAnnounce, .selected): .needSyncDelay
        case (.needSyncDelay, .grantSyncDelay): .haveSyncDelay
        case (.needSyncDelay, .unselected), (.haveSyncDelay, .unselected): .haveAnnounce
        case (.haveAnnounce, .cancel), (.needSyncDelay, .cancel), (.haveSyncDelay, .cancel): .wait
        default: self
        }
    }
}

/// One master of the table and what it granted (linuxptp `struct unicast_master_address`).
public struct UnicastMasterEntry: Sendable, Hashable {
    public var address: PortAddress
    /// The master's port identity, learned from its Announce grant; all ones until then.
    public internal(set) var portIdentity = PortIdentity(clockIdentity: .all, portNumber: 0xFFFF)
    public internal(set) var state = UnicastClientState.wait
    /// The message types the master has granted (bit n: messageType n).
    public internal(set) var grantedMask: UInt16 = 0
    /// Request-timer ticks until the grants are renewed (3/4 of the shortest granted duration, as linuxptp's
    /// `unicast_client_set_renewal`); 0: renew on the next tick (linuxptp `renewal_tmo` 0). Counted in ticks
    /// of the port's own timer rather than as a time on the disciplined clock, so a step of that clock
    /// neither lets grants lapse nor renews them early (linuxptp uses CLOCK_MONOTONIC for the same reason).
    var renewalTicks = 0

    public init(address: PortAddress) {
        self.address = address
    }

    public func granted(_ type: MessageType) -> Bool {
        grantedMask & (1 << UInt16(type.rawValue & 0x0F)) != 0
    }
}

/// The client side of a port: its table of masters and its counts (requests sent, grants, refusals,
/// cancels; ptp4l's `unicast_request_timeout` is the timer count of PORT_SERVICE_STATS_NP).
public struct UnicastClientTable: Sendable, Hashable {
    public internal(set) var configuration: UnicastMasterTableConfiguration
    public internal(set) var masters: [UnicastMasterEntry]
    /// The `peer_address` peer and its Pdelay_Resp grant (linuxptp `peer_addr`): its port identity learned from
    /// the grant, the pdelayResp bit of `grantedMask`, and the renewal countdown. Its `state` is unused.
    public internal(set) var peer: UnicastMasterEntry?
    /// The Pdelay_Req interval the peer granted (linuxptp sets `logPdelayReqInterval` to it); nil before a grant.
    public internal(set) var peerGrantedInterval: LogInterval?
    /// The types a master must grant before it is HAVE_SYDY (linuxptp `sydymsk` without the Announce bit).
    var syncDelayMask: UInt16
    public internal(set) var requestTimeouts: UInt64 = 0
    public internal(set) var requestsSent = 0
    public internal(set) var grantsReceived = 0
    public internal(set) var refusalsReceived = 0
    public internal(set) var cancelsReceived = 0
    /// Signaling from an address that is not in the table, and Announce from such an address (linuxptp's
    /// "rogue unicast grant or cancel" and "new foreign master … not in unicast master table"), dropped.
    public internal(set) var rogueMessages = 0

    init(_ configuration: UnicastMasterTableConfiguration, delayMechanism: DelayMechanism) {
        self.configuration = configuration
        masters = configuration.masters.map(UnicastMasterEntry.init(address:))
        peer = configuration.peerAddress.map(UnicastMasterEntry.init(address:))
        var mask: UInt16 = 1 << UInt16(MessageType.sync.rawValue)
        if delayMechanism == .e2e { mask |= 1 << UInt16(MessageType.delayResp.rawValue) }
        syncDelayMask = mask
    }

    func index(of address: PortAddress) -> Int? {
        masters.firstIndex { $0.address == address }
    }

    /// Sets the renewal `duration` seconds ahead, keeping an earlier one (linuxptp `unicast_client_set_renewal`).
    mutating func setRenewal(_ i: Int, duration: UInt32) {
        masters[i].setRenewal(duration: duration, period: configuration.queryPeriod)
    }
}

extension UnicastMasterEntry {
    /// Renewal at 3/4 of `duration`, counted in ticks of a request timer of `period`, keeping an earlier one.
    mutating func setRenewal(duration: UInt32, period: PTPDuration) {
        let renewAfter = PTPDuration.seconds(Int64(duration) * 3 / 4)
        let ticks = period.nanoseconds > 0 ? max(1, Int(clamping: renewAfter.nanoseconds / period.nanoseconds)) : 1
        if renewalTicks == 0 || ticks < renewalTicks {
            renewalTicks = ticks
        }
    }
}

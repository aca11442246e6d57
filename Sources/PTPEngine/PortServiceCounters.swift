/// A port's timer and Sync/Follow_Up counts, as linuxptp keeps them in `struct PortServiceStats` for
/// PORT_SERVICE_STATS_NP (port.c `port_event`, `port_syfufsm`): each timer's expiries, whatever the state.
public struct PortServiceCounters: Sendable, Hashable {
    /// announceReceipt timeouts (linuxptp `announce_timeout`).
    public var announceTimeout: UInt64 = 0
    /// syncReceipt timeouts (`sync_timeout`).
    public var syncTimeout: UInt64 = 0
    /// Delay_Req timer expiries (`delay_timeout`).
    public var delayTimeout: UInt64 = 0
    /// `unicast_service_timeout`: ptp4l's service timer; Meridian serves grants on its Announce and Sync ticks
    /// and has none, so this stays 0.
    public var unicastServiceTimeout: UInt64 = 0
    /// Unicast request timer expiries (`unicast_request_timeout`).
    public var unicastRequestTimeout: UInt64 = 0
    /// Announce and Sync timer expiries as a master (`master_announce_timeout`, `master_sync_timeout`).
    public var masterAnnounceTimeout: UInt64 = 0
    public var masterSyncTimeout: UInt64 = 0
    /// PRE_MASTER qualification timeouts.
    public var qualificationTimeout: UInt64 = 0
    /// A Sync that replaced one still waiting for its Follow_Up (`sync_mismatch`), and a Follow_Up that matched
    /// no Sync (`followup_mismatch`).
    public var syncMismatch: UInt64 = 0
    public var followUpMismatch: UInt64 = 0

    public init() {}

    mutating func count(_ timer: PortTimer) {
        switch timer {
        case .announce: masterAnnounceTimeout &+= 1
        case .sync: masterSyncTimeout &+= 1
        case .delayRequest: delayTimeout &+= 1
        case .announceReceipt: announceTimeout &+= 1
        case .syncReceipt: syncTimeout &+= 1
        case .qualification: qualificationTimeout &+= 1
        case .unicastRequest: unicastRequestTimeout &+= 1
        case .pdelayRequest: break  // linuxptp counts the Pdelay timer nowhere in these
        }
    }
}

import PTPCore
import PTPWire

/// Unicast negotiation as a master (IEEE 1588-2019 16.1, linuxptp unicast_service.c): REQUEST_UNICAST_TRANSMISSION
/// for Announce, Sync (with its Follow_Up) and Delay_Resp is answered with GRANT_UNICAST_TRANSMISSION (the granted
/// interval and duration, or duration 0 for a refusal), CANCEL with ACKNOWLEDGE_CANCEL; granted clients get their
/// Announce and Sync on the port's own timers, each on the ticks its granted interval falls on.
extension PortEngine {
    /// Message types a client may ask this port for and that it keeps grants of (16.1.1: Announce, Sync,
    /// Delay_Resp); Pdelay_Resp is granted without a record on a P2P port (``grant(_:to:client:now:)``).
    static func servable(_ type: MessageType) -> Bool {
        type == .announce || type == .sync || type == .delayResp
    }

    /// The fastest interval this port grants for `type`: its own configured interval, never faster than the
    /// configured floor.
    func unicastFloor(_ type: MessageType) -> LogInterval {
        let own =
            switch type {
            case .announce: configuration.logAnnounceInterval
            case .sync: configuration.logSyncInterval
            default: portDS.logMinDelayReqInterval
            }
        return LogInterval(max(own.rawValue, configuration.unicast.minLogInterval.rawValue))
    }

    /// Handles the unicast negotiation TLVs of a Signaling message from `source`; true when it carried any.
    mutating func receiveUnicastNegotiation(
        _ message: PTPMessage, source: PortAddress?, now: PTPInstant, into actions: inout [PortAction]
    ) -> Bool {
        var replies: [TLV] = []
        var sawNegotiation = false
        unicastService.expire(now: now)
        for tlv in message.tlvs {
            switch tlv {
            case .requestUnicastTransmission(let request):
                sawNegotiation = true
                guard configuration.unicast.listen, let source else { continue }
                replies.append(grant(request, to: source, client: message.header.sourcePortIdentity, now: now))
            case .cancelUnicastTransmission(let cancel):
                sawNegotiation = true
                guard let source else { continue }
                // linuxptp `process_signaling` hands a CANCEL to both sides, and each heeds its flag (16.1.4.3).
                // Client side: a master we asked (or the P2P peer) cancels what it sends us, unless it keeps
                // its grant (maintainGrant); acknowledged there (linuxptp `unicast_client_cancel`).
                let acknowledged = receiveUnicastCancel(cancel, from: source, into: &actions)
                // Service side: a client cancels what it asked of us, unless it keeps its request
                // (maintainRequest: it cancels only what it grants us, linuxptp `unicast_service_remove`).
                guard configuration.unicast.listen, !cancel.maintainRequest else { continue }
                if let type = MessageType(rawValue: cancel.messageType), unicastService.remove(source, type) {
                    unicastService.cancelled += 1
                }
                if !acknowledged { replies.append(.acknowledgeCancelUnicastTransmission(cancel)) }
            case .grantUnicastTransmission(let grant):
                sawNegotiation = true
                receiveUnicastGrant(grant, from: source, sender: message.header.sourcePortIdentity, into: &actions)
            case .acknowledgeCancelUnicastTransmission:
                sawNegotiation = true
            default:
                continue
            }
        }
        if !replies.isEmpty, let source {
            let h = header(.signaling, sequenceId: signalingSequence, logInterval: .unspecified, flags: [.unicast])
            signalingSequence &+= 1
            let body = SignalingBody(targetPortIdentity: message.header.sourcePortIdentity)
            send(PTPMessage(header: h, body: .signaling(body), tlvs: replies), to: source, into: &actions)
        }
        return sawNegotiation
    }

    /// Grants or refuses one request (16.1.4.2): refused when the type is not served, the interval is faster
    /// than the floor, or the table is full of other clients.
    mutating func grant(
        _ request: UnicastTransmissionTLV, to source: PortAddress, client: PortIdentity, now: PTPInstant
    ) -> TLV {
        let refusal = TLV.grantUnicastTransmission(
            UnicastTransmissionTLV(
                messageType: request.messageType, logInterMessagePeriod: request.logInterMessagePeriod, duration: 0))
        // Pdelay_Resp on a P2P port: granted and not kept (linuxptp `unicast_service_add`); every unicast
        // Pdelay_Req is answered anyway (PortEngine+UnicastPeer.swift).
        if request.messageType == MessageType.pdelayResp.rawValue, configuration.delayMechanism == .p2p,
            request.logInterMessagePeriod >= configuration.unicast.minLogInterval.rawValue, request.duration > 0
        {
            unicastService.granted += 1
            return .grantUnicastTransmission(
                UnicastTransmissionTLV(
                    messageType: request.messageType, logInterMessagePeriod: request.logInterMessagePeriod,
                    duration: min(request.duration, configuration.unicast.maxDuration), renewalInvited: true))
        }
        guard let type = MessageType(rawValue: request.messageType), Self.servable(type),
            request.logInterMessagePeriod >= unicastFloor(type).rawValue, request.duration > 0
        else {
            unicastService.refused += 1
            return refusal
        }
        if !unicastService.hasClient(source) && unicastService.clientCount >= configuration.unicast.maxClients {
            unicastService.refused += 1
            return refusal
        }
        let duration = min(request.duration, configuration.unicast.maxDuration)
        let interval = LogInterval(request.logInterMessagePeriod)
        let expires = now + .seconds(Int64(duration))
        let grant = UnicastGrant(
            address: source, client: client, messageType: type, logInterval: interval, expires: expires,
            spread: UnicastGrant.spread(of: source))
        unicastService.upsert(grant)
        unicastService.granted += 1
        return .grantUnicastTransmission(
            UnicastTransmissionTLV(
                messageType: request.messageType, logInterMessagePeriod: request.logInterMessagePeriod,
                duration: duration, renewalInvited: true))
    }

    /// Whether a grant at `interval` is due on tick number `tick` of a port timer running at `portInterval`.
    static func due(tick: UInt64, interval: LogInterval, portInterval: LogInterval) -> Bool {
        let ratio = Int(interval.rawValue) - Int(portInterval.rawValue)
        guard ratio > 0 else { return true }
        guard ratio < 63 else { return tick == 0 }
        return tick & ((UInt64(1) << UInt64(ratio)) &- 1) == 0
    }

    /// On a slot of an Announce tick: an Announce to every client granted Announce whose slot this is and whose
    /// interval falls on this tick (slots as for Sync: ``unicastSlotsNeeded(_:)``).
    mutating func serveUnicastAnnounce(now: PTPInstant, into actions: inout [PortAction]) {
        guard unicastService.mayHoldGrants else { return }
        unicastService.expire(now: now)
        let wheel = unicastAnnounceSlots
        let tick = wheel.tick
        let service = unicastService
        service.forEachGrant(of: .announce, slot: wheel.slot, of: wheel.count) { grant in
            guard Self.due(tick: tick, interval: grant.logInterval, portInterval: configuration.logAnnounceInterval)
            else { return }
            let h = header(
                .announce, sequenceId: announceSequence, logInterval: grant.logInterval,
                flags: announceContent.flags.union(.unicast))
            announceSequence &+= 1
            send(PTPMessage(header: h, body: .announce(announceContent.body(origin: now))), to: grant.address, into: &actions)
        }
    }

    /// Clients per slot of an interval at which the port spreads its unicast Syncs (or Announces) over more
    /// slots.
    static let unicastClientsPerSlot = 64
    /// The most slots one interval is cut into (as many as the grant table's spread buckets, so a slot reads
    /// only its own clients' grants: ``UnicastServiceTable/forEachGrant(of:slot:of:_:)``).
    static let maxUnicastSlots = UnicastServiceTable.spreadBuckets

    /// How many slots the next Sync (or Announce) interval is cut into: a power of two, one per 64 clients
    /// granted that message, at most 256. A server of 10,000 clients then sends a 256th of its Syncs every
    /// 256th of the interval instead of all at once, so a Delay_Req that arrives meanwhile waits for a slot's
    /// burst (some 40 Syncs and their Follow_Ups), not for the whole interval's (at 10,000 clients the Sync
    /// burst took this machine about 70 ms; cut in 64, a slot's 160 took 3–4 ms, the Delay_Resps' p99 at
    /// 10,000 clients). Each client keeps its slot (``UnicastGrant/spread``), so its messages stay one interval
    /// apart.
    @inline(__always)
    func unicastSlotsNeeded(_ type: MessageType) -> Int {
        guard unicastService.mayHoldGrants else { return 1 }
        let granted = unicastService.slot(type).map { unicastService.byType[$0].count } ?? 0
        let wanted = (granted + Self.unicastClientsPerSlot - 1) / Self.unicastClientsPerSlot
        var slots = 1
        while slots < wanted && slots < Self.maxUnicastSlots { slots <<= 1 }
        return slots
    }

    /// On a slot of a Sync tick: a Sync to every client granted Sync whose slot this is and whose interval falls
    /// on this tick; a two-step Sync's Follow_Up goes to the same address when its transmit time stamp comes back.
    mutating func serveUnicastSync(now: PTPInstant, into actions: inout [PortAction]) {
        guard unicastService.mayHoldGrants else { return }
        unicastService.expire(now: now)
        let wheel = unicastSyncSlots
        let tick = wheel.tick
        let service = unicastService
        service.forEachGrant(of: .sync, slot: wheel.slot, of: wheel.count) { grant in
            guard Self.due(tick: tick, interval: grant.logInterval, portInterval: configuration.logSyncInterval)
            else { return }
            let sequenceId = syncSequence
            syncSequence &+= 1
            let h = header(
                .sync, sequenceId: sequenceId, logInterval: grant.logInterval,
                flags: twoStep ? [.twoStep, .unicast] : [.unicast])
            let message = PTPMessage(header: h, body: .sync(OriginTimestampBody(originTimestamp: .zero)))
            if twoStep {
                // Bounded by its key: at most 65,536 sequenceIds, and one whose stamp never came back (a port
                // gone FAULTY) is overwritten when the sequence comes round. (An earlier bound of 4,096 wiped the
                // table in the middle of a tick serving more clients than that, losing their Follow_Ups.)
                unicastFollowUps[sequenceId] = (grant.address, grant.logInterval)
                send(message, token: TransmitToken(messageType: .sync, sequenceId: sequenceId), to: grant.address, into: &actions)
            } else {
                send(message, insertOrigin: true, to: grant.address, into: &actions)
            }
        }
    }

    /// Whether a unicast Delay_Req from `source` is answered (unicast). A port that grants unicast service
    /// (`unicast_listen`) answers only a client holding a Delay_Resp grant (16.1.1: Delay_Resp is a granted
    /// service), unless `hybrid_e2e` makes it answer any unicast Delay_Req as linuxptp's `process_delay_req`
    /// does; the others are counted and dropped, so an address that never negotiated gets nothing. (ptp4l 3.1
    /// without hybrid_e2e answers such a request multicast; a port that serves by grant has no reason to.) A
    /// port that does not grant answers as before.
    mutating func unicastDelayResponseAllowed(to source: PortAddress, now: PTPInstant) -> Bool {
        guard configuration.unicast.listen, !configuration.hybridE2E else { return true }
        if unicastService.grantsDelayResponse(to: source, now: now) { return true }
        unicastService.ungrantedDelayRequests += 1
        return false
    }

    mutating func send(
        _ message: PTPMessage, token: TransmitToken? = nil, insertOrigin: Bool = false, to destination: PortAddress,
        into actions: inout [PortAction]
    ) {
        counters.sent += 1
        var outgoing = OutgoingMessage(message: message, token: token, insertOriginTimestamp: insertOrigin)
        outgoing.destination = destination
        actions.append(.send(outgoing))
    }
}

/// One timer's interval cut into slots, so that a port serving many unicast clients sends each slot's share at
/// its own time (``PortEngine/unicastSlotsNeeded(_:)``): the timer fires once per slot, and a client is served in
/// the slot its address hashes to (``UnicastGrant/spread``).
public struct UnicastSlots: Sendable, Hashable {
    /// The slot the timer fires for next.
    public private(set) var slot = 0
    /// How many slots the current interval has (a power of two; 1 for a port of few clients).
    public private(set) var count = 1
    /// Whole intervals so far: which grants of a longer interval than the port's are due (``PortEngine/due``).
    public private(set) var tick: UInt64 = 0

    public init() {}

    /// The port (re)enters MASTER: the next firing begins an interval of one slot.
    mutating func restart() {
        slot = 0
        count = 1
    }

    /// The timer fired: as an interval begins, its slots are chosen from the grants held then (`needed`), so
    /// clients granted in bulk during the last interval are spread from their first message on. Returns the slot.
    mutating func begin(needed: Int) -> Int {
        if slot == 0 { count = max(1, needed) }
        return slot
    }

    /// The slot was served: moves to the next one and returns the delay to it (`interval` / slots).
    mutating func advance(interval: PTPDuration) -> PTPDuration {
        let slots = count
        slot += 1
        if slot >= count {
            slot = 0
            tick &+= 1
        }
        return slots > 1 ? .nanoseconds(interval.nanoseconds / Int64(slots)) : interval
    }
}

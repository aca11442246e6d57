import LinuxPlatform
import PTPCore
import PTPWire

/// The clients subscribed with SET SUBSCRIBE_EVENTS_NP, keyed by their Unix socket address, as
/// linuxptp's `clock_update_subscription` keeps them: a subscription with no event bit set is
/// removed, otherwise it lasts `duration` seconds from the SET; each subscriber has its own running
/// sequenceId for notifications.
struct ManagementSubscribers: Sendable {
    struct Subscriber: Sendable {
        /// The subscriber's sourcePortIdentity: notifications are addressed to it.
        var target: PortIdentity
        var events: SubscribeEventsNP
        var expires: ContinuousClock.Instant
        var sequenceId: UInt16 = 0
    }

    private(set) var byAddress: [UnixSocketAddress: Subscriber] = [:]

    /// Adds, renews or (with no event bit set) removes `address`'s subscription.
    mutating func update(
        _ address: UnixSocketAddress, target: PortIdentity, events: SubscribeEventsNP, now: ContinuousClock.Instant
    ) {
        guard events.bitmask.contains(where: { $0 != 0 }) else {
            byAddress[address] = nil
            return
        }
        let sequence = byAddress[address]?.sequenceId ?? 0
        byAddress[address] = Subscriber(
            target: target, events: events, expires: now + .seconds(Int(events.duration)), sequenceId: sequence)
    }

    /// The live subscription of `address`, if any.
    func subscription(of address: UnixSocketAddress, now: ContinuousClock.Instant) -> SubscribeEventsNP? {
        guard let subscriber = byAddress[address], subscriber.expires > now else { return nil }
        return subscriber.events
    }

    /// Drops expired subscriptions (linuxptp `clock_prune_subscriptions`).
    mutating func prune(now: ContinuousClock.Instant) {
        byAddress = byAddress.filter { $0.value.expires > now }
    }

    /// The live subscribers to event `bit`, each with the sequenceId to use; advances the counters.
    mutating func takeRecipients(of bit: Int, now: ContinuousClock.Instant)
        -> [(address: UnixSocketAddress, target: PortIdentity, sequenceId: UInt16)]
    {
        prune(now: now)
        var out: [(address: UnixSocketAddress, target: PortIdentity, sequenceId: UInt16)] = []
        for (address, subscriber) in byAddress where subscriber.events.isSubscribed(bit) {
            out.append((address, subscriber.target, subscriber.sequenceId))
            byAddress[address]?.sequenceId = subscriber.sequenceId &+ 1
        }
        return out
    }

    var count: Int { byAddress.count }
}

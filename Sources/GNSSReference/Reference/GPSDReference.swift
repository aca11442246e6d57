import PTPCore
import Synchronization

/// `reference gpsd`: gpsd's own PPS reports, each paired with the TPV of its second, as reference samples.
///
/// gpsd's `clock` stamps are `CLOCK_REALTIME` readings; `systemToClock` turns them into the disciplined
/// clock's time (`VirtualClock.convert(systemTimestamp:)` for a virtual clock, the identity for the system
/// clock, PHC − system offset for a PHC). The TPV gives the second, fix mode and leap seconds; the latest SKY
/// the satellites used. gpsd goes away and comes back: the client reconnects with backoff by itself.
public final class GPSDReference: ReferenceSource {
    public let name: String
    private let client: GPSDClient

    /// - Parameters:
    ///   - host, port: gpsd (`gpsd_address`, see ``GPSDClient/parseAddress(_:)``).
    ///   - systemToClock: system time → the disciplined clock's time.
    ///   - onEvent: called from the client's thread; must be quick.
    public init(
        host: String, port: String, initialBackoffMilliseconds: Int = 500, maximumBackoffMilliseconds: Int = 30_000,
        systemToClock: @escaping @Sendable (PTPInstant) -> PTPInstant,
        onEvent: @escaping @Sendable (ReferenceEvent) -> Void
    ) {
        name = "gpsd \(host):\(port)"
        let state = Locked(PPSPairing())
        client = GPSDClient(
            host: host, port: port, initialBackoffMilliseconds: initialBackoffMilliseconds,
            maximumBackoffMilliseconds: maximumBackoffMilliseconds
        ) { report in
            switch report {
            case .connected: onEvent(.connected)
            case .disconnected(let reason, _): onEvent(.disconnected(reason: reason))
            case .rejected(let reason): onEvent(.rejectedReport(reason: reason))
            default: break
            }
            let pairs = state.withLock { $0.add(report) }
            for pair in pairs {
                onEvent(.sample(Self.sample(pair, systemToClock: systemToClock)))
            }
        }
    }

    /// The reference sample of a paired pulse.
    static func sample(_ pair: PPSPairing.Pair, systemToClock: (PTPInstant) -> PTPInstant) -> ReferenceSample {
        ReferenceSample(
            edge: systemToClock(PTPInstant(pair.pulse.clock)), utcSecond: pair.pulse.real.seconds,
            fixMode: GNSSFixMode(rawValue: pair.fix.mode) ?? .unknown, satellitesUsed: pair.satellitesUsed,
            gpsMinusUTC: pair.fix.leapSeconds)
    }

    public func start() throws(ReferenceError) {
        client.start()
    }

    public func stop() {
        client.stop()
    }
}

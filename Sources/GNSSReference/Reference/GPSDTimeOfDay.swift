import LinuxPlatform
import PTPCore

/// Time of day from gpsd for references whose edges come from a device (kernel PPS, PHC external
/// timestamps): a ``GPSDClient`` feeding a ``TimeOfDayLabeller`` with each report's arrival time.
final class GPSDTimeOfDay: Sendable {
    let client: GPSDClient
    private let labeller: Locked<TimeOfDayLabeller>

    init(host: String, port: String, onEvent: @escaping @Sendable (ReferenceEvent) -> Void) {
        let labeller = Locked(TimeOfDayLabeller())
        self.labeller = labeller
        client = GPSDClient(host: host, port: port) { report in
            let arrival = systemNow()
            labeller.withLock { $0.add(report, arrival: arrival) }
            switch report {
            case .connected: onEvent(.connected)
            case .disconnected(let reason, _): onEvent(.disconnected(reason: reason))
            case .rejected(let reason): onEvent(.rejectedReport(reason: reason))
            default: break
            }
        }
    }

    /// The label of an edge at system time `edge`.
    func label(edgeSystemTime edge: PTPInstant) -> Result<(second: Int64, fix: GNSSFix, satellitesUsed: Int?), ReferenceError> {
        labeller.withLock { $0.label(edgeSystemTime: edge) }
    }

    /// The sample for an edge read as `edge` on the disciplined clock and at `system` on the system clock.
    func sample(edge: PTPInstant, system: PTPInstant) -> ReferenceEvent {
        switch label(edgeSystemTime: system) {
        case .success(let label):
            return .sample(
                ReferenceSample(
                    edge: edge, utcSecond: label.second, fixMode: GNSSFixMode(rawValue: label.fix.mode) ?? .unknown,
                    satellitesUsed: label.satellitesUsed, gpsMinusUTC: label.fix.leapSeconds))
        case .failure(let error):
            return .unlabelledEdge(reason: error.description)
        }
    }
}

/// `CLOCK_REALTIME` now (LinuxPlatform's reading; the epoch if the kernel refused, which it does not).
func systemNow() -> PTPInstant {
    (try? VirtualClock.realtime()) ?? .epoch
}

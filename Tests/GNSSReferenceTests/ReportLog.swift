import Foundation
import Synchronization

/// Reports collected from a client's thread, with a bounded wait.
final class ReportLog: Sendable {
    private let entries = Mutex<[(at: ContinuousClock.Instant, report: GPSDReportBox)]>([])

    struct GPSDReportBox: Sendable { let value: Any & Sendable }

    func append(_ value: any Sendable) {
        entries.withLock { $0.append((ContinuousClock.now, GPSDReportBox(value: value))) }
    }

    func all<T>(_: T.Type = T.self) -> [T] {
        entries.withLock { $0.compactMap { $0.report.value as? T } }
    }

    func count() -> Int { entries.withLock { $0.count } }

    /// Polls every 50 ms until `condition` holds or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

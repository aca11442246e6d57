import LinuxPlatform
import PTPCore
import Synchronization

/// A base clock the test moves by hand, so no test sleeps.
final class ManualTime: Sendable {
    private let instant: Mutex<PTPInstant>

    init(_ start: PTPInstant = PTPInstant(seconds: 1_800_000_000)) {
        instant = Mutex(start)
    }

    var now: PTPInstant { instant.withLock { $0 } }

    func advance(by duration: PTPDuration) {
        instant.withLock { $0 += duration }
    }

    var source: VirtualClock.BaseTime {
        { () throws(ClockError) in self.now }
    }
}

import PTPCore
import Synchronization

@testable import MeridianDaemon

/// A clock that exists only in memory: true time is the monotonic clock since the fake was made (on an
/// arbitrary epoch), and the fake runs `frequencyError` fast plus whatever adjustment the daemon sets, from
/// `initialOffset`. Its true error is known exactly, so tests bound it.
final class FakeClock: PTPClock {
    let name: String
    let maxFrequency = PartsPerBillion(500_000)
    private struct State {
        /// True time and the fake's reading at the last change of rate or phase.
        var trueBase: PTPInstant
        var readingBase: PTPInstant
        var adjustment: PartsPerBillion = .zero
        var steps = 0
    }
    /// One origin for every fake, so they share true time.
    private static let origin = ContinuousClock.now
    private let epoch = PTPInstant(seconds: 1_800_000_000)
    private let frequencyError: Double
    private let state: Mutex<State>

    init(name: String, initialOffset: PTPDuration = .zero, frequencyError ppb: Double = 0) {
        self.name = name
        frequencyError = ppb
        state = Mutex(State(trueBase: epoch, readingBase: epoch + initialOffset))
    }

    /// True time now.
    var trueNow: PTPInstant {
        let elapsed = ContinuousClock.now - Self.origin
        return epoch + .nanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    private func reading(_ s: State, at now: PTPInstant) -> PTPInstant {
        let elapsed = now - s.trueBase
        return s.readingBase + elapsed + .nanoseconds(elapsed.nanosecondsDouble * (frequencyError + s.adjustment.value) / 1e9)
    }

    func now() throws(ClockError) -> PTPInstant {
        reading(atTrue: trueNow)
    }

    /// What the fake read at true time `t` (a stamp taken then).
    func reading(atTrue t: PTPInstant) -> PTPInstant {
        state.withLock { reading($0, at: t) }
    }

    func frequency() throws(ClockError) -> PartsPerBillion {
        state.withLock { $0.adjustment }
    }

    func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        let t = trueNow
        state.withLock {
            $0.readingBase = reading($0, at: t)
            $0.trueBase = t
            $0.adjustment = adjustment
        }
    }

    func step(by offset: PTPDuration) throws(ClockError) {
        let t = trueNow
        state.withLock {
            $0.readingBase = reading($0, at: t) + offset
            $0.trueBase = t
            $0.steps += 1
        }
    }

    var steps: Int { state.withLock { $0.steps } }

    /// The fake's reading minus true time.
    var trueError: PTPDuration {
        let t = trueNow
        return state.withLock { reading($0, at: t) } - t
    }

    /// The daemon's view of it: transport stamps are already in the fake's time.
    var source: ClockSource {
        ClockSource(
            clock: self, timescale: .utc, steerable: true, description: "fake clock \(name)",
            trueError: { [self] in trueError })
    }
}

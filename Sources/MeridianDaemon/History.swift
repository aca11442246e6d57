import PTPCore
import PTPEngine
import PTPServo
import Synchronization

/// The last minutes of offset, path delay and frequency for the status page's chart: one sample a second
/// read from the clock actor's published state (no hop onto the actor), kept in a ring of fixed size so the
/// daemon's memory does not grow with its uptime. Served as `/history.json`.
final class History: Sendable {
    /// Ten minutes at one sample a second.
    static let capacity = 600

    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var offsetNanoseconds: Double
        var pathDelayNanoseconds: Double
        var frequencyPPB: Double
        /// A grandmaster's last PPS edge offset from its clock (0 without a reference).
        var ppsOffsetNanoseconds: Double
    }

    private struct Ring {
        var samples: [Sample] = []
        /// Where the next sample goes once the ring is full.
        var next = 0
    }

    private let ring = Mutex(Ring())

    func record(_ state: PublishedState, at now: ContinuousClock.Instant = .now) {
        let engine = state.engine
        let sample = Sample(
            at: now, offsetNanoseconds: engine.currentDS.offsetFromMaster.nanosecondsDouble,
            pathDelayNanoseconds: engine.currentDS.meanPathDelay.nanosecondsDouble,
            frequencyPPB: engine.clock.discipline.servo.lastFrequency.value,
            ppsOffsetNanoseconds: engine.clock.reference?.lastOffset?.nanosecondsDouble ?? 0)
        ring.withLock { ring in
            if ring.samples.count < Self.capacity {
                ring.samples.append(sample)
            } else {
                ring.samples[ring.next] = sample
                ring.next = (ring.next + 1) % Self.capacity
            }
        }
    }

    /// The samples, oldest first.
    func samples() -> [Sample] {
        ring.withLock { ring in Array(ring.samples[ring.next...] + ring.samples[..<ring.next]) }
    }

    /// `/history.json`: parallel arrays, oldest first; `secondsAgo` counts back from the moment of the request.
    struct Document: Codable, Sendable {
        var secondsAgo: [Double] = []
        var offsetNs: [Double] = []
        var pathDelayNs: [Double] = []
        var frequencyPPB: [Double] = []
        var ppsOffsetNs: [Double] = []
    }

    func document(now: ContinuousClock.Instant = .now) -> Document {
        var document = Document()
        for sample in samples() {
            let age = now - sample.at
            document.secondsAgo.append(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
            document.offsetNs.append(Self.finite(sample.offsetNanoseconds))
            document.pathDelayNs.append(Self.finite(sample.pathDelayNanoseconds))
            document.frequencyPPB.append(Self.finite(sample.frequencyPPB))
            document.ppsOffsetNs.append(Self.finite(sample.ppsOffsetNanoseconds))
        }
        return document
    }

    /// JSON has no NaN or infinity.
    private static func finite(_ value: Double) -> Double { value.isFinite ? value : 0 }
}

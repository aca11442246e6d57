import GNSSReference
import LinuxPlatform
import PTPCore
import PTPEngine
import PTPServo
import Synchronization

/// A base clock moved by hand, so a 6-minute run takes milliseconds.
final class ManualBase: Sendable {
    private let instant: Mutex<PTPInstant>
    init(_ start: PTPInstant) { instant = Mutex(start) }
    var now: PTPInstant { instant.withLock { $0 } }
    func set(_ value: PTPInstant) { instant.withLock { $0 = value } }
    var source: VirtualClock.BaseTime { { () throws(ClockError) in self.now } }
}

/// The grandmaster's loop without the daemon: simulated GNSS → ReferenceDiscipline (validator, PI servo,
/// holdover model, state) → a VirtualClock over a manual base time, one step per simulated second. The base
/// time is the truth, so the clock's true error is known at every step.
struct SimulatedLoop {
    struct Record {
        var second: Int64
        var trueError: Double  // ns
        var state: GrandmasterClockState
        var predicted: Double?  // ns
    }

    let base: ManualBase
    let clock: VirtualClock
    var gnss: SimulatedGNSS
    var discipline: ReferenceDiscipline
    var records: [Record] = []
    var changes: [GrandmasterStateChange] = []
    var steps: [PTPDuration] = []
    var second: Int64

    init(
        jitter: Double, seed: UInt64, outageAfter: Int64?, outageDuration: Int64, offset: Double = 0.3, ppm: Double = 30,
        wander: VirtualClockConfiguration.Wander? = nil, holdover: HoldoverConfiguration = HoldoverConfiguration()
    ) throws {
        let start: Int64 = 1_800_000_000
        base = ManualBase(PTPInstant(seconds: start))
        clock = try VirtualClock(
            configuration: VirtualClockConfiguration(offsetSeconds: offset, frequencyPPM: ppm, wander: wander),
            baseTime: base.source)
        gnss = SimulatedGNSS(
            configuration: SimulatedGNSS.Configuration(
                jitterNanoseconds: jitter, outageAfter: outageAfter.map { .seconds($0) },
                outageDuration: .seconds(outageDuration), seed: seed),
            start: start)
        let configuration = ReferenceDisciplineConfiguration(holdover: holdover, timescale: .utc)
        discipline = ReferenceDiscipline(configuration: configuration, servo: SelectedServo(.pi, syncInterval: 1))
        second = start
    }

    /// Runs `seconds` simulated seconds.
    mutating func run(seconds: Int) throws {
        for _ in 0..<seconds {
            second += 1
            // The pulse of this second is handled 1 ms after it, as a daemon would.
            base.set(PTPInstant(seconds: second, nanoseconds: 1_000_000))
            if let pulse = gnss.pulse(second: second) {
                let sample = gnss.sample(pulse, systemToClock: { clock.convert(systemTimestamp: $0) })
                try apply(discipline.sample(sample))
            }
            try apply(discipline.tick(now: clock.now()))
            records.append(
                Record(
                    second: second, trueError: try clock.trueError().nanosecondsDouble, state: discipline.state,
                    predicted: discipline.predictedError?.nanosecondsDouble))
        }
    }

    mutating func apply(_ out: ReferenceDisciplineOutput) throws {
        if let step = out.step {
            try clock.step(by: step)
            steps.append(step)
        }
        if let frequency = out.frequency { try clock.adjustFrequency(frequency) }
        if let change = out.stateChange { changes.append(change) }
    }

    /// RMS and max |true error| over records `range` (indices).
    func statistics(_ range: Range<Int>) -> (rms: Double, max: Double) {
        let slice = records[range]
        let sum = slice.reduce(0) { $0 + $1.trueError * $1.trueError }
        return ((sum / Double(slice.count)).squareRoot(), slice.map { abs($0.trueError) }.max() ?? 0)
    }
}

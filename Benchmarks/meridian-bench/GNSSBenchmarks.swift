import GNSSReference
import LinuxPlatform
import PTPCore
import PTPEngine
import PTPServo
import Synchronization

/// GNSS reference benchmark: the grandmaster's true time error against the simulated reference (issue 6).
///
/// Runs in SIMULATED time: a VirtualClock (0.3 s and 30 ppm off at start) over a base clock this function
/// moves one second per pulse, disciplined by ReferenceDiscipline (validator, PI servo, holdover model)
/// from SimulatedGNSS with 50 ns of jitter. The base clock is the truth, so the true error is exact. Per
/// oscillator: RMS and max over 5 minutes locked (after 2 minutes to settle), then a 320 s outage: the true
/// error after 60 s and 300 s of holdover next to the model's prediction. Called from main.swift.
func runGNSSBenchmarks() {
    print(
        "GNSS reference: simulated time, 50 ns PPS jitter, PI servo, VirtualClock from 0.3 s / 30 ppm; 5 min locked, then a 320 s outage (prediction = model 1σ)"
    )
    print(
        pad("oscillator", 32) + pad("locked RMS", 12) + pad("locked max", 12) + pad("HO 60 s true", 14) + pad("predicted", 11)
            + pad("HO 300 s true", 15) + pad("predicted", 11) + "class at 300 s")
    let rows: [(String, VirtualClockConfiguration.Wander?, Double)] = [
        ("no wander", nil, 0),
        (
            "wander 0.05 ppb/s (q = 0.0025)",
            VirtualClockConfiguration.Wander(stepDeviation: PartsPerBillion(0.05), bound: PartsPerBillion(1_000), seed: 3), 0.0025
        ),
        (
            "wander 0.5 ppb/s (q = 0.25)",
            VirtualClockConfiguration.Wander(stepDeviation: PartsPerBillion(0.5), bound: PartsPerBillion(1_000), seed: 3), 0.25
        ),
    ]
    for (name, wander, q) in rows {
        do {
            let r = try benchmarkHoldover(wander: wander, randomWalkNoise: q)
            print(
                pad(name, 32) + pad(ns(r.lockedRMS), 12) + pad(ns(r.lockedMax), 12) + pad(ns(r.true60), 14)
                    + pad(ns(r.predicted60), 11)
                    + pad(ns(r.true300), 15) + pad(ns(r.predicted300), 11) + String(r.class300))
        } catch {
            print(pad(name, 32) + "failed: \(error)")
        }
    }
}

private func ns(_ value: Double) -> String { String(Int(value.rounded())) + " ns" }

private final class BenchBase: Sendable {
    private let instant: Mutex<PTPInstant>
    init(_ start: PTPInstant) { instant = Mutex(start) }
    var now: PTPInstant { instant.withLock { $0 } }
    func set(_ value: PTPInstant) { instant.withLock { $0 = value } }
}

private struct HoldoverRow {
    var lockedRMS = 0.0, lockedMax = 0.0
    var true60 = 0.0, predicted60 = 0.0, true300 = 0.0, predicted300 = 0.0
    var class300: UInt8 = 0
}

private func benchmarkHoldover(wander: VirtualClockConfiguration.Wander?, randomWalkNoise: Double) throws -> HoldoverRow {
    let start: Int64 = 1_800_000_000
    let settle: Int64 = 120
    let locked: Int64 = 300
    let outage: Int64 = 320
    let base = BenchBase(PTPInstant(seconds: start))
    let clock = try VirtualClock(
        configuration: VirtualClockConfiguration(offsetSeconds: 0.3, frequencyPPM: 30, wander: wander),
        baseTime: { () throws(ClockError) in base.now })
    var gnss = SimulatedGNSS(
        configuration: SimulatedGNSS.Configuration(
            jitterNanoseconds: 50, outageAfter: .seconds(settle + locked), outageDuration: .seconds(outage), seed: 9),
        start: start)
    var discipline = ReferenceDiscipline(
        configuration: ReferenceDisciplineConfiguration(
            holdover: HoldoverConfiguration(randomWalkNoise: randomWalkNoise), timescale: .utc),
        servo: SelectedServo(.pi, syncInterval: 1))
    func apply(_ out: ReferenceDisciplineOutput) throws {
        if let step = out.step { try clock.step(by: step) }
        if let frequency = out.frequency { try clock.adjustFrequency(frequency) }
    }
    var row = HoldoverRow()
    var squares = 0.0
    var holdoverStart: Int64?
    for second in (start + 1)...(start + settle + locked + outage - 1) {
        base.set(PTPInstant(seconds: second, nanoseconds: 1_000_000))
        if let pulse = gnss.pulse(second: second) {
            try apply(discipline.sample(gnss.sample(pulse, systemToClock: { clock.convert(systemTimestamp: $0) })))
        }
        let out = discipline.tick(now: try clock.now())
        try apply(out)
        if out.stateChange?.to == .holdoverWithinSpecification || out.stateChange?.to == .holdoverOutOfSpecification,
            holdoverStart == nil
        {
            holdoverStart = second
        }
        let error = try clock.trueError().nanosecondsDouble
        let elapsed = second - start
        if elapsed > settle && elapsed <= settle + locked {
            squares += error * error
            row.lockedMax = max(row.lockedMax, abs(error))
        }
        if let holdoverStart {
            if second - holdoverStart == 60 {
                row.true60 = abs(error)
                row.predicted60 = discipline.predictedError?.nanosecondsDouble ?? .nan
            }
            if second - holdoverStart == 300 {
                row.true300 = abs(error)
                row.predicted300 = discipline.predictedError?.nanosecondsDouble ?? .nan
                row.class300 = discipline.quality.clockQuality.clockClass
            }
        }
    }
    row.lockedRMS = (squares / Double(locked)).squareRoot()
    return row
}

import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation

/// Offsets sampled over a run: time to lock and steady-state figures.
struct OffsetTrace {
    var samples: [(t: Double, offset: Double)] = []

    mutating func add(t: Double, offset: PTPDuration) {
        samples.append((t, offset.nanosecondsDouble))
    }

    /// The first time after which every sample stays within `bound` ns; nil if it never settles.
    func timeToStayWithin(_ bound: Double) -> Double? {
        guard let last = samples.lastIndex(where: { abs($0.offset) >= bound }) else { return samples.first?.t }
        return last + 1 < samples.count ? samples[last + 1].t : nil
    }

    /// RMS and max |offset| of the samples from time `from` on.
    func steadyState(from: Double) -> (rms: Double, max: Double, count: Int) {
        let tail = samples.filter { $0.t >= from }
        guard !tail.isEmpty else { return (.infinity, .infinity, 0) }
        let sumSquares = tail.reduce(0) { $0 + $1.offset * $1.offset }
        return ((sumSquares / Double(tail.count)).squareRoot(), tail.map { abs($0.offset) }.max() ?? 0, tail.count)
    }
}

enum Scenarios {
    static func grandmaster(_ number: Int, priority1: UInt8 = 128, logSync: Int8 = 0, stampNoise: Double = 50) -> SimulatedClock {
        var gm = SimulatedClock(number: number)
        gm.priority1 = priority1
        gm.clockQuality = ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D)
        gm.stampNoise = stampNoise
        gm.port = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(logSync))
        return gm
    }

    static func slave(
        _ number: Int, servo: ServoKind = .pi, logSync: Int8 = 0, stampNoise: Double = 50,
        ppm: Double = 100, offset: PTPDuration = .seconds(Int64(1)), wander: Double = 0
    ) -> SimulatedClock {
        var clock = SimulatedClock(number: number)
        clock.servo = servo
        clock.frequencyError = .ppm(ppm)
        clock.initialOffset = offset
        clock.stampNoise = stampNoise
        clock.wander = wander
        clock.port = PortConfiguration(portNumber: 1, logSyncInterval: LogInterval(logSync))
        return clock
    }
}

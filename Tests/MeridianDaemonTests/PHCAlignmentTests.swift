import LinuxPlatform
import PTPCore
import PTPServo
import Synchronization
import Testing

@testable import MeridianDaemon

/// `boundary_clock_jbod`: two emulated PHCs on a base clock the test moves by hand (no sleeps), one the
/// disciplined clock (50 ms and +30 ppm off), the other a port's (20 ms and −25 ppm off), related through
/// their sys-offset reads exactly as two `/dev/ptpN` would be.
@Suite("jbod: a port's PHC aligned to the disciplined clock, its stamps converted")
struct PHCAlignmentTests {
    final class Base: Sendable {
        private let instant = Mutex(PTPInstant(seconds: 1_800_000_000))
        var now: PTPInstant { instant.withLock { $0 } }
        func advance(by duration: PTPDuration) { instant.withLock { $0 += duration } }
        var source: VirtualClock.BaseTime { { () throws(ClockError) in self.now } }
    }

    struct Rig {
        let base = Base()
        let disciplined: EmulatedPHCDevice
        let portPHC: EmulatedPHCDevice
        var alignment: PHCAlignment

        init() throws {
            disciplined = try EmulatedPHCDevice(
                configuration: VirtualClockConfiguration(name: "emulated PHC", offsetSeconds: 0.05, frequencyPPM: 30),
                taiMinusUTC: 37, baseTime: base.source)
            portPHC = try EmulatedPHCDevice(
                configuration: VirtualClockConfiguration(name: "emulated PHC 1", offsetSeconds: 0.02, frequencyPPM: -25),
                taiMinusUTC: 37, readModel: EmulatedPHCDevice.ReadModel(seed: 2), baseTime: base.source)
            let clock = try PHCClock(device: disciplined)
            let phc = try PHCClock(device: portPHC)
            let (d, p) = (disciplined, portPHC)
            alignment = PHCAlignment(
                aligned: [
                    PHCAlignment.Aligned(
                        ports: [1], phc: phc, relation: SystemClockRelation(.measured(phc, samples: 5)),
                        reading: { p.hardwareStamp(systemTimestamp: $0) },
                        trueOffset: { (try? p.trueError()).flatMap { own in (try? d.trueError()).map { own - $0 } } },
                        servo: PHCAlignment.servo(for: phc, settings: ServoConfiguration(stepThreshold: .milliseconds(1))))
                ], disciplined: SystemClockRelation(.measured(clock, samples: 5)))
        }

        /// PHC 1 − disciplined PHC, as the lab knows it.
        var trueOffset: PTPDuration {
            get throws { try portPHC.trueError() - disciplined.trueError() }
        }
    }

    @Test("a port's stamp becomes the disciplined PHC's reading, though the two PHCs are 30 ms and 55 ppm apart")
    func conversion() throws {
        var rig = try Rig()
        rig.base.advance(by: .seconds(Int64(10)))
        #expect(try abs(rig.trueOffset.nanosecondsDouble) > 29_000_000)
        // A stamp 2 ms old: what the disciplined PHC read then, within the two read windows' jitter (the 100 ns
        // asymmetry of each read cancels: both PHCs are read the same way) and the 55 ppm × 2 ms the offset aged.
        let stamp = rig.base.now - .milliseconds(2)
        let result = rig.alignment.convert(stamp, port: 1)
        let converted = try #require(result)
        let truth = rig.disciplined.hardwareStamp(systemTimestamp: stamp)
        #expect(abs((converted - truth).nanosecondsDouble) < 500, "converted \(converted), disciplined read \(truth)")
        // Port 0 stamps with the disciplined clock itself: no conversion here.
        let own = rig.alignment.convert(stamp, port: 0)
        #expect(own == nil)
    }

    @Test("free_running: the PHCs are measured, never adjusted")
    func freeRunning() throws {
        var rig = try Rig()
        let before = try rig.trueOffset
        var lines: [String] = []
        for _ in 0..<3 {
            rig.base.advance(by: .seconds(Int64(1)))
            lines += rig.alignment.tick(steer: false)
        }
        // 55 ppm apart for 3 s: 165 µs more, nothing taken out.
        let drift = try (rig.trueOffset - before).nanosecondsDouble
        #expect(abs(drift + 165_000) < 1_000, "drift \(drift) ns")
        #expect(lines.allSatisfy { $0.contains("free_running: not adjusted") }, "\(lines)")
        #expect(rig.alignment.aligned[0].steps == 0 && rig.alignment.aligned[0].lastOffset != nil)
    }

    @Test("the alignment servo pulls PHC 1 onto the disciplined PHC, and a step of the disciplined PHC is followed")
    func alignment() throws {
        var rig = try Rig()
        var lines: [String] = []
        for _ in 0..<12 {
            rig.base.advance(by: .seconds(Int64(1)))
            lines += rig.alignment.tick()
        }
        let offset = try rig.trueOffset
        #expect(abs(offset.nanosecondsDouble) < 300, "after 12 ticks: \(offset)\n\(lines.joined(separator: "\n"))")
        #expect(lines.last?.contains("phc offset") == true && lines.last?.contains("s2") == true, "\(lines)")
        #expect(rig.alignment.aligned[0].steps == 1)
        // The disciplined PHC is stepped by the servo (−37 s, say): PHC 1 goes with it at once.
        try PHCClock(device: rig.disciplined).step(by: .seconds(Int64(-37)))
        #expect(rig.alignment.disciplinedStepped(by: .seconds(Int64(-37))).isEmpty)
        #expect(try abs(rig.trueOffset.nanosecondsDouble) < 300)
        // The locked servo goes on undisturbed: its time base is the system clock, not the PHC that jumped 37 s.
        for _ in 0..<5 {
            rig.base.advance(by: .seconds(Int64(1)))
            lines += rig.alignment.tick()
        }
        #expect(try abs(rig.trueOffset.nanosecondsDouble) < 300, "\(lines.suffix(5).joined(separator: "\n"))")
        #expect(rig.alignment.aligned[0].steps == 1, "\(lines.suffix(5).joined(separator: "\n"))")
    }
}

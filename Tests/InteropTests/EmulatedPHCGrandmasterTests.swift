import Foundation
import Testing

/// A Meridian grandmaster on an emulated PHC (`virtual_clock_mode phc`: TAI, 0.3 s and 30 ppm off, read and
/// adjusted only through the PHC ioctl surface, its reference stamps carried from CLOCK_REALTIME through the
/// sys-offset relation), seen by a ptp4l slave (free_running) through pmc. Issue 13.
struct EmulatedPHCGrandmasterTests {
    @Test func aSimulatedReferenceDisciplinesAnEmulatedPHCToTAIAndThePtp4lSlaveSeesTheRightTime() throws {
        let lab = try InteropLab()
        defer { lab.tearDown() }
        try lab.startGrandmasterAndSlave(
            reference:
                "virtual_clock_mode phc\nreference simulated\nsim_gnss_jitter_ns 50\nphc_pps_out_channel 0\nphc_pps_out_pin 0")
        let locked = lab.wait(seconds: 40) { lab.log("gm.log").contains("announcing clockClass 6") }
        #expect(locked, "the emulated PHC did not lock:\n\(lab.log("gm.log").suffix(3000))")
        guard locked else { return }
        let log = lab.log("gm.log")
        // The front panel's 1 PPS was requested on the PHC's whole seconds through the PHC's own ioctls.
        #expect(log.contains("1 PPS out: emulated PHC channel 0 on pin 0, first edge at PHC second"), "\(log.prefix(2000))")
        // The relation: extended sys-offset (the emulation refuses PRECISE, as a PHC without cross-timestamps),
        // offset TAI − UTC + the initial 0.3 s, and a read window as its uncertainty.
        let relation = log.split(separator: "\n").first {
            $0.contains("reference: CLOCK_REALTIME -> emulated PHC through extended")
        }
        #expect(relation != nil, "\(log.prefix(3000))")
        #expect(relation.map { $0.contains("offset 37.3") } == true, "\(String(describing: relation))")
        // Bounds fixed before the run: the emulation's window is 1.2–1.6 µs, so the announced accuracy must
        // cover it (0x24, within 2.5 µs) and not be tighter.
        var answer = ""
        _ = lab.wait(seconds: 10) {
            answer = (try? lab.slaveView()) ?? ""
            return InteropLab.field(answer, "gm.ClockClass") == "6"
        }
        #expect(InteropLab.field(answer, "gm.ClockClass") == "6", "pmc said:\n\(answer)")
        #expect(InteropLab.field(answer, "gm.ClockAccuracy") == "0x24", "pmc said:\n\(answer)")
        #expect(InteropLab.field(answer, "currentUtcOffset") == "37")
        #expect(InteropLab.field(answer, "ptpTimescale") == "1")
        // The slave is on the system clock (UTC) and applies the UTC offset: the PHC sent TAI.
        let offset = InteropLab.field(answer, "offsetFromMaster").flatMap(Double.init)
        #expect(offset.map { abs($0) < 50_000 } == true, "offsetFromMaster \(String(describing: offset))")
        // The emulated PHC's true error against TAI, 12 reference samples after the lock: p95 (the 12th of 12) under 200 ns.
        let before = InteropLab.trueErrors(lab.log("gm.log")).count
        _ = lab.wait(seconds: 16) { InteropLab.trueErrors(lab.log("gm.log")).count >= before + 12 }
        let window = Array(InteropLab.trueErrors(lab.log("gm.log")).dropFirst(before).prefix(12)).map { abs($0) }.sorted()
        #expect(window.count == 12, "\(lab.log("gm.log").suffix(2000))")
        let p95 = window.isEmpty ? Int64.max : window[min(window.count - 1, (window.count * 95 + 99) / 100 - 1)]
        print("emulated PHC on simulated GNSS: true error |p95| \(p95) ns of \(window); relation: \(relation ?? "")")
        #expect(p95 < 200, "true errors \(window)")
    }
}

import Foundation
import MeridianTestSupport
import Testing

/// Issue 13: gpsd's stamps (CLOCK_REALTIME) reach an emulated PHC (TAI) through the sys-offset relation as
/// exactly as they reach a plain virtual clock through its own timeline. One real gpsd 3.22 (our harness:
/// NMEA on a pty, a simulated DCD pulse that wakes gpsd's PPS thread 85–200 µs late with ~300 µs of spread)
/// feeds two meridiand grandmasters side by side in one namespace, the same in all but the clock: one on an
/// emulated PHC (`virtual_clock_mode phc`), one on a virtual clock over CLOCK_REALTIME, both started 0.3 s
/// and 30 ppm off, on separate domains so neither follows the other. Both take the same pulses, so both carry
/// the same lateness; what may differ between them is the crossing onto the PHC, whose uncertainty the PHC
/// grandmaster announces. A comparison, not a 1 µs bound on either: the harness's pulse is that late.
/// (By hand, one at a time, the two had read −48…−57 µs and −68…−77 µs: different runs of gpsd.)
struct GPSDEmulatedPHCComparisonTests {
    /// Reference samples compared, once both are locked (one a second).
    static let samples = 12
    /// Beyond the announced uncertainty: the two servos sample, adjust and log on their own threads a few
    /// milliseconds apart (each clock's residual rate is ppb once locked, so nanoseconds), and the PHC's
    /// crossing is measured afresh at each stamp (its jitter, ±0.1 µs, averages over the samples); 1 µs.
    static let margin: Int64 = 1_000

    @Test func gpsdGivesAnEmulatedPHCTheTimeItGivesAVirtualClockWithinTheAnnouncedUncertainty() throws {
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        let gpsd = try GPSDHarness(namespace: lab.lab.b.namespace)
        defer {
            gpsd.shutDown()
            lab.tearDown()
        }
        try gpsd.startFeed()
        try gpsd.startGPSD()
        // As GrandmasterGPSDTests: gnss_lock_threshold 300 µs for the harness's late, spread pulse.
        func config(_ name: String, domain: Int, clock: String) throws -> String {
            try lab.write(
                "\(name).conf",
                """
                [global]
                clock_device virtual
                \(clock)
                virtual_clock_offset 0.3
                virtual_clock_freq_ppm 30
                time_stamping software
                network_transport L2
                domainNumber \(domain)
                reference gpsd
                gpsd_address 127.0.0.1:\(gpsd.port)
                gnss_lock_threshold 300000
                verbose 1
                use_syslog 0
                http_address none
                uds_address \(lab.file("\(name).sock").path)
                uds_ro_address \(lab.file("\(name)-ro.sock").path)
                [\(lab.lab.b.interface)]
                """)
        }
        let phcConf = try config("phc", domain: 1, clock: "virtual_clock_mode phc")
        let virtualConf = try config("virtual", domain: 2, clock: "virtual_clock_mode realtime")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", phcConf], log: "phc.log")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", virtualConf], log: "virtual.log")
        let dump = { "\(lab.log("phc.log").suffix(2500))\n--- virtual:\n\(lab.log("virtual.log").suffix(2000))" }
        // Each locks in 20–40 s alone; beside other interop tests on a loaded machine gpsd's feed runs late too.
        let locked = lab.wait(seconds: 90) {
            lab.log("phc.log").contains("announcing clockClass 6") && lab.log("virtual.log").contains("announcing clockClass 6")
        }
        #expect(locked, "not both locked to gpsd:\n\(dump())")
        guard locked else { return }
        // The uncertainty the PHC grandmaster measured for the crossing and put in its clockAccuracy.
        let relation = lab.log("phc.log").split(separator: "\n").first {
            $0.contains("reference: CLOCK_REALTIME -> emulated PHC")
        }
        let uncertainty = relation.flatMap { line in
            line.range(of: "uncertainty ").flatMap { Int64(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(uncertainty.map { $0 > 0 && $0 < 10_000 } == true, "\(String(describing: relation))")
        let (phcBefore, virtualBefore) = (
            InteropLab.trueErrors(lab.log("phc.log")).count, InteropLab.trueErrors(lab.log("virtual.log")).count
        )
        _ = lab.wait(seconds: Double(Self.samples + 8)) {
            InteropLab.trueErrors(lab.log("phc.log")).count >= phcBefore + Self.samples
                && InteropLab.trueErrors(lab.log("virtual.log")).count >= virtualBefore + Self.samples
        }
        let phc = Array(InteropLab.trueErrors(lab.log("phc.log")).dropFirst(phcBefore).prefix(Self.samples))
        let virtual = Array(InteropLab.trueErrors(lab.log("virtual.log")).dropFirst(virtualBefore).prefix(Self.samples))
        #expect(phc.count == Self.samples && virtual.count == Self.samples, "\(phc) \(virtual)\n\(dump())")
        guard phc.count == Self.samples, virtual.count == Self.samples, let uncertainty else { return }
        let mean = { (values: [Int64]) in values.reduce(0, +) / Int64(values.count) }
        let difference = mean(phc) - mean(virtual)
        print(
            "gpsd grandmaster: emulated PHC true error mean \(mean(phc)) ns \(phc); virtual clock mean \(mean(virtual)) ns \(virtual); difference \(difference) ns, announced conversion uncertainty \(uncertainty) ns"
        )
        #expect(
            abs(difference) <= uncertainty + Self.margin,
            "emulated PHC \(mean(phc)) ns vs virtual \(mean(virtual)) ns: \(difference) ns apart, beyond \(uncertainty) + \(Self.margin) ns"
        )
    }
}

import Foundation
import LinuxPlatform
import Logging
import MeridianConfig
import MeridianTestSupport
import PTPCore
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// Issue 13: a grandmaster whose second port stamps with a PHC of its own (`boundary_clock_jbod`) serves, on
/// that port, times that crossed PHC to PHC: the widest such window is part of its announced error. Emulated
/// PHCs (1.2–1.6 µs read windows each): the reference's crossing (one window) and the jbod crossing (two
/// windows, 2.4–3.2 µs) make 3.6–4.8 µs, so clockAccuracy 0x25 (within 10 µs), not the 0x24 (2.5 µs) the same
/// grandmaster announces with one PHC (``ConversionRemeasureSeamTests``).
@Suite(.serialized) struct JBODGrandmasterSeamTests {
    @Test func theJBODPortsPHCToPHCWindowIsPartOfTheAnnouncedAccuracy() async throws {
        let directory = NSTemporaryDirectory() + "meridian-jbod-gm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { ScratchDirectory.remove(directory) }
        let path = directory + "/gm.conf"
        try """
        [global]
        clock_device virtual
        virtual_clock_mode phc
        time_stamping software
        boundary_clock_jbod 1
        logSyncInterval -4
        logAnnounceInterval -2
        uds_address \(directory)/gm.sock
        uds_ro_address \(directory)/gm.ro.sock
        http_address none
        reference simulated
        sim_gnss_jitter_ns 50
        verbose 1
        [fake-gm-a]
        [fake-gm-b]
        phc_index 1
        virtual_clock_freq_ppm -25

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let options = DaemonOptions(configFile: path)
        let configuration = try ConfigurationLoader.load(options).get()
        let device = try EmulatedPHCDevice(
            configuration: VirtualClockConfiguration(name: "emulated PHC", offsetSeconds: 0.00002, frequencyPPM: 2),
            taiMinusUTC: 37)
        let phc = try PHCClock(device: device)
        let source = ClockSource(
            clock: phc, timescale: .tai, steerable: true, description: "emulated PHC",
            convert: { device.hardwareStamp(systemTimestamp: $0) }, trueError: { try? device.trueError() },
            relation: SystemClockRelation(.measured(phc, samples: 5)))
        let wire = FakeClock(name: "wire")
        let ports = [
            FakePortChannel(mac: [0x02, 0, 0, 0, 0, 0x41], clock: wire),
            FakePortChannel(mac: [0x02, 0, 0, 0, 0, 0x42], clock: wire),
        ]
        let factories = DaemonFactories(
            openClock: { _ in source }, openPort: { index, _ in ports[index] }, reloadRequests: { AsyncStream { _ in } })
        let log = LogCapture()
        let service = MeridianService(options: options, configuration: configuration, logger: log.logger, factories: factories)
        let group = ServiceGroup(services: [service], logger: Logger(label: "jbod-gm-seam"))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        let window = await log.wait(for: "the jbod ports' PHC-to-PHC window", seconds: 5)
        #expect(window != nil, "\(log.all.suffix(20).joined(separator: "\n"))")
        if let window {
            let line = log.all[window]
            let value = line.range(of: "window (").flatMap { Int64(line[$0.upperBound...].prefix { $0.isNumber }) }
            #expect(value.map { $0 >= 2_400 && $0 <= 3_400 } == true, "\(line)")
        }
        let locked = await log.wait(for: "announcing clockClass 6, clockAccuracy 0x25", seconds: 40)
        #expect(locked != nil, "\(log.all.suffix(30).joined(separator: "\n"))")
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}

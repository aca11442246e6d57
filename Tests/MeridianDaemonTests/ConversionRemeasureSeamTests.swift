import Foundation
import LinuxPlatform
import Logging
import MeridianConfig
import MeridianTestSupport
import PTPCore
import ServiceLifecycle
import Testing

@testable import MeridianDaemon

/// Issue 13: the crossing from `CLOCK_REALTIME` onto a PHC is re-measured while running, and the announced
/// clockAccuracy follows it. A grandmaster on an emulated PHC (through ``PHCClock``, as `virtual_clock_mode
/// phc` builds it) locks to simulated GNSS and announces 0x24 (its 1.2–1.6 µs read window: within 2.5 µs);
/// then its read path slows to 20 + 15 µs (a loaded bus), and at the next re-measurement
/// (`conversion_remeasure_interval 2`) it announces 0x27 (a 35–36 µs window: within 100 µs, not 25 µs).
@Suite(.serialized) struct ConversionRemeasureSeamTests {
    @Test func aSlowerPHCReadPathIsAnnouncedAtTheNextRemeasurement() async throws {
        let directory = NSTemporaryDirectory() + "meridian-remeasure-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { ScratchDirectory.remove(directory) }
        let path = directory + "/gm.conf"
        try """
        [global]
        logSyncInterval -4
        logAnnounceInterval -2
        uds_address \(directory)/gm.sock
        uds_ro_address \(directory)/gm.ro.sock
        http_address none
        reference simulated
        sim_gnss_jitter_ns 50
        conversion_remeasure_interval 2
        verbose 1
        [fake-gm]

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
        let port = FakePortChannel(mac: [0x02, 0, 0, 0, 0, 0x32], clock: FakeClock(name: "wire"))
        let factories = DaemonFactories(
            openClock: { _ in source }, openPort: { _, _ in port }, reloadRequests: { AsyncStream { _ in } })
        let log = LogCapture()
        let service = MeridianService(options: options, configuration: configuration, logger: log.logger, factories: factories)
        let group = ServiceGroup(services: [service], logger: Logger(label: "remeasure-seam"))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        let locked = await log.wait(for: "announcing clockClass 6, clockAccuracy 0x24", seconds: 30)
        #expect(locked != nil, "\(log.all.suffix(30).joined(separator: "\n"))")
        if let locked {
            var slow = device.readModel
            slow.latchDelay = .microseconds(20)
            slow.returnDelay = .microseconds(15)
            slow.jitter = .nanoseconds(500)
            device.setReadModel(slow)
            let remeasured = await log.wait(for: "conversion uncertainty re-measured", after: locked, seconds: 6)
            #expect(remeasured != nil, "\(log.all.suffix(20).joined(separator: "\n"))")
            let announced = await log.wait(for: "clockAccuracy 0x27", after: locked, seconds: 6)
            #expect(announced != nil, "\(log.all.suffix(20).joined(separator: "\n"))")
            if let remeasured { print("conversion re-measured (seam): \(log.all[remeasured])") }
        }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}

import Foundation
import LinuxPlatform
import Logging
import MeridianConfig
import PTPCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import MeridianDaemon

/// `CLOCK_REALTIME` as `system_clock_follower realtime` sees it, except that it never steers: it reads the
/// real system clock and records every adjustment it is told to make. The host's clock is never touched.
final class RecordingRealtimeClock: PTPClock {
    let name = "CLOCK_REALTIME"
    let maxFrequency = SystemClock.kernelMaxFrequency
    private let recorded = Mutex<(frequencies: [PartsPerBillion], steps: [PTPDuration])>(([], []))

    func now() throws(ClockError) -> PTPInstant { try VirtualClock.realtime() }
    func frequency() throws(ClockError) -> PartsPerBillion { recorded.withLock { $0.frequencies.last ?? .zero } }
    func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError) {
        recorded.withLock { $0.frequencies.append(adjustment) }
    }
    func step(by offset: PTPDuration) throws(ClockError) { recorded.withLock { $0.steps.append(offset) } }

    var frequencies: [PartsPerBillion] { recorded.withLock { $0.frequencies } }
    var steps: [PTPDuration] { recorded.withLock { $0.steps } }
}

/// Issue 13: `system_clock_follower realtime` run whole — the daemon's own branch (the two-steerers check, the
/// follower reading `CLOCK_REALTIME` as itself, the disciplined clock carried to UTC through its relation, the
/// PI servo, the tick) — with only the final `clock_adjtime` replaced through ``DaemonFactories``'s seam.
/// The disciplined clock is a real virtual clock over `CLOCK_REALTIME`, 20 µs and +2 ppm off, made a
/// grandmaster by simulated GNSS (stamped on `CLOCK_REALTIME`, so it pulls the virtual clock onto the system
/// clock). The follower's measured offset must then be CLOCK_REALTIME − the disciplined clock, which the lab
/// knows exactly: minus the virtual clock's true error.
@Suite(.serialized) struct RealtimeFollowerSeamTests {
    @Test func theRealtimeFollowerMeasuresCLOCK_REALTIMEAgainstTheDisciplinedClockAndSteersOnlyTheSeam() async throws {
        let directory = NSTemporaryDirectory() + "meridian-follower-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
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
        system_clock_follower realtime
        verbose 1
        [fake-gm]

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let options = DaemonOptions(configFile: path)
        let configuration = try ConfigurationLoader.load(options).get()
        let virtual = try VirtualClock(
            configuration: VirtualClockConfiguration(name: "virtual", offsetSeconds: 0.00002, frequencyPPM: 2))
        let source = ClockSource(
            clock: virtual, timescale: .utc, steerable: true, description: "virtual clock",
            convert: { virtual.convert(systemTimestamp: $0) }, trueError: { try? virtual.trueError() })
        let realtime = RecordingRealtimeClock()
        let port = FakePortChannel(mac: [0x02, 0, 0, 0, 0, 0x31], clock: FakeClock(name: "wire"))
        var factories = DaemonFactories(
            openClock: { _ in source }, openPort: { _, _ in port }, reloadRequests: { AsyncStream { _ in } })
        factories.openRealtimeFollower = { realtime }
        let log = LogCapture()
        let service = MeridianService(options: options, configuration: configuration, logger: log.logger, factories: factories)
        let group = ServiceGroup(services: [service], logger: Logger(label: "follower-seam"))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        #expect(await log.wait(for: "system clock follower: CLOCK_REALTIME follows virtual", seconds: 5) != nil)
        // The grandmaster locks to simulated GNSS (8 samples at 1 PPS), then the follower ticks once a second.
        let first = await log.wait(for: "follower CLOCK_REALTIME offset", seconds: 30)
        #expect(first != nil, "\(log.all.suffix(30).joined(separator: "\n"))")
        guard first != nil else {
            await group.triggerGracefulShutdown()
            return
        }
        // Three ticks; at each, the follower's offset against the clock's true error read right after it.
        var pairs: [(offset: Int64, trueError: Int64)] = []
        for _ in 0..<3 {
            let count = log.all.count
            guard let index = await log.wait(for: "follower CLOCK_REALTIME offset", after: count, seconds: 3) else { break }
            let truth = try virtual.trueError().roundedNanoseconds
            let line = log.all[index]
            if let range = line.range(of: "offset ") {
                let value = Int64(line[range.upperBound...].prefix { $0 == "-" || $0.isNumber })
                if let value { pairs.append((value, truth)) }
            }
        }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        print(
            "realtime follower (seam): offsets and true errors \(pairs); recorded \(realtime.frequencies.count) frequency adjustments, \(realtime.steps.count) steps"
        )
        #expect(pairs.count == 3, "\(log.all.suffix(20).joined(separator: "\n"))")
        // Bounds fixed before the run: CLOCK_REALTIME − disciplined = −(virtual − CLOCK_REALTIME); the two are
        // read up to a few ms apart at a residual rate of ppm at most, so 1 µs.
        for pair in pairs {
            #expect(
                abs(pair.offset + pair.trueError) < 1_000,
                "follower offset \(pair.offset) ns, clock true error \(pair.trueError) ns")
        }
        // Every adjustment went to the seam (frequency each tick; a locked grandmaster is microseconds off,
        // below first_step_threshold's 20 µs, so no step), none to the host's clock.
        #expect(realtime.frequencies.count >= 3)
        #expect(realtime.steps.isEmpty, "steps \(realtime.steps)")
    }
}

import Foundation
import LinuxPlatform
import Logging
import PTPCore
import Testing

@testable import MeridianDaemon

/// The drift file keeps what the servo learned, and nothing when it learned nothing.
@Suite struct DriftFileTests {
    static func steerableClock() throws -> ClockSource {
        let clock = try VirtualClock(configuration: VirtualClockConfiguration(offsetSeconds: 0, frequencyPPM: -40))
        return ClockSource(clock: clock, timescale: .utc, steerable: true, description: "virtual (test)")
    }

    static func scratch(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-drift-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test func savesTheLearnedFrequencyAndLoadsItBack() throws {
        let path = Self.scratch("saved")
        defer { unlink(path) }
        let logger = Logger(label: "test")
        DriftFile.save(path, frequency: PartsPerBillion(40_123.5), clock: try Self.steerableClock(), logger: logger)
        #expect(DriftFile.load(path, logger: logger)?.value == 40_123.5)
    }

    @Test func anUnlockedServoLeavesTheFileAsItWas() throws {
        let path = Self.scratch("kept")
        defer { unlink(path) }
        let logger = Logger(label: "test")
        let clock = try Self.steerableClock()
        DriftFile.save(path, frequency: PartsPerBillion(39_990), clock: clock, logger: logger)
        // A restart that never locks (no master, no reference) must not replace it with its start value.
        try clock.clock.adjustFrequency(PartsPerBillion(0))
        DriftFile.save(path, frequency: nil, clock: clock, logger: logger)
        #expect(DriftFile.load(path, logger: logger)?.value == 39_990)
    }

    @Test func aFreeRunningClockWritesNothing() throws {
        let path = Self.scratch("free")
        defer { unlink(path) }
        let clock = try VirtualClock(configuration: VirtualClockConfiguration(offsetSeconds: 0, frequencyPPM: 0))
        let free = ClockSource(clock: clock, timescale: .utc, steerable: false, description: "free-running (test)")
        DriftFile.save(path, frequency: PartsPerBillion(1), clock: free, logger: Logger(label: "test"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

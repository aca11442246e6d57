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

    /// A file `name` in a directory of its own (tests run in parallel), and that directory, for the test to remove.
    static func scratch(_ name: String) -> (path: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-drift-\(getpid())-\(name)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory.appendingPathComponent(name).path, directory)
    }

    @Test func savesTheLearnedFrequencyAndLoadsItBack() throws {
        let (path, directory) = Self.scratch("saved")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test")
        DriftFile.save(path, frequency: PartsPerBillion(40_123.5), clock: try Self.steerableClock(), logger: logger)
        #expect(DriftFile.load(path, logger: logger)?.value == 40_123.5)
    }

    @Test func anUnlockedServoLeavesTheFileAsItWas() throws {
        let (path, directory) = Self.scratch("kept")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test")
        let clock = try Self.steerableClock()
        DriftFile.save(path, frequency: PartsPerBillion(39_990), clock: clock, logger: logger)
        // A restart that never locks (no master, no reference) must not replace it with its start value.
        try clock.clock.adjustFrequency(PartsPerBillion(0))
        DriftFile.save(path, frequency: nil, clock: clock, logger: logger)
        #expect(DriftFile.load(path, logger: logger)?.value == 39_990)
    }

    @Test func aFreeRunningClockWritesNothing() throws {
        let (path, directory) = Self.scratch("free")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = try VirtualClock(configuration: VirtualClockConfiguration(offsetSeconds: 0, frequencyPPM: 0))
        let free = ClockSource(clock: clock, timescale: .utc, steerable: false, description: "free-running (test)")
        DriftFile.save(path, frequency: PartsPerBillion(1), clock: free, logger: Logger(label: "test"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Issue #17: the file is written through a fresh temporary name (O_CREAT|O_EXCL|O_NOFOLLOW), so a symbolic
    /// link a local user planted at the old fixed name `drift.tmp` is neither followed nor replaced, and nothing
    /// but the drift file is left in the directory.
    @Test func aPlantedLinkIsNotFollowedAndNoTemporaryFileIsLeft() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-drift-link-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("drift").path
        let victim = directory.appendingPathComponent("victim").path
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        #expect(symlink(victim, path + ".tmp") == 0)
        let logger = Logger(label: "test")
        DriftFile.save(path, frequency: PartsPerBillion(-12.25), clock: try Self.steerableClock(), logger: logger)
        #expect(DriftFile.load(path, logger: logger)?.value == -12.25)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["drift", "drift.tmp", "victim"], "\(names)")
        var info = stat()
        #expect(lstat(path + ".tmp", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
    }

    /// A drift file that cannot be written says why and leaves no temporary file behind.
    @Test func aFailedWriteSaysWhyAndLeavesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-drift-fail-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A directory where the file should be: the rename fails after the temporary file was written.
        let path = directory.appendingPathComponent("drift").path
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        let failure = DriftFile.writeDurably(path, contents: Array("1.5\n".utf8))
        #expect(failure?.hasPrefix("rename ") == true, "\(failure ?? "nil")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["drift"])
        // A missing directory: the open fails.
        let missing = DriftFile.writeDurably(directory.path + "/absent/drift", contents: [0x31])
        #expect(missing?.hasPrefix("open ") == true, "\(missing ?? "nil")")
    }
}

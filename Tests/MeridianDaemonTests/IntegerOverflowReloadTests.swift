import Foundation
import MeridianConfig
import Testing

@testable import MeridianDaemon

/// Issue #17: SIGHUP re-reads the files through ``ConfigurationLoader/load(_:)``, as start-up does; a line that
/// trapped there must come back as a `file:line` error the reload logs, the running configuration kept.
struct IntegerOverflowReloadTests {
    @Test func reloadOfAnOverflowingIntegerLineIsAnErrorWithFileLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-harden-reload-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("gm.conf").path
        try "[global]\npriority1 100\n[eth0]\nlogSyncInterval -0x-8000000000000000\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let errors) = ConfigurationLoader.load(DaemonOptions(configFile: path)) else {
            Issue.record("the loader accepted -0x-8000000000000000")
            return
        }
        #expect(
            errors.diagnostics.map(\.description) == [
                "\(path):4: -0x-8000000000000000 is a bad value for option logSyncInterval: expected an integer"
            ])
    }
}

import Foundation
import LinuxPlatform
import MeridianConfig
import Testing

@testable import MeridianDaemon

/// Issue #17: the `user` option (and `--user`): a user the passwd database does not know is a `FILE:LINE` error
/// (exit 2, nothing opened); a known one keeps, until the switch, only what start-up as root needs on top of the
/// run-time capabilities.
struct UserOptionTests {
    @Test func anUnknownUserIsAFileLineError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-user-option-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.conf").path
        try "[global]\nclock_device virtual\ntime_stamping software\nuser no-such-user-meridian\n[eth0]\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let errors) = ConfigurationLoader.load(DaemonOptions(configFile: path)) else {
            Issue.record("the loader accepted an unknown user")
            return
        }
        #expect(
            errors.diagnostics.map(\.description) == [
                "\(path):4: no-such-user-meridian is a bad value for option user: expected a user of the passwd database (name or uid)"
            ])
        // --user names the command line instead of a line.
        guard
            case .failure(let flagged) = ConfigurationLoader.load(
                DaemonOptions(configFile: path, overrides: ["user": "4000000000"]))
        else {
            Issue.record("the loader accepted a uid without a passwd entry")
            return
        }
        #expect(flagged.diagnostics.count == 1)
        #expect(
            flagged.diagnostics.map(\.description) == [
                "command line: 4000000000 is a bad value for option user: expected a user of the passwd database (name or uid)"
            ])
        // A known user (root is in every passwd database) loads.
        guard case .success = ConfigurationLoader.load(DaemonOptions(configFile: path, overrides: ["user": "root"])) else {
            Issue.record("user root was refused")
            return
        }
    }

    @Test func lookupsFollowThePasswdDatabase() {
        let root = UnixUser.lookup("root")
        #expect(root?.name == "root" && root?.uid == 0 && root?.gid == 0)
        #expect(UnixUser.lookup("0")?.name == "root")
        #expect(UnixUser.lookup("") == nil)
        #expect(UnixUser.lookup("no-such-user-meridian") == nil)
        if let root { #expect(UnixUser.groups(of: root).first == 0) }
    }

    /// Until the switch: the run-time set plus the start-up set; after it (``Privileges/switchUser(_:)``), the
    /// run-time set only, which for UDP ports is CAP_NET_BIND_SERVICE and for a real clock CAP_SYS_TIME too.
    @Test func theStartupSetIsOnlyWhatOpeningAsRootAndSwitchingNeed() {
        #expect(
            Privileges.startupCapabilities.description
                == "CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_SETGID CAP_SETUID CAP_SETPCAP")
        #expect(Privileges.startupCapabilities.intersection(CapabilitySet([CapabilitySet.sysTime])).isEmpty)
    }
}

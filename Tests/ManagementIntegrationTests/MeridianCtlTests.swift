import Foundation
import MeridianDaemon
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// The built `meridianctl` against a ManagementServer: a drop-in for pmc (the same text for the same
/// commands), `--json` equal to the daemon's state, `status`, and the exit codes scripts rely on.
@Suite(.serialized)
struct MeridianCtlTests {
    /// The meridianctl next to the test bundle (`swift build --build-tests` builds it).
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("meridianctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/meridianctl").standardized.path
    }

    func ctl(_ harness: ServerHarness, _ arguments: [String], path: String? = nil) async throws -> ProcessRunner.Output {
        try await ProcessRunner.run(
            Self.binary, ["-u", "-s", path ?? harness.readWritePath, "-i", harness.directory + "/ctl"] + arguments)
    }

    @Test
    func printsWhatPMCPrintsForTheSameCommands() async throws {
        let commands = [
            "GET DEFAULT_DATA_SET", "GET PARENT_DATA_SET", "GET TIME_STATUS_NP", "GET PORT_DATA_SET",
            "GET PORT_STATS_NP", "GET CLOCK_DESCRIPTION", "GET GRANDMASTER_SETTINGS_NP", "SET PRIORITY2 99",
            "GET PRIORITY2",
        ]
        try await ServerHarness.with(ports: 2) { harness in
            let pmc = try await harness.pmc(commands)
            await harness.backend.reset(priority2: 128)
            let ours = try await ctl(harness, ["-b", "0"] + commands)
            #expect(ours.status == 0, "\(ours.stderr)")
            #expect(PrintedReply.parse(ours.stdout) == PrintedReply.parse(pmc.stdout))
            #expect(PrintedReply.parse(ours.stdout).count == 12)
        }
    }

    @Test
    func jsonCarriesTheDaemonsState() async throws {
        try await ServerHarness.with { harness in
            await harness.backend.setPortState(1, .slave)
            let output = try await ctl(harness, ["--json", "GET PRIORITY1", "GET PORT_DATA_SET", "GET CURRENT_DATA_SET"])
            #expect(output.status == 0, "\(output.stderr)")
            let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            let replies = try #require(parsed)
            #expect(replies.count == 3)
            let priority = replies.first?["data"] as? [String: Any]
            #expect(priority?["priority1"] as? Int == 128)
            let port = replies.dropFirst().first?["data"] as? [String: Any]
            #expect(port?["portState"] as? String == "SLAVE")
            #expect(port?["portIdentity"] as? String == "769927.fffe.71c27a-1")
            #expect(replies.last?["managementId"] as? String == "CURRENT_DATA_SET")
        }
    }

    @Test
    func statusShowsRolePortsAndMeridianStatus() async throws {
        try await ServerHarness.with(ports: 2) { harness in
            await harness.backend.setStatus(
                MeridianStatus(
                    referenceKind: .gnss, referenceState: .fix3D, satellites: 9, ppsValid: true, servoState: .locked,
                    lastPPSOffset: -12, servoFrequency: 65536 * 15, lastOffset: 3, lastPathDelay: 800,
                    virtualClockError: 5))
            let text = try await ctl(harness, ["status"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("role GRANDMASTER"))
            #expect(text.stdout.contains("GNSS 3D-fix  satellites 9  PPS valid offset -12 ns"))
            #expect(text.stdout.contains("s2 locked  freq 15.0 ppb"))
            #expect(text.stdout.contains("2     769927.fffe.71c27a-2  MASTER  veth2"))
            let json = try await ctl(harness, ["status", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["role"] as? String == "GRANDMASTER")
            #expect((object["ports"] as? [Any])?.count == 2)
            let meridian = object["meridian"] as? [String: Any]
            #expect(meridian?["satellites"] as? Int == 9)
            #expect(meridian?["virtualClockError"] as? Int == 5)
        }
    }

    @Test
    func exitCodesTellScriptsWhatHappened() async throws {
        try await ServerHarness.with { harness in
            #expect(try await ctl(harness, ["GET PRIORITY1"]).status == 0)
            let refused = try await ctl(harness, ["SET PRIORITY1 90"], path: harness.readOnlyPath)
            #expect(refused.status == 1)
            #expect(
                refused.stdout.contains(
                    "RESPONSE MANAGEMENT_ERROR_STATUS \n\t\tmanagementId PRIORITY1\n\t\terror        NOT_SUPPORTED"))
            #expect(try await ctl(harness, ["GET BOGUS"]).status == 2)
            #expect(try await ctl(harness, ["-q"]).status == 2)
            #expect(try await ctl(harness, ["--timeout", "0.2", "GET PRIORITY1"], path: harness.directory + "/none").status == 3)
            #expect(await harness.backend.state.defaultDS.priority1 == 128)
        }
    }

    @Test
    func commandDisablePortReachesTheBackendAndIsAcknowledged() async throws {
        try await ServerHarness.with(ports: 2) { harness in
            let output = try await ctl(
                harness, ["TARGET 769927.fffe.71c27a-2", "CMD DISABLE_PORT", "GET PORT_DATA_SET"])
            #expect(output.status == 0, "\(output.stderr)")
            let replies = PrintedReply.parse(output.stdout)
            #expect(replies.first?.header == "\t769927.fffe.71c27a-2 seq 0 ACKNOWLEDGE MANAGEMENT empty-tlv ")
            #expect(replies.last?.fields.dropFirst().first == "\t\tportState               DISABLED")
            #expect(await harness.backend.applied == [.disablePort(2)])
        }
    }

    @Test
    func watchRefreshesUntilStopped() async throws {
        try await ServerHarness.with { harness in
            // Two refreshes (0.3 s apart), then stopped; they used to be expected within a fixed 3 s, which a
            // loaded machine spent starting the program (no line at all in one clean-clone run).
            let lines: @Sendable (String) -> [Substring] = { $0.split(separator: "\n") }
            let output = try await ProcessRunner.runUntil(
                Self.binary,
                ["-s", harness.readWritePath, "-i", harness.directory + "/ctl", "watch", "--json", "--interval", "0.3"]
            ) { lines($0).count >= 2 }
            #expect(!output.exitedByItself, "watch ended by itself: \(output.stderr)")
            #expect(output.satisfied, "fewer than two refreshes in 15 s: \(output.stdout)\(output.stderr)")
            #expect(
                lines(output.stdout).count >= 2
                    && lines(output.stdout).allSatisfy { line in
                        // One JSON object per refresh (keys sorted by the encoder, so `role` is not first).
                        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                        return object?["role"] as? String == "GRANDMASTER"
                    },
                "\(output.stdout)")
        }
    }

    @Test
    func eventsPrintsPortStateNotifications() async throws {
        try await ServerHarness.with { harness in
            let server = harness.server
            let backend = harness.backend
            // Once meridianctl has subscribed (instead of a fixed second from its start), and half a second more,
            // the port changes state; meridianctl prints that. The half second: after the SET's answer
            // meridianctl's exchange listens 100 ms more and drops the notifications it hears then (they are not
            // the answer it waits for), so a change that soon after subscribing is not printed.
            // Half a second more after the first line: a second one would be a duplicate notification.
            let output = try await ProcessRunner.runUntil(
                Self.binary, ["-s", harness.readWritePath, "-i", harness.directory + "/ctl", "events", "--json"],
                linger: .milliseconds(500),
                whileRunning: {
                    let end = ContinuousClock.now + .seconds(10)
                    while await server.subscriberCount == 0 && ContinuousClock.now < end {
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                    await backend.setPortState(1, .passive)
                    await server.notifyPortStateChanged(port: 1)
                }
            ) { $0.contains("\n") }
            #expect(!output.exitedByItself, "events ended by itself: \(output.stderr)")
            #expect(output.satisfied, "no notification printed in 15 s: \(output.stderr)")
            let lines = output.stdout.split(separator: "\n")
            #expect(lines.count == 1, "\(output.stdout)")
            #expect(lines.first?.contains("\"managementId\":\"PORT_DATA_SET\"") == true)
            #expect(lines.first?.contains("\"portState\":\"PASSIVE\"") == true)
            #expect(await server.subscriberCount == 1)
        }
    }
}

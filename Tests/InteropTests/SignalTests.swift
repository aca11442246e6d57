import Foundation
import Testing

/// meridiand's signals as an operator uses them: SIGHUP re-reads the configuration, applies the BMCA
/// attributes at once and refuses the rest with a log line; SIGTERM shuts down cleanly with exit 0.
struct SignalTests {
    @Test func sighupAppliesPrioritiesAndRefusesWhatNeedsARestart() throws {
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        func config(priority1: Int, sync: Int) -> String {
            """
            [global]
            priority1 \(priority1)
            clock_device virtual
            free_running 1
            time_stamping software
            verbose 1
            use_syslog 0
            uds_address \(lab.file("m.sock").path)
            uds_ro_address \(lab.file("m-ro.sock").path)
            [\(lab.lab.b.interface)]
            logSyncInterval \(sync)
            """
        }
        let path = try lab.write("m.conf", config(priority1: 128, sync: 0))
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", path], log: "m.log")
        #expect(lab.wait(seconds: 10) { lab.log("m.log").contains("INITIALIZING to LISTENING") })
        _ = try lab.write("m.conf", config(priority1: 90, sync: -3))
        // `ip netns exec` runs the daemon as its child: signal the daemon itself.
        let pids =
            (try? String(
                contentsOfFile: "/proc/\(daemon.processIdentifier)/task/\(daemon.processIdentifier)/children", encoding: .utf8))
            ?? ""
        let target = pids.split(separator: " ").compactMap { Int32($0) }.first ?? daemon.processIdentifier
        kill(target, SIGHUP)
        #expect(
            lab.wait(seconds: 5) { lab.log("m.log").contains("SIGHUP: priority1 changed from 128 to 90: applied") },
            "\(lab.log("m.log"))")
        // The daemon's log writer is a thread of its own: the next line may reach the file a moment later.
        #expect(
            lab.wait(seconds: 5) {
                lab.log("m.log").contains(
                    "logSyncInterval changed from 0 to -3: not applied while running; restart meridiand to apply it")
            }, "\(lab.log("m.log"))")
        kill(target, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        #expect(lab.log("m.log").contains("shutting down"))
    }
}

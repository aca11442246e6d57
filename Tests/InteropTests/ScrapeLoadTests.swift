import Foundation
import Testing

extension SerializedInteropTests {
    /// Scraping must not disturb time (issue 16): 1,000 GETs of `/metrics` per second for 10 s to a Meridian
    /// grandmaster leave the ptp4l slave it serves within the same bound as unscraped
    /// (``PTP4lInteropTests/oneHopP95Bound``), with every Sync of those 10 s taken. Serialized: the load holds
    /// a core, which would also disturb whatever ran beside it. UDPv4/E2E, grandmaster (virtual clock, free
    /// running) on CPU 1, slave (free_running) on CPU 0, as case 1 of the ptp4l interop tests.
    @Suite struct ScrapeLoadTests {
        static let seconds = 10
        static let rate = 1_000

        @Test func aThousandScrapesPerSecondLeaveAPtp4lSlaveWithinItsBound() throws {
            let ptp4l = try InteropLab.tool("ptp4l")
            let python = try InteropLab.tool("python3")
            let meridiand = try InteropLab.meridiand()
            let lab = try InteropLab()
            defer { lab.tearDown() }
            let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
            defer { events.stop() }
            let slave = try lab.write(
                "slave.cfg",
                "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nuds_address \(lab.file("sl.sock").path)\nslave_event_monitor \(events.path)\n"
            )
            let gm = try lab.freeRunningGrandmasterConfig("logMinDelayReqInterval -4\nhttp_address 127.0.0.1:9319")
            try lab.start(
                in: lab.lab.a.namespace, "/usr/bin/taskset",
                ["-c", "0", ptp4l, "-S", "-i", lab.lab.a.interface, "-f", slave, "-m"],
                log: "slave.log")
            let daemon = try lab.start(
                in: lab.lab.b.namespace, "/usr/bin/taskset", ["-c", "1", meridiand, "-f", gm], log: "gm.log")
            let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
            // Following: three seconds of offsets (the slave's path-delay median filled), as in case 1.
            let following = lab.wait(seconds: 30) { events.offsets.count >= 48 }
            #expect(following, "the ptp4l slave did not follow meridiand:\n\(dump())")
            guard following else { return }

            // The load, in meridiand's namespace, for `seconds`; the offsets of the same seconds.
            let script = InteropLab.repositoryRoot.appendingPathComponent("scripts/http-load.py").path
            let load = Process()
            load.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            load.arguments = ["netns", "exec", lab.lab.b.namespace, python, script, "\(Self.rate)", "\(Self.seconds)"]
            let output = Pipe()
            load.standardOutput = output
            load.standardError = output
            events.reset()
            try load.run()
            let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            load.waitUntilExit()
            let window = Array(events.offsets.prefix(Self.seconds * 16))
            let stats = OffsetStatistics(window)
            print("ptp4l slave of meridiand under \(Self.rate) scrapes/s: \(stats); load: \(report)")

            // The load happened: at least 95% of the requests answered whole, none failed.
            let words = report.split(whereSeparator: { $0 == " " || $0 == "\n" })
            func number(_ name: String) -> Double? {
                words.firstIndex { $0 == name }.flatMap { words.index(after: $0) < words.endIndex ? Double(words[$0 + 1]) : nil }
            }
            #expect((number("ok") ?? 0) >= Double(Self.rate * Self.seconds) * 0.95, "load: \(report)")
            #expect(number("fail") == 0, "load: \(report)")
            // Every Sync of those seconds reached the slave (16 a second, one second of slack for the edges),
            // and the slave stayed within the one-hop bound.
            #expect(
                events.offsets.count >= (Self.seconds - 1) * 16,
                "\(events.offsets.count) offsets in \(Self.seconds) s:\n\(dump())")
            #expect(
                stats.p95 <= PTP4lInteropTests.oneHopP95Bound,
                "under load: \(stats), bound p95 \(PTP4lInteropTests.oneHopP95Bound) ns:\n\(dump())")
            #expect(daemon.isRunning)
            #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("gm.log").suffix(1500))")
        }
    }
}

import Foundation
import Testing

/// A Meridian grandmaster disciplined by its reference, seen by a ptp4l slave through linuxptp's pmc.
struct GrandmasterReferenceTests {
    @Test func aPtp4lSlaveSeesTheLockedGrandmastersClassFlagsAndUTCOffset() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try #require(InteropLab.binary("meridiand"), "meridiand is not built")
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write(
            "gm.conf",
            """
            [global]
            clock_device virtual
            virtual_clock_offset 0.3
            virtual_clock_freq_ppm 30
            time_stamping software
            reference simulated
            sim_gnss_jitter_ns 50
            priority1 100
            logSyncInterval -4
            verbose 1
            use_syslog 0
            uds_address \(lab.file("m.sock").path)
            uds_ro_address \(lab.file("m-ro.sock").path)
            [\(lab.lab.b.interface)]
            """)
        let slaveSocket = lab.file("sl.sock").path
        let slave = try lab.write("slave.cfg", "[global]\nfree_running 1\nslaveOnly 1\nuds_address \(slaveSocket)\n")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        // A subscriber from the start: it must be told when the reference locks (Meridian's status) and
        // the grandmaster's quality changes (PARENT_DATA_SET).
        #expect(lab.wait(seconds: 10) { FileManager.default.fileExists(atPath: lab.file("m.sock").path) }, "no management socket")
        try lab.start(in: lab.lab.b.namespace, meridianctl, ["-u", "-s", lab.file("m.sock").path, "--json", "events"], log: "events.log")
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", slave, "-m"], log: "slave.log")
        let locked = lab.wait(seconds: 60) { lab.log("gm.log").contains("announcing clockClass 6") }
        #expect(locked, "the grandmaster did not lock to its reference:\n\(lab.log("gm.log").suffix(3000))")
        guard locked else { return }
        // The slave must have heard the class-6 Announce: give it two announce intervals.
        var answer = ""
        _ = lab.wait(seconds: 10) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", lab.lab.a.namespace, pmc, "-u", "-b", "0", "-s", slaveSocket,
                                 "GET PARENT_DATA_SET", "GET TIME_PROPERTIES_DATA_SET", "GET CURRENT_DATA_SET"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try? process.run()
            answer = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return answer.contains("gm.ClockClass                         6")
        }
        func field(_ name: String) -> String? {
            answer.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + " ") }
                .map { String($0.split(separator: " ").last ?? "") }
        }
        #expect(field("gm.ClockClass") == "6", "pmc said:\n\(answer)")
        #expect(field("currentUtcOffset") == "37")
        #expect(field("currentUtcOffsetValid") == "1")
        #expect(field("ptpTimescale") == "1")
        #expect(field("timeTraceable") == "1")
        #expect(field("frequencyTraceable") == "1")
        #expect(field("timeSource") == "0x20")
        #expect(field("stepsRemoved") == "1")
        // The slave runs on the system clock: after ptp4l's UTC correction its offset is small, so the
        // grandmaster sent TAI (= its UTC virtual clock + 37 s) as the PTP timescale requires.
        let offset = field("offsetFromMaster").flatMap(Double.init)
        #expect(offset.map { abs($0) < 50_000 } == true, "offsetFromMaster \(String(describing: offset))")
        // The subscriber heard the reference lock and the new grandmaster quality, pushed as they happened.
        let events = lab.log("events.log").split(separator: "\n")
        let statusPushes = events.filter { $0.contains("\"MERIDIAN_STATUS_NP\"") }
        let parentPushes = events.filter { $0.contains("\"PARENT_DATA_SET\"") }
        #expect(!statusPushes.isEmpty, "no reference-state notification:\n\(lab.log("events.log").suffix(2000))")
        #expect(parentPushes.contains { $0.contains("\"gm.ClockClass\":6") }, "no PARENT_DATA_SET notification with class 6:\n\(parentPushes.suffix(3))")
        // And the grandmaster's own clock is within a microsecond of the system clock (the reference's truth).
        let errors = InteropLab.trueErrors(lab.log("gm.log").split(separator: "\n").filter { $0.contains("reference offset") }.joined(separator: "\n"))
        let recent = Array(errors.suffix(5))
        #expect(!recent.isEmpty && recent.allSatisfy { abs($0) < 1_000 }, "true error of the grandmaster: \(recent)")
    }
}

import Foundation
import Testing

/// chrony takes Meridian as a reference clock: a real `chronyd -x` (it never touches the system clock) with
/// `refclock SOCK`, fed by a meridiand slave (virtual clock 0.2 s and −40 ppm off, software stamps) of a
/// ptp4l grandmaster (free_running, on the system clock) across the lab's veth pair. chronyd runs on its own
/// configuration, pid file and command socket in the lab's directory. Then the same through the NTP SHM
/// segment (`ntpshm_feed`), read by a second chronyd with `refclock SHM`. The same slave runs a system-clock
/// follower (phc2sys's role) on a virtual clock standing in for CLOCK_REALTIME, 50 ms and 20 ppm off. Issue 13.
struct ChronyFeedTests {
    /// Fixed before the run: the slave's own bound once locked (its true error, PTP4lInteropTests: ±20 µs).
    static let offsetBound = 20e-6

    @Test func chronydSelectsMeridiansFeedsAndAStandInSystemClockFollowsTheSlave() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let chronyd = try InteropLab.tool("chronyd")
        let chronyc = try InteropLab.tool("chronyc")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        // chronyd insists that its command socket's directory is not open to others.
        let chronyDirectory = lab.file("chrony")
        try FileManager.default.createDirectory(
            at: chronyDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let sock = chronyDirectory.appendingPathComponent("refclock.sock").path
        let command = chronyDirectory.appendingPathComponent("chronyd.sock").path
        let conf = try lab.write(
            "chrony.conf",
            """
            refclock SOCK \(sock) refid MRDN poll 0 filter 8
            pidfile \(chronyDirectory.appendingPathComponent("chronyd.pid").path)
            bindcmdaddress \(command)
            cmdport 0
            port 0
            """)
        // -x: chronyd never adjusts the clock; -d: foreground, log on stderr; -u root: no user switch.
        let sockChrony = try lab.start(
            in: lab.lab.b.namespace, chronyd, ["-x", "-d", "-u", "root", "-f", conf], log: "chronyd.log")
        // A segment number of this test's own (SHM keys are host-wide), removed at the end.
        let segment = 100 + Int(getpid() % 100)
        defer { _ = lab.run(in: lab.lab.b.namespace, ["/usr/bin/ipcrm", "-M", String(0x4e54_5030 + segment)]) }
        let gm = try lab.write(
            "gm.cfg",
            "[global]\nfree_running 1\nlogSyncInterval -4\nlogAnnounceInterval -2\nuds_address \(lab.file("gm.sock").path)\n")
        let slave = try lab.meridianConfig(
            "slave", interface: lab.lab.b.interface,
            "virtual_clock_offset 0.2\nvirtual_clock_freq_ppm -40\nslaveOnly 1\nlogAnnounceInterval -2\nrefclock_sock_address \(sock)\nntpshm_feed 1\nntpshm_segment \(segment)"
                + "\nsystem_clock_follower virtual\nfollower_virtual_offset 0.05\nfollower_virtual_freq_ppm 20"
        )
        try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "meridiand.log")
        func ask(_ what: String) -> String { lab.run(in: lab.lab.b.namespace, [chronyc, "-n", "-h", command, what]) }
        var sources = ""
        let selected = lab.wait(seconds: 30) {
            sources = ask("sources")
            return sources.contains("#* MRDN")
        }
        let dump =
            "chronyc sources:\n\(sources)\n--- chronyd:\n\(lab.log("chronyd.log").suffix(1500))\n--- meridiand:\n\(lab.log("meridiand.log").split(separator: "\n").filter { !$0.contains("master offset") }.suffix(30).joined(separator: "\n"))"
        #expect(selected, "chrony did not select Meridian's refclock:\n\(dump)")
        guard selected else { return }
        #expect(lab.log("meridiand.log").contains("chrony: feeding SOCK refclock"))
        // Let the selection settle a few polls, then read chrony's view of the system clock against Meridian.
        Thread.sleep(forTimeInterval: 2)
        let tracking = ask("tracking")
        func seconds(_ field: String) -> Double? {
            guard let line = tracking.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
            let value = line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").first
            return value.flatMap { Double($0) }
        }
        let lastOffset = seconds("Last offset")
        let rms = seconds("RMS offset")
        print("chronyd on Meridian's SOCK refclock: last offset \(lastOffset ?? .nan) s, RMS \(rms ?? .nan) s\n\(tracking)")
        #expect(tracking.contains("Reference ID    : 4D52444E (MRDN)"), "\(tracking)")
        #expect(lastOffset.map { abs($0) < Self.offsetBound } == true, "\(tracking)\n\(dump)")
        #expect(rms.map { abs($0) < Self.offsetBound } == true, "\(tracking)")

        // The same offsets through NTP SHM: a second chronyd (same files) reads the segment instead.
        _ = lab.stop(sockChrony)
        let shmConf = try lab.write(
            "chrony-shm.conf",
            """
            refclock SHM \(segment) refid MSHM poll 0 filter 8
            pidfile \(chronyDirectory.appendingPathComponent("chronyd.pid").path)
            bindcmdaddress \(command)
            cmdport 0
            port 0
            """)
        try lab.start(in: lab.lab.b.namespace, chronyd, ["-x", "-d", "-u", "root", "-f", shmConf], log: "chronyd-shm.log")
        let shmSelected = lab.wait(seconds: 15) {
            sources = ask("sources")
            return sources.contains("#* MSHM")
        }
        #expect(
            shmSelected,
            "chrony did not select the SHM refclock:\n\(sources)\n\(lab.log("chronyd-shm.log").suffix(1500))\n\(lab.log("meridiand.log").split(separator: "\n").filter { $0.contains("ntpshm") || $0.contains("chrony") }.joined(separator: "\n"))\n\(lab.run(in: lab.lab.b.namespace, ["/usr/bin/ipcs", "-m"]))"
        )
        guard shmSelected else { return }
        Thread.sleep(forTimeInterval: 2)
        let shmTracking = ask("tracking")
        let shmOffset = shmTracking.split(separator: "\n").first { $0.hasPrefix("Last offset") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last?.split(separator: " ").first }.flatMap { Double($0) }
        print("chronyd on Meridian's NTP SHM segment \(segment): last offset \(shmOffset ?? .nan) s")
        #expect(shmTracking.contains("(MSHM)"), "\(shmTracking)")
        #expect(shmOffset.map { abs($0) < Self.offsetBound } == true, "\(shmTracking)")

        // By now the follower has had over 10 s since the slave locked: its last 4 true errors (follower − system
        // time) are within the slave's own bound.
        let followerErrors = lab.log("meridiand.log").split(separator: "\n").filter { $0.contains("follower true error") }
            .compactMap { line in line.split(separator: " ").last.flatMap { Int64($0) } }
        print(
            "system clock follower (virtual stand-in): \(followerErrors.count) ticks, last true errors \(followerErrors.suffix(6)) ns"
        )
        #expect(
            followerErrors.count >= 6 && followerErrors.suffix(4).allSatisfy { abs(Double($0)) < Self.offsetBound * 1e9 },
            "\(lab.log("meridiand.log").split(separator: "\n").filter { $0.contains("follower") }.suffix(12).joined(separator: "\n"))"
        )
    }
}

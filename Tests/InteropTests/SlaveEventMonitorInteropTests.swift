import Foundation
import Testing

/// `slave_event_monitor` on meridiand (linuxptp 3.1 monitor.c): the monitor the ptp4l interop cases read ptp4l
/// with (``SlaveEventMonitor``) reads a Meridian slave the same way. Meridian slave (virtual clock 0.2 s and
/// −40 ppm off) of a ptp4l grandmaster over UDPv4/E2E; once locked, the offsets the monitor recomputes from
/// the reported t1, t2, t3, t4 and corrections are the slave's own, so they stay within the ±20 µs of the
/// one-hop case, and every Sync and Delay_Resp is reported (16 a second each). The slave runs with
/// `check_fup_sync 1` too: ptp4l sends each Follow_Up after its Sync, so the check (on the general messages'
/// software receive stamps) must pass the pairs: 64 Sync offsets (4 s at 16 a second) within 7 s.
@Suite(.serialized)
struct SlaveEventMonitorInteropTests {
    @Test func meridianReportsEverySyncAndDelayRespToTheSlaveEventMonitor() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
        defer { events.stop() }
        let gm = try lab.write(
            "gm.cfg",
            "[global]\nfree_running 1\nlogSyncInterval -4\nlogAnnounceInterval -2\nlogMinDelayReqInterval -4\nuds_address \(lab.file("gm.sock").path)\n"
        )
        let slave = try lab.meridianConfig(
            "slave", interface: lab.lab.b.interface,
            "virtual_clock_offset 0.2\nvirtual_clock_freq_ppm -40\nslaveOnly 1\nlogAnnounceInterval -2\nlogMinDelayReqInterval -4\nhttp_address none\ncheck_fup_sync 1\nslave_event_monitor \(events.path)"
        )
        try lab.start(
            in: lab.lab.a.namespace, ptp4l, ["-S", "-4", "-E", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "slave.log")
        let result = lab.trueErrorsOnceLocked(log: "slave.log", masterLog: "gm.log", count: 16)
        #expect(result != nil, "meridiand did not lock:\n\(lab.log("slave.log").suffix(2500))")
        guard let (_, logs) = result else { return }
        #expect(events.reports > 0, "no report reached the monitor:\n\(logs)")
        events.reset()
        let reportsBefore = events.reports
        let start = Date()
        _ = lab.wait(seconds: 10) { events.offsets.count >= 64 }
        let elapsed = Date().timeIntervalSince(start)
        let window = Array(events.offsets.prefix(64))
        let reports = events.reports - reportsBefore
        let stats = OffsetStatistics(window)
        print(
            "meridiand slave's slave_event_monitor reports, ptp4l grandmaster over UDPv4/E2E: \(stats), \(reports) reports in \(elapsed) s"
        )
        #expect(window.count == 64 && elapsed <= 7, "\(window.count) offsets in \(elapsed) s:\n\(logs)")
        // 64 Syncs at 16/s, and as many Delay_Resp (logMinDelayReqInterval −4: 16 a second on average).
        #expect(reports >= 96, "\(reports) reports for \(window.count) Sync offsets")
        // Software stamps on this machine: a few packets in a thousand are delayed 10–80 µs by scheduling before
        // the kernel stamps them, which shows in that one Sync's offset (one clean-clone run: p50 151 ns, p99 22 µs,
        // one of 64 past 20 µs). The bound is on the slave's offsets, not on the kernel's delivery: at most 2 of the
        // 64 may be such a packet, and none beyond 100 µs.
        let outliers = window.filter { abs($0) >= 20_000 }
        #expect(
            outliers.count <= 2 && window.allSatisfy { abs($0) < 100_000 },
            "offsets left ±20 µs (\(outliers.count) of \(window.count): \(outliers)) or ±100 µs: \(stats)\n\(logs)")
        #expect(lab.stop(daemon) == 0)
    }
}

import Foundation
import Testing

/// Issue 13: a boundary clock over two PHCs (`boundary_clock_jbod 1`). ptp4l grandmaster (free-running) →
/// Meridian boundary clock → ptp4l slave (free-running), UDPv4/E2E, 16 Sync/s. The boundary clock's servo
/// disciplines emulated PHC 0 (`virtual_clock_mode phc`, 50 ms and +30 ppm off), which its upstream port
/// stamps with; its downstream port stamps with emulated PHC 1 (its own oscillator: 20 ms and −25 ppm off),
/// kept aligned to PHC 0 by its own servo, and every downstream stamp is converted into PHC 0's time. The
/// end slave's offsets are measured against what that downstream port sends, so they show whether the
/// second PHC's stamps are right.
struct JBODInteropTests {
    /// The end slave's |offset| p95 (ns): the same bound as behind a one-PHC boundary clock
    /// (``BoundaryClockInteropTests/endSlaveP95Bound``), fixed before the first run.
    static let endSlaveP95Bound: Int64 = BoundaryClockInteropTests.endSlaveP95Bound
    /// The aligned PHC's |true offset| from PHC 0 over the measured window (ns): its servo is fed sys-offset
    /// reads 1.2–1.6 µs wide, once a second; 2 µs.
    static let alignmentBound: Int64 = 2_000

    @Test func aPtp4lSlaveLocksBehindABoundaryClockOverTwoEmulatedPHCs() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let chain = try ChainLab.create(subnet: UInt8(getpid() % 200 + 30))
        defer { chain.remove() }
        let files = try InteropLab()
        defer { files.tearDown() }
        let events = try SlaveEventMonitor(path: files.file("sem.sock").path)
        defer { events.stop() }
        let bc = try files.write(
            "bc.conf",
            """
            [global]
            clock_device virtual
            virtual_clock_mode phc
            virtual_clock_offset 0.05
            virtual_clock_freq_ppm 30
            time_stamping software
            logSyncInterval -4
            logAnnounceInterval -2
            logMinDelayReqInterval -4
            pi_proportional_scale 0.7
            pi_integral_scale 0.3
            step_threshold 0.001
            summary_interval -4
            verbose 1
            use_syslog 0
            http_address 127.0.0.1:9319
            uds_address \(files.file("bc.sock").path)
            uds_ro_address \(files.file("bc-ro.sock").path)
            boundary_clock_jbod 1
            [\(chain.bUpstream)]
            [\(chain.bDownstream)]
            masterOnly 1
            phc_index 1
            virtual_clock_offset 0.02
            virtual_clock_freq_ppm -25
            """)
        let slave = try files.write(
            "slave.cfg",
            "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nuds_address \(files.file("sl.sock").path)\nslave_event_monitor \(events.path)\n"
        )
        let upstream = try files.write(
            "gm.cfg",
            "[global]\nfree_running 1\npriority1 100\nlogSyncInterval -4\nlogAnnounceInterval -2\nlogMinDelayReqInterval -4\nuds_address \(files.file("gm.sock").path)\n"
        )
        try files.start(
            in: chain.c, "/usr/bin/taskset", ["-c", "0", ptp4l, "-S", "-i", chain.cInterface, "-f", slave, "-m", "-4", "-E"],
            log: "slave.log")
        try files.start(
            in: chain.a, "/usr/bin/taskset", ["-c", "1", ptp4l, "-S", "-i", chain.aInterface, "-f", upstream, "-m", "-4", "-E"],
            log: "gm.log")
        let bcProcess = try files.start(in: chain.b, "/usr/bin/taskset", ["-c", "1", meridiand, "-f", bc], log: "bc.log")
        let dump = {
            "\(files.log("bc.log").suffix(3000))\n--- end slave:\n\(files.log("slave.log").suffix(1500))\n--- grandmaster:\n\(files.log("gm.log").suffix(800))"
        }
        // The boundary clock says which port is on which PHC.
        let aligned = files.wait(seconds: 5) { files.log("bc.log").contains("jbod: \(chain.bDownstream) on emulated PHC 1") }
        #expect(aligned, "no jbod start-up line:\n\(dump())")
        // Locked as in the one-PHC case: the upstream port in SLAVE, three seconds of offsets since.
        let locked = files.wait(seconds: 45) {
            let log = files.log("bc.log")
            guard let slave = log.range(of: "UNCALIBRATED to SLAVE") else { return false }
            return InteropLab.trueErrors(String(log[slave.upperBound...])).count >= 48
        }
        #expect(locked, "the boundary clock did not lock:\n\(dump())")
        guard locked else { return }
        // PHC 1 follows PHC 0 through its own servo, fed once a second, which lags while the boundary clock's servo
        // is still pulling PHC 0's frequency in after the lock (a run saw 12 µs three seconds after it, halving each
        // second). The window starts once PHC 1's last three offsets are within the bound; 30 s at most.
        let settled = files.wait(seconds: 30) {
            let recent = Self.trueOffsets(files.log("bc.log")).suffix(3)
            return recent.count == 3 && recent.allSatisfy { $0.magnitude <= Self.alignmentBound.magnitude }
        }
        #expect(
            settled,
            "PHC 1 did not settle within \(Self.alignmentBound) ns of PHC 0: \(Self.trueOffsets(files.log("bc.log")).suffix(10))"
        )
        guard settled else { return }
        events.forgetPath()
        guard let window = PTP4lInteropTests.collect(files, events, what: "the jbod boundary clock", dump: dump) else {
            return
        }
        let endSlave = OffsetStatistics(window)
        // The disciplined PHC's own error: the ptp4l grandmaster on CLOCK_REALTIME announces the arbitrary
        // timescale with its UTC readings (linuxptp clock.c: `time_flags = utc_timescale ? 0 : PTP_TIMESCALE`), so
        // the boundary clock's PHC keeps those and its true error against TAI is −37 s plus what it really is off.
        let bcErrors = InteropLab.trueErrors(files.log("bc.log")).suffix(window.count).map { $0 + 37_000_000_000 }
        let boundaryClock = OffsetStatistics(Array(bcErrors))
        // The aligned PHC's true offset from PHC 0 over the same seconds (one line a second).
        let offsets = Self.trueOffsets(files.log("bc.log")).suffix(PTP4lInteropTests.measuredSeconds)
        let worstAlignment = offsets.map { abs($0) }.max() ?? Int64.max
        print(
            "ptp4l slave behind a Meridian jbod BC (2 emulated PHCs, +30 and -25 ppm): \(endSlave), mean \(PTP4lInteropTests.mean(window)) ns; BC PHC 0 error \(boundaryClock); PHC 1 - PHC 0 true offsets \(Array(offsets)) ns"
        )
        #expect(
            window.count == PTP4lInteropTests.measuredSeconds * 16,
            "\(window.count) offsets in \(PTP4lInteropTests.measuredSeconds) s at 16 Sync/s:\n\(dump())")
        #expect(
            bcErrors.count == window.count && boundaryClock.p95 <= BoundaryClockInteropTests.boundaryClockP95Bound,
            "the jbod BC's PHC 0 error (TAI − 37 s): \(boundaryClock), bound p95 \(BoundaryClockInteropTests.boundaryClockP95Bound) ns"
        )
        #expect(
            endSlave.p95 <= Self.endSlaveP95Bound,
            "end slave behind the jbod BC: \(endSlave), bound p95 \(Self.endSlaveP95Bound) ns\n\(dump())")
        #expect(
            offsets.count == PTP4lInteropTests.measuredSeconds && worstAlignment <= Self.alignmentBound,
            "PHC 1's true offsets from PHC 0 \(Array(offsets)), bound \(Self.alignmentBound) ns")
        // /metrics shows the aligned PHC (its last measured offset within the same bound) and how often it stepped.
        let metrics = files.run(in: chain.b, [try InteropLab.tool("curl"), "-s", "http://127.0.0.1:9319/metrics"])
        let series = metrics.split(separator: "\n").first { $0.hasPrefix("meridian_phc_alignment_offset_seconds{") }
        let value = series.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(
            series?.contains("phc=\"emulated PHC 1\"") == true && series?.contains("ports=\"2\"") == true
                && value.map { abs($0) <= Double(Self.alignmentBound) / 1e9 } == true,
            "\(metrics.split(separator: "\n").filter { $0.contains("alignment") })")
        #expect(metrics.contains("meridian_phc_alignment_steps_total{"), "\(metrics.prefix(500))")
        let lint = files.run(in: chain.b, [try InteropLab.tool("promtool"), "check", "metrics"], stdin: metrics)
        #expect(lint.isEmpty, "promtool check metrics: \(lint)")
        #expect(files.stop(bcProcess) == 0, "meridiand did not exit 0 on SIGTERM:\n\(files.log("bc.log").suffix(1500))")
    }

    /// The `true offset` of every alignment line (`jbod: … phc offset … true offset N`).
    static func trueOffsets(_ log: String) -> [Int64] {
        log.split(separator: "\n").compactMap { line in
            guard line.contains("jbod: "), let range = line.range(of: "true offset ") else { return nil }
            return Int64(line[range.upperBound...].prefix { $0 == "-" || $0.isNumber })
        }
    }
}

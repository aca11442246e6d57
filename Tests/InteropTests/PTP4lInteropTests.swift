import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// meridiand against linuxptp's ptp4l 3.1 over a veth pair with kernel software timestamps. Every
/// ptp4l runs with `free_running 1`; meridiand runs on its virtual clock: nothing touches CLOCK_REALTIME.
///
/// These prove interoperability with bounds fixed before the run, each measured once over a few seconds.
/// How well Meridian does next to ptp4l (the p50/p95/p99 ratios over pooled windows, on the release build,
/// the daemons pinned to different CPUs) is a benchmark: `make bench` (Benchmarks/interop/bench_interop.py).
@Suite(.serialized)
struct PTP4lInteropTests {
    struct Transport: CustomStringConvertible, Sendable {
        let ptp4lFlags: [String]
        let option: String
        let mechanism: String
        var description: String { "\(option)/\(mechanism)" }
        var peerToPeer: Bool { mechanism == "P2P" }
    }

    static let transports = [
        Transport(ptp4lFlags: ["-4", "-E"], option: "UDPv4", mechanism: "E2E"),
        Transport(ptp4lFlags: ["-2", "-P"], option: "L2", mechanism: "P2P"),
        Transport(ptp4lFlags: ["-6", "-E"], option: "UDPv6", mechanism: "E2E"),
    ]

    /// Offsets (ns) of a free-running ptp4l slave served over a veth pair by a master whose clock is the system
    /// clock (or a virtual clock locked to it) are the measurement error of one software-stamped hop. Chosen
    /// before these tests were cut to one short window, from what they printed in the last clean-clone run of
    /// the 1.2x comparisons (384 offsets per grandmaster and transport: p95 0.98–1.25 µs for either
    /// grandmaster on all three transports) and linuxptp-baseline.md (ptp4l on UDPv4/E2E p95 1.30–1.33 µs; on
    /// P2P the stack latency switches modes for seconds and a run's mean moves by up to ±1.5 µs). A p95 within
    /// 10 µs is eight times the E2E figures and leaves room for a P2P spell and a loaded machine; a master that
    /// gets the protocol wrong (correction, timescale, sequence, delay mechanism) is off by milliseconds or is
    /// not followed at all. Which grandmaster serves better is the benchmark's question.
    static let oneHopP95Bound: Int64 = 10_000
    /// Seconds of offsets measured per case (16 Sync/s), after three seconds of settling.
    static let measuredSeconds = 4

    /// Case 2: a Meridian slave on a virtual clock started 0.2 s and −40 ppm off locks to a ptp4l
    /// grandmaster; its true error (virtual clock − system clock) stays within ±20 µs once it is locked.
    @Test(arguments: try InteropLab.selected(transports))
    func meridianSlaveLocksToPtp4lGrandmaster(_ transport: Transport) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write(
            "gm.cfg",
            "[global]\nfree_running 1\nlogSyncInterval -4\nlogAnnounceInterval -2\nlogMinPdelayReqInterval -4\nuds_address \(lab.file("gm.sock").path)\n"
        )
        let slave = try lab.write(
            "slave.conf",
            """
            [global]
            clock_device virtual
            virtual_clock_offset 0.2
            virtual_clock_freq_ppm -40
            time_stamping software
            slaveOnly 1
            logAnnounceInterval -2
            summary_interval -4
            verbose 1
            use_syslog 0
            pi_proportional_scale 0.7
            pi_integral_scale 0.3
            step_threshold 0.001
            network_transport \(transport.option)
            delay_mechanism \(transport.mechanism)
            logMinPdelayReqInterval -4
            drift_file \(lab.file("drift").path)
            uds_address \(lab.file("m.sock").path)
            uds_ro_address \(lab.file("m-ro.sock").path)
            [\(lab.lab.b.interface)]
            """)
        try lab.start(
            in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"] + transport.ptp4lFlags,
            log: "gm.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "meridiand.log")
        // Locked: in SLAVE state (the servo locked), with a second of offsets since.
        let locked = lab.wait(seconds: 40) {
            let log = lab.log("meridiand.log")
            guard let slave = log.range(of: "UNCALIBRATED to SLAVE") else { return false }
            return InteropLab.trueErrors(String(log[slave.upperBound...])).count >= 16
        }
        #expect(
            locked,
            "meridiand did not lock:\n\(lab.log("meridiand.log").suffix(3000))\n--- ptp4l:\n\(lab.log("gm.log").suffix(1500))")
        guard locked else { return }
        let before = InteropLab.trueErrors(lab.log("meridiand.log")).count
        let wanted = Self.measuredSeconds * 16
        let measured = lab.wait(seconds: Double(Self.measuredSeconds + 5)) {
            InteropLab.trueErrors(lab.log("meridiand.log")).count >= before + wanted
        }
        let window = Array(InteropLab.trueErrors(lab.log("meridiand.log")).dropFirst(before).prefix(wanted))
        let stats = OffsetStatistics(window)
        print("meridiand slave of ptp4l over \(transport): true error \(stats), max \(window.map { abs($0) }.max() ?? 0) ns")
        #expect(measured && window.count == wanted, "\(window.count) of \(wanted) offsets in \(Self.measuredSeconds + 5) s")
        #expect(
            window.allSatisfy { abs($0) < 20_000 }, "true error left ±20 µs: \(stats), max \(window.map { abs($0) }.max() ?? 0)")
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM")
        #expect(lab.log("meridiand.log").contains("shutting down"))
        // The learned frequency was saved at shutdown: the virtual clock runs 40 ppm slow, so the servo
        // holds about +40,000 ppb. (The file keeps the servo's integral term; when it kept the clock's
        // adjustment, the proportional answer to the last offset once made it 42,283 ppb.)
        let drift = (try? String(contentsOf: lab.file("drift"), encoding: .utf8)).flatMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        print("meridiand slave of ptp4l over \(transport): drift file \(drift.map { String($0) } ?? "missing") ppb")
        #expect(drift.map { abs($0 - 40_000) < 1_000 } == true, "drift file holds \(String(describing: drift))")
    }

    static func mean(_ values: [Int64]) -> Int64 { values.reduce(0, +) / Int64(max(1, values.count)) }

    /// For each of `polled`, its distance (ns) to the nearest of `recomputed`.
    static func distances(_ polled: [Int64], _ recomputed: [Int64]) -> [Int64] {
        polled.map { value in recomputed.map { abs($0 - value) }.min() ?? .max }
    }

    /// Waits (at most 30 s) until the free-running slave has taken three seconds of offsets from the master now
    /// serving it (its path-delay median filled), then collects `measuredSeconds` of them (at most 10 s more).
    /// Records an issue and returns nil when the slave did not follow; the window may come back short (the
    /// caller checks its count).
    static func collect(
        _ lab: InteropLab, _ monitor: any SlaveOffsets, also others: [any SlaveOffsets] = [], what: String, dump: () -> String
    ) -> [Int64]? {
        let following = lab.wait(seconds: 30) { monitor.offsets.count >= 48 }
        #expect(following, "the ptp4l slave did not follow \(what):\n\(dump())")
        guard following else { return nil }
        monitor.reset()
        for other in others { other.reset() }
        let wanted = measuredSeconds * 16
        _ = lab.wait(seconds: Double(measuredSeconds + 10)) { monitor.offsets.count >= wanted }
        return Array(monitor.offsets.prefix(wanted))
    }

    /// Case 1: a ptp4l slave (free-running) locks to a Meridian grandmaster and its offsets stay within
    /// ``oneHopP95Bound``. Every Sync's offset is taken: on E2E recomputed from the slave's
    /// `slave_event_monitor` (the way ptp4l's tsproc does), and checked against the slave's own
    /// offsetFromMaster polled through its management socket (`CurrentDataSetPoller`; p50 1–5 ns apart);
    /// on P2P that polled offsetFromMaster is the offset, because slave_event_monitor carries no peer delay.
    /// The grandmaster sends 16 Sync/s and the slave 16 Delay_Req or Pdelay_Req per second, the grandmaster
    /// on CPU 1 and the slave on CPU 0, as in the benchmark; Announce at 4/s, so the slave qualifies the
    /// grandmaster within a second.
    @Test(arguments: try InteropLab.selected(transports))
    func ptp4lSlaveFollowsAMeridianGrandmaster(_ transport: Transport) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let events = try SlaveEventMonitor(path: lab.file("sem.sock").path)
        defer { events.stop() }
        let poller = try CurrentDataSetPoller(server: lab.file("sl.sock").path, path: lab.file("poll.sock").path)
        defer { poller.stop() }
        let monitor: any SlaveOffsets = transport.peerToPeer ? poller : events
        let pdelay = transport.peerToPeer ? "logMinPdelayReqInterval -4\n" : ""
        let slave = try lab.write(
            "slave.cfg",
            "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\n\(pdelay)uds_address \(lab.file("sl.sock").path)\nslave_event_monitor \(events.path)\n"
        )
        let gm = try lab.freeRunningGrandmasterConfig(
            """
            logMinDelayReqInterval -4
            logMinPdelayReqInterval -4
            network_transport \(transport.option)
            delay_mechanism \(transport.mechanism)
            """)
        try lab.start(
            in: lab.lab.a.namespace, "/usr/bin/taskset",
            ["-c", "0", ptp4l, "-S", "-i", lab.lab.a.interface, "-f", slave, "-m"] + transport.ptp4lFlags, log: "slave.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, "/usr/bin/taskset", ["-c", "1", meridiand, "-f", gm], log: "gm.log")
        let dump = { "\(lab.log("slave.log").suffix(2000))\n--- meridiand:\n\(lab.log("gm.log").suffix(2000))" }
        guard let window = Self.collect(lab, monitor, also: [events, poller], what: "meridiand", dump: dump) else { return }
        let stats = OffsetStatistics(window)
        print("ptp4l slave of meridiand over \(transport): \(stats), mean \(Self.mean(window)) ns")
        #expect(
            window.count == Self.measuredSeconds * 16,
            "\(window.count) offsets in \(Self.measuredSeconds) s at 16 Sync/s:\n\(dump())")
        #expect(
            stats.p95 <= Self.oneHopP95Bound,
            "ptp4l slave of meridiand over \(transport): \(stats), bound p95 \(Self.oneHopP95Bound) ns")
        #expect(lab.log("slave.log").contains("selected best master clock"), "\(dump())")
        if !transport.peerToPeer {
            // The recomputed offsets are ptp4l's own: each polled offsetFromMaster is within a few ns of one of
            // them (ptp4l scales t3−t2 by its rate ratio; measured p50 1–5 ns, p95 10–55 ns).
            let distances = Self.distances(poller.offsets, events.offsets).sorted()
            let p50 = distances.isEmpty ? Int64.max : distances[distances.count / 2]
            print(
                "ptp4l slave of meridiand over \(transport): \(distances.count) polled offsetFromMaster values, each from the nearest recomputed offset: p50 \(p50) ns"
            )
            #expect(
                distances.count >= window.count / 2 && p50 <= 20,
                "the recomputed offsets are not the slave's: \(distances.count) polled, p50 \(p50) ns apart")
        }
        #expect(lab.stop(daemon) == 0, "meridiand did not exit 0 on SIGTERM:\n\(lab.log("gm.log").suffix(1500))")
    }
}

/// Case 3: ptp4l grandmaster → Meridian boundary clock (two ports, virtual clock started 50 ms and 20 ppm
/// off) → ptp4l slave (free-running), over UDPv4/E2E, IEEE 802.3/P2P and UDPv6/E2E. The boundary clock
/// locks to the grandmaster, the end slave follows it two steps from the grandmaster, and both stay within
/// bounds fixed before the run: the boundary clock's true error, and the end slave's offsets (its master's
/// error plus one hop's measurement error). On P2P the end slave's offsets are its own offsetFromMaster,
/// polled at every Sync (as case 1), and every daemon sends 16 Pdelay_Req/s; elsewhere 16 Delay_Req/s.
/// The end slave compared with one served by ptp4l directly is the benchmark's case 3.
@Suite(.serialized)
struct BoundaryClockInteropTests {
    struct Chain: CustomStringConvertible, Sendable {
        let option: String
        /// ptp4l's transport flag (`-4`, `-2`, `-6`).
        let flag: String
        let mechanism: String
        var description: String { "\(option)/\(mechanism)" }
        var peerToPeer: Bool { mechanism == "P2P" }
    }

    static let chains = [
        Chain(option: "UDPv4", flag: "-4", mechanism: "E2E"), Chain(option: "L2", flag: "-2", mechanism: "P2P"),
        Chain(option: "UDPv6", flag: "-6", mechanism: "E2E"),
    ]

    /// The boundary clock's |true error| p95 (ns). The last clean-clone run of the 1.2x comparisons printed
    /// p95 0.36–0.45 µs on E2E and 1.04–1.39 µs on P2P (40 s windows), where its mean is its upstream link's
    /// stack bias (−403…−107 ns in that run, −225…+418 ns seen before); 5 µs is 3.6 times the worst.
    static let boundaryClockP95Bound: Int64 = 5_000
    /// The end slave's |offset| p95 (ns): its master's error plus one hop's (``PTP4lInteropTests/oneHopP95Bound``).
    /// That run printed p95 1.17–1.18 µs on E2E and 1.63–1.89 µs on P2P, where two links' stack biases add up;
    /// 15 µs is eight times the worst.
    static let endSlaveP95Bound: Int64 = 15_000

    @Test(arguments: try InteropLab.selected(chains))
    func ptp4lSlaveBehindAMeridianBoundaryClock(_ transport: Chain) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try InteropLab.meridiand()
        let chain = try ChainLab.create(subnet: UInt8(getpid() % 200 + 1))
        defer { chain.remove() }
        let files = try InteropLab()  // a scratch directory and process keeper
        defer { files.tearDown() }
        let events = try SlaveEventMonitor(path: files.file("sem.sock").path)
        defer { events.stop() }
        // On P2P the end slave's offsets are its own offsetFromMaster, read at every Sync (as case 1).
        let poller =
            transport.peerToPeer
            ? try CurrentDataSetPoller(server: files.file("sl.sock").path, path: files.file("poll.sock").path) : nil
        defer { poller?.stop() }
        let monitor: any SlaveOffsets = poller ?? events
        let pdelay = transport.peerToPeer ? "logMinPdelayReqInterval -4\n" : ""
        let bc = try files.write(
            "bc.conf",
            """
            [global]
            clock_device virtual
            virtual_clock_offset 0.05
            virtual_clock_freq_ppm 20
            time_stamping software
            logSyncInterval -4
            logAnnounceInterval -2
            logMinDelayReqInterval -4
            logMinPdelayReqInterval -4
            pi_proportional_scale 0.7
            pi_integral_scale 0.3
            step_threshold 0.001
            summary_interval -4
            verbose 1
            use_syslog 0
            uds_address \(files.file("bc.sock").path)
            uds_ro_address \(files.file("bc-ro.sock").path)
            network_transport \(transport.option)
            delay_mechanism \(transport.mechanism)
            [\(chain.bUpstream)]
            [\(chain.bDownstream)]
            masterOnly 1
            """)
        let slave = try files.write(
            "slave.cfg",
            "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\n\(pdelay)uds_address \(files.file("sl.sock").path)\nslave_event_monitor \(events.path)\n"
        )
        let upstream = try files.write(
            "gm.cfg",
            "[global]\nfree_running 1\npriority1 100\nlogSyncInterval -4\nlogAnnounceInterval -2\nlogMinDelayReqInterval -4\n\(pdelay)uds_address \(files.file("gm.sock").path)\n"
        )
        let mechanism = transport.peerToPeer ? "-P" : "-E"
        try files.start(
            in: chain.c, "/usr/bin/taskset",
            ["-c", "0", ptp4l, "-S", "-i", chain.cInterface, "-f", slave, "-m", transport.flag, mechanism], log: "slave.log")
        try files.start(
            in: chain.a, "/usr/bin/taskset",
            ["-c", "1", ptp4l, "-S", "-i", chain.aInterface, "-f", upstream, "-m", transport.flag, mechanism], log: "gm.log")
        let bcProcess = try files.start(in: chain.b, "/usr/bin/taskset", ["-c", "1", meridiand, "-f", bc], log: "bc.log")
        let dump = {
            "\(files.log("bc.log").suffix(2500))\n--- end slave:\n\(files.log("slave.log").suffix(1500))\n--- grandmaster:\n\(files.log("gm.log").suffix(1000))"
        }

        // Locked: the boundary clock's slave port in SLAVE (its servo locked), three seconds of offsets since.
        let locked = files.wait(seconds: 45) {
            let log = files.log("bc.log")
            guard let slave = log.range(of: "UNCALIBRATED to SLAVE") else { return false }
            return InteropLab.trueErrors(String(log[slave.upperBound...])).count >= 48
        }
        #expect(locked, "the boundary clock did not lock:\n\(dump())")
        guard locked else { return }
        // The end slave's path delays and offsets from here on (the boundary clock stepped while locking).
        monitor.forgetPath()
        events.forgetPath()
        guard let window = PTP4lInteropTests.collect(files, monitor, also: [events], what: "the boundary clock", dump: dump)
        else { return }
        let bcErrors = Array(InteropLab.trueErrors(files.log("bc.log")).suffix(window.count))
        let (endSlave, boundaryClock) = (OffsetStatistics(window), OffsetStatistics(bcErrors))
        let mean = PTP4lInteropTests.mean
        print(
            "ptp4l slave behind a Meridian BC over \(transport): \(endSlave), mean \(mean(window)) ns; BC true error \(boundaryClock), mean \(mean(bcErrors)) ns"
        )
        #expect(
            window.count == PTP4lInteropTests.measuredSeconds * 16,
            "\(window.count) offsets in \(PTP4lInteropTests.measuredSeconds) s at 16 Sync/s:\n\(dump())")
        #expect(bcErrors.count == window.count, "the boundary clock printed \(bcErrors.count) true errors")
        #expect(
            boundaryClock.p95 <= Self.boundaryClockP95Bound,
            "BC true error over \(transport): \(boundaryClock), bound p95 \(Self.boundaryClockP95Bound) ns")
        #expect(
            endSlave.p95 <= Self.endSlaveP95Bound,
            "end slave behind the BC over \(transport): \(endSlave), bound p95 \(Self.endSlaveP95Bound) ns")

        // The end slave sees the grandmaster through the boundary clock, two steps away.
        let grandmaster = InteropLab.identity(files.log("gm.log"), "selected local clock")
        let view = files.run(
            in: chain.c, [pmc, "-u", "-b", "0", "-s", files.file("sl.sock").path, "GET CURRENT_DATA_SET", "GET PARENT_DATA_SET"])
        #expect(
            grandmaster != nil && InteropLab.field(view, "grandmasterIdentity") == grandmaster,
            "grandmaster \(grandmaster ?? "unknown"); the end slave says:\n\(view)")
        #expect(InteropLab.field(view, "stepsRemoved") == "2", "\(view)")
        #expect(files.stop(bcProcess) == 0, "meridiand did not exit 0 on SIGTERM:\n\(files.log("bc.log").suffix(1500))")
    }
}

extension SerializedInteropTests {
    /// Case 5: two grandmasters on one segment, one Meridian and one ptp4l with different priority1, and a
    /// ptp4l slave. All three agree on the best; when it is killed the other takes over within
    /// announceReceiptTimeout × the announce interval plus one interval (3 × 1 s + up to 1 s of random
    /// extension, ptp4l's `set_tmo_random` and ours), and the slave's offsets stay small (nothing steps).
    /// Run both ways: Meridian the best (ptp4l takes over) and ptp4l the best (Meridian takes over). Times
    /// come from the daemons' own log stamps (CLOCK_MONOTONIC, as ptp4l prints) against the moment of the kill.
    @Suite(.serialized)
    struct FailoverInteropTests {
        @Test(arguments: [true, false])
        func theBackupGrandmasterTakesOverWhenTheBestOneDies(meridianIsBest: Bool) throws {
            let ptp4l = try InteropLab.tool("ptp4l")
            let meridiand = try InteropLab.meridiand()
            let rig = try SegmentRig(subnet: UInt8(getpid() % 200 + 20))
            defer { rig.tearDown() }
            let (files, monitor) = (rig.files, rig.monitor)
            let (meridianHost, ptp4lHost, slaveHost) = (rig.hosts[0], rig.hosts[1], rig.hosts[2])
            let (meridianPriority, ptp4lPriority) = meridianIsBest ? (100, 110) : (110, 100)
            let meridianConf = try files.meridianConfig(
                "meridian", interface: meridianHost.interface, "priority1 \(meridianPriority)\nlogAnnounceInterval 0")
            let ptp4lConf = try files.write(
                "ptp4l.cfg",
                "[global]\nfree_running 1\npriority1 \(ptp4lPriority)\nlogSyncInterval -4\nlogAnnounceInterval 0\nuds_address \(files.file("b.sock").path)\n"
            )
            let slave = try files.write(
                "slave.cfg",
                "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval 0\nuds_address \(files.file("s.sock").path)\nslave_event_monitor \(monitor.path)\n"
            )
            let meridian = try files.start(in: meridianHost.namespace, meridiand, ["-f", meridianConf], log: "meridian.log")
            let other = try files.start(
                in: ptp4lHost.namespace, ptp4l, ["-S", "-i", ptp4lHost.interface, "-f", ptp4lConf, "-m"], log: "ptp4l.log")
            try files.start(
                in: slaveHost.namespace, ptp4l, ["-S", "-i", slaveHost.interface, "-f", slave, "-m"], log: "slave.log")
            let (bestLog, backupLog) = meridianIsBest ? ("meridian.log", "ptp4l.log") : ("ptp4l.log", "meridian.log")
            let dump = {
                "\(files.log("meridian.log").suffix(1500))\n--- ptp4l:\n\(files.log("ptp4l.log").suffix(1500))\n--- slave:\n\(files.log("slave.log").suffix(1500))"
            }

            // Agreement: the best one is grandmaster; the other two selected it. A Meridian backup must have
            // settled on ptp4l's time (10 s of offsets, true error p95 below 10 µs over them: the bridge's
            // jitter keeps it moving by µs), so that the slave's offsets after failover show what failover
            // does, not where the backup's pull-in happened to be when the best one died.
            let settled = 160
            let agreed = files.wait(seconds: 60) {
                guard
                    files.log(bestLog).contains("assuming the grand master role")
                        && files.log(backupLog).contains("selected best master clock")
                        && files.log("slave.log").contains("selected best master clock") && monitor.offsets.count > 20
                else { return false }
                if meridianIsBest { return true }
                let recent = InteropLab.trueErrors(files.log("meridian.log")).suffix(settled)
                return recent.count == settled && OffsetStatistics(Array(recent)).p95 < 10_000
            }
            #expect(agreed, "no agreement:\n\(dump())")
            guard agreed else { return }
            let bestIdentity = InteropLab.identity(files.log(bestLog), "selected local clock")
            let chosenByBackup = InteropLab.identity(files.log(backupLog), "selected best master clock")
            let chosenBySlave = InteropLab.identity(files.log("slave.log"), "selected best master clock")
            #expect(
                bestIdentity != nil && chosenByBackup == bestIdentity && chosenBySlave == bestIdentity,
                "best \(bestIdentity ?? "?"), backup chose \(chosenByBackup ?? "?"), slave chose \(chosenBySlave ?? "?")")

            // Kill the best one; the backup's and the slave's log stamps say when each reacted.
            monitor.reset()
            let killed = InteropLab.monotonicNow()
            let victim = meridianIsBest ? meridian : other
            kill(victim.processIdentifier, SIGKILL)
            let victimNamespace = meridianIsBest ? meridianHost.namespace : ptp4lHost.namespace
            for pid in (try? LabCommand.run("ip", ["netns", "pids", victimNamespace]))?.split(separator: "\n").compactMap({
                Int32($0)
            }) ?? [] {
                kill(pid, SIGKILL)
            }
            // The backup selects itself (ptp4l and meridiand both log `selected local clock ID as best master`) and
            // goes to MASTER; the slave selects it. Lines before the kill do not count: at start-up either may have
            // selected itself for a moment before it heard the other.
            let tookOver = files.wait(seconds: 20) {
                InteropLab.firstLine(files.log(backupLog), after: killed, containing: "to MASTER on") != nil
                    && InteropLab.firstLine(files.log(backupLog), after: killed, containing: "selected local clock") != nil
                    && InteropLab.firstLine(files.log("slave.log"), after: killed, containing: "selected best master clock")
                        != nil
            }
            #expect(tookOver, "no takeover:\n\(dump())")
            guard tookOver else { return }
            guard
                let master = InteropLab.firstLine(files.log(backupLog), after: killed, containing: "to MASTER on").flatMap(
                    InteropLab.monotonic),
                let selfSelected = InteropLab.firstLine(files.log(backupLog), after: killed, containing: "selected local clock"),
                let selected = InteropLab.firstLine(
                    files.log("slave.log"), after: killed, containing: "selected best master clock")
            else {
                Issue.record("the takeover's log lines went missing:\n\(dump())")
                return
            }
            let backupIdentity = InteropLab.identity(String(selfSelected), "selected local clock")
            let switched = (InteropLab.monotonic(selected) ?? killed) - killed
            print(
                "failover (\(meridianIsBest ? "Meridian best, ptp4l backup" : "ptp4l best, Meridian backup")): the backup became master \(String(format: "%.2f", master - killed)) s after the kill, the slave selected it \(String(format: "%.2f", switched)) s after (\(selected.split(separator: " ").last ?? ""))"
            )
            // announceReceiptTimeout × interval plus one interval, counted from the kill (the last Announce
            // came at most one interval before it, so this holds with room).
            #expect(master - killed <= 3 * 1 + 1, "the backup took \(master - killed) s")
            // The slave heard nothing from the backup while it was a slave: it qualifies the new master's
            // Announce messages (two, 9.3.2.5) after its own timeout of the dead one, so up to one more interval.
            #expect(switched <= 3 * 1 + 1 + 1.2, "the slave took \(switched) s")
            #expect(
                backupIdentity.map { selected.contains($0) } == true,
                "the slave selected \(selected), the backup is \(backupIdentity ?? "unknown")")
            _ = files.wait(seconds: 25) { monitor.offsets.count >= 256 }
            let offsets = monitor.offsets
            let after = OffsetStatistics(offsets)
            print("slave offsets after failover: \(after)")
            if !meridianIsBest {
                let holdover =
                    files.log("meridian.log").split(separator: "\n").last { $0.contains("holdover (") } ?? "no holdover line"
                print(
                    "Meridian backup: true error before the kill \(OffsetStatistics(Array(InteropLab.trueErrors(files.log("meridian.log")).suffix(settled)))); \(holdover)"
                )
                // The Sync watchdog, not the announce timeout seconds later, put the clock into holdover.
                #expect(holdover.contains("holdover (no Sync for"), "\(holdover)")
            }
            // Sixteen seconds of the new master's Syncs (16/s): what the bounds below are judged on.
            #expect(offsets.count >= 256, "the slave took \(offsets.count) offsets from the new master in 25 s:\n\(dump())")
            guard offsets.count >= 256 else { return }
            // A bridge adds tens of µs of jitter on this VM (linuxptp-baseline.md), up to 100 µs in a noisy
            // spell; a step would be milliseconds or more. The slave runs free (free_running 1), so a step of the
            // new master's clock stays in every offset after it: judged on the median of each five in a row, which
            // one packet delayed by milliseconds (the machine busy with the other interop groups) does not move and
            // a step does.
            #expect(after.p95 < 100_000, "the slave's offsets jumped after failover: \(after)")
            let rolling = offsets.indices.dropLast(4).map { i in offsets[i..<(i + 5)].map { abs($0) }.sorted()[2] }
            #expect(
                (rolling.max() ?? 0) < 1_000_000,
                "a step of \(rolling.max() ?? 0) ns after failover (the median of five offsets in a row; the largest single offset \(offsets.map { abs($0) }.max() ?? 0) ns)"
            )
            // Holdover: the new master's clock must run on a frequency it learned, not on its last adjustment
            // (which on these stamps is off by thousands of ppb). The slave's offsets then stay level: their slope
            // over 15 s (Theil–Sen: the median of the slopes between every two offsets, which a spell of delayed
            // packets does not bend), leaving out the first second, whose path delay still mixes the old master's.
            // The span is what the measurement needs: the bridge's latency here moves between modes µs apart for
            // seconds at a time, so a slope over a few seconds is off by hundreds of ppb even when ptp4l is the
            // backup (it holds the very system clock the slave runs on: a true drift of zero).
            do {
                func median(_ v: ArraySlice<Int64>) -> Int64 { v.sorted()[v.count / 2] }
                let measured = Array(offsets.dropFirst(16).prefix(240))
                var slopes: [Double] = []
                slopes.reserveCapacity(measured.count * measured.count / 2)
                for i in measured.indices {
                    for j in measured.indices where j > i {
                        slopes.append(Double(measured[j] - measured[i]) * 16 / Double(j - i))
                    }
                }
                slopes.sort()
                let drift = slopes[slopes.count / 2]
                print(
                    "slave offsets after failover drift \(Int(drift)) ns/s (Theil–Sen over \(String(format: "%.1f", Double(measured.count) / 16)) s; median \(median(measured.prefix(16))) → \(median(measured.suffix(16))) ns in its first and last second)"
                )
                #expect(
                    abs(drift) < 2_000,
                    "the new master's clock drifts \(Int(drift)) ppb against the old one's: holdover is not on a learned frequency"
                )
            }
        }
    }
}

import Foundation
import LinuxPlatform
import Testing

extension SerializedInteropTests {
    /// The zone's top tier: an active and a standby Meridian grandmaster, each on its own (simulated) GNSS
    /// reference, and a ptp4l host, on one segment. The standby starts as a slave of the active one (its
    /// clock follows over PTP) and judges its own reference against that clock without steering it; once
    /// they agree it announces class 6 and, as IEEE 1588 9.3.3 wants of a class-6 clock that is not the best,
    /// goes PASSIVE with its one servo now following its reference — without a step. When the active one
    /// loses GNSS it goes into holdover (class 7), the standby wins the BMCA and becomes master: nothing
    /// steps, on the standby or on the host.
    ///
    /// Both grandmasters have the same priority1 (it is compared before clockClass, so a better priority1
    /// would keep a grandmaster in holdover active); priority2 makes the active one active.
    @Suite(.serialized)
    struct GrandmasterFailoverTests {
        @Test func theStandbyTakesOverWhenTheActiveLosesGNSSWithoutAStep() throws {
            let ptp4l = try InteropLab.tool("ptp4l")
            let meridiand = try InteropLab.meridiand()
            let rig = try SegmentRig(subnet: UInt8(getpid() % 200 + 21))
            defer { rig.tearDown() }
            let (files, monitor) = (rig.files, rig.monitor)
            let (activeHost, standbyHost, slaveHost) = (rig.hosts[0], rig.hosts[1], rig.hosts[2])
            func grandmaster(_ name: String, priority2: Int, offset: Double, ppm: Double, outage: String, interface: String)
                throws -> String
            {
                try files.meridianConfig(
                    name, interface: interface,
                    """
                    priority1 128
                    priority2 \(priority2)
                    virtual_clock_offset \(offset)
                    virtual_clock_freq_ppm \(ppm)
                    reference simulated
                    sim_gnss_jitter_ns 50
                    logAnnounceInterval 0
                    \(outage)
                    """)
            }
            // The active one loses GNSS 65 s after it starts, for 25 s: both must have settled by then (below).
            let active = try grandmaster(
                "active", priority2: 100, offset: 0.1, ppm: 10, outage: "sim_gnss_outage_after 65\nsim_gnss_outage_duration 25",
                interface: activeHost.interface)
            // The standby judges its receiver against a clock it steers over PTP across this bridge, whose
            // jitter (path delay 12 µs, offsets ±5 µs on a noisy spell) moves that clock by µs: the default
            // lock threshold (holdover_max_error, 1.5 µs for 8 samples in a row) then waits out the spell, and
            // one clean-clone run saw no agreement within 48 s (true error −1.5…−4 µs). 5 µs is what this
            // link can show; the standby's own true error once its receiver steers is checked below.
            let standby = try grandmaster(
                "standby", priority2: 110, offset: -0.3, ppm: -20, outage: "sim_gnss_seed 2\ngnss_lock_threshold 5000",
                interface: standbyHost.interface)
            let slave = try files.write(
                "slave.cfg",
                "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval 0\nuds_address \(files.file("s.sock").path)\nslave_event_monitor \(monitor.path)\n"
            )
            try files.start(in: activeHost.namespace, meridiand, ["-f", active], log: "active.log")
            try files.start(in: standbyHost.namespace, meridiand, ["-f", standby], log: "standby.log")
            try files.start(
                in: slaveHost.namespace, ptp4l, ["-S", "-i", slaveHost.interface, "-f", slave, "-m"], log: "slave.log")
            let dump = {
                "\(files.log("active.log").suffix(2500))\n--- standby:\n\(files.log("standby.log").suffix(2500))\n--- slave:\n\(files.log("slave.log").suffix(1000))"
            }

            // Both locked: the active one to its reference, the standby over PTP, its own reference agreeing (class 6).
            // Alone that takes 15-25 s here; one clean-clone run, beside the zone lab's eight daemons in the other
            // interop group, saw no class 6 on the standby within 48 s, so it has until just before the outage.
            let ready = files.wait(seconds: 62) {
                files.log("active.log").contains("announcing clockClass 6")
                    && files.log("standby.log").contains("announcing clockClass 6")
                    && files.log("slave.log").contains("selected best master clock")
            }
            #expect(ready, "the zone did not settle:\n\(dump())")
            guard ready else { return }
            let activeIdentity = InteropLab.identity(files.log("active.log"), "selected local clock")
            #expect(
                activeIdentity != nil
                    && InteropLab.identity(files.log("slave.log"), "selected best master clock") == activeIdentity)
            #expect(
                InteropLab.identity(files.log("standby.log"), "selected best master clock") == activeIdentity,
                "the standby does not follow the active grandmaster:\n\(dump())")

            // GNSS lost on the active one: holdover (class 7); the standby takes over; the host follows it.
            let holdover = files.wait(seconds: 65) { files.log("active.log").contains("announcing clockClass 7") }
            #expect(holdover, "the active grandmaster did not go into holdover:\n\(dump())")
            guard holdover else { return }
            let lost = try #require(
                InteropLab.firstLine(files.log("active.log"), containing: "-> holdover").flatMap(InteropLab.monotonic),
                "no stamped `-> holdover` line:\n\(dump())")
            monitor.reset()
            let standbyIdentity = try #require(
                InteropLab.identity(files.log("standby.log"), "clock identity"),
                "the standby logged no clock identity:\n\(dump())")
            let hostSelectsStandby = "selected best master clock \(standbyIdentity)"
            let tookOver = files.wait(seconds: 10) {
                InteropLab.firstLine(files.log("standby.log"), after: lost, containing: "to MASTER on") != nil
                    && InteropLab.firstLine(files.log("slave.log"), after: lost, containing: hostSelectsStandby) != nil
            }
            #expect(tookOver, "the standby did not take over:\n\(dump())")
            guard tookOver else { return }
            // Found by the wait above, which compares their stamps: both are there.
            let standbyMaster = try #require(
                InteropLab.firstLine(files.log("standby.log"), after: lost, containing: "to MASTER on").flatMap(
                    InteropLab.monotonic))
            let hostSwitched = try #require(
                InteropLab.firstLine(files.log("slave.log"), after: lost, containing: hostSelectsStandby).flatMap(
                    InteropLab.monotonic))
            let hostChoices = files.log("slave.log").split(separator: "\n").filter { $0.contains("selected best master clock") }
                .suffix(4)
            #expect(
                InteropLab.identity(files.log("slave.log"), "selected best master clock") == standbyIdentity,
                "active \(activeIdentity ?? "?"), standby \(standbyIdentity), host: \(hostChoices)\n\(dump())")
            print(
                "GNSS failover: standby grandmaster \(String(format: "%.2f", standbyMaster - lost)) s, host switched \(String(format: "%.2f", hostSwitched - lost)) s after the active one entered holdover"
            )
            // The standby: one announce interval for the class-7 Announce to arrive, the BMCA runs on it at once.
            // The host: the standby was PASSIVE (silent), so ptp4l qualifies its Announce again (two of them,
            // 9.3.2.5) before it selects it.
            #expect(standbyMaster - lost < 2.5)
            #expect(hostSwitched - lost < 4.5)

            // The standby's servo moved from the PTP port to its reference before (when it went PASSIVE), and
            // it never stepped since.
            _ = files.wait(seconds: 12) { monitor.offsets.count > 150 }
            let standbyLog = files.log("standby.log")
            let switched = InteropLab.firstLine(standbyLog, containing: "servo now follows the time reference").flatMap(
                InteropLab.monotonic)
            #expect(
                switched != nil
                    && InteropLab.firstLine(standbyLog, containing: "to PASSIVE on").flatMap(InteropLab.monotonic) != nil,
                "\(dump())")
            let stepsAfterLock = standbyLog.split(separator: "\n").filter {
                ($0.contains("stepped")) && (InteropLab.monotonic($0) ?? 0) >= (switched ?? 0)
            }
            #expect(stepsAfterLock.isEmpty, "the standby stepped during failover: \(stepsAfterLock)")
            let standbyErrors = InteropLab.trueErrors(
                standbyLog.split(separator: "\n").filter { (InteropLab.monotonic($0) ?? 0) > standbyMaster }.joined(
                    separator: "\n"))
            let worst = standbyErrors.map { abs($0) }.max() ?? .max
            print("standby's true error after it took over: n=\(standbyErrors.count), max |error| \(worst) ns")
            #expect(!standbyErrors.isEmpty && worst < 5_000, "the standby's clock moved: max |true error| \(worst) ns")
            // Both grandmasters announce the PTP timescale: the host's raw offsets (its UTC system clock against
            // TAI) carry the 37 s that ptp4l itself takes off (`updating UTC offset to 37`).
            let hostOffsets = monitor.offsets.map { $0 + 37_000_000_000 }
            let host = OffsetStatistics(hostOffsets)
            print("host's offsets after failover: \(host)")
            #expect(host.count > 100)
            // A bridge adds tens of µs of jitter on this VM, up to 100 µs in a noisy spell (so p95, as case 5);
            // a step would be the two clocks' difference, and the largest offset shows it.
            #expect(host.p95 < 100_000 && (hostOffsets.map { abs($0) }.max() ?? 0) < 1_000_000, "the host saw a step: \(host)")
        }
    }
}

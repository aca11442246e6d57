import MeridianZone
import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import Testing

/// Per-clock profiles and servo settings in a zone file, and the `restart` fault (issue 18): what the file says
/// reaches the engine each clock runs, and a restarted boundary clock starts from scratch and reacquires.
@Suite struct ZoneProfileTests {
    static let mixed = """
        zone: p
        duration: 40
        settle: 20
        defaults: {profile: G.8275.1}
        clocks:
          - {name: gm, role: grandmaster, gnss: true, oscillator: rubidium, gnss_lock_threshold_ns: 5000}
          - {name: bc, role: boundary, servo: {kind: linreg, step_threshold_s: 0.5}}
          - {name: h, role: host, oscillator: tcxo, servo: {kp: 0.5, ki: 0.1, first_step_threshold_s: 0.0001}}
          - {name: g, role: host, profile: gPTP, priority2: 7}
        links:
          - {between: [gm, bc], delay_ns: 500, jitter_ns: 10}
          - {between: [bc, h], delay_ns: 500, jitter_ns: 10}
          - {between: [bc, g], delay_ns: 500, jitter_ns: 10}
        """

    @Test func profilesAndServoSettingsReachTheEngine() throws {
        let description = try ZoneFile.parse(Self.mixed, file: "p.yaml")
        let zone = try description.expanded()
        let clocks = Dictionary(uniqueKeysWithValues: zone.clocks.map { ($0.name, $0) })
        #expect(clocks["gm"]?.profile == .g8275_1)
        #expect(clocks["bc"]?.servo == .linreg)
        #expect(clocks["bc"]?.servoSettings.stepThreshold == 0.5)
        #expect(clocks["h"]?.servoSettings.kp == 0.5 && clocks["h"]?.servoSettings.ki == 0.1)
        // gPTP.cfg: priority1 248 unless given; the priority2 given wins.
        #expect(clocks["g"]?.profile == .gptp)
        #expect(clocks["g"]?.priority1 == 248 && clocks["g"]?.priority2 == 7)

        let network = ZoneRunner.network(for: description, zone)
        let index = zone.index
        let gm = network.clocks[index["gm"] ?? 0]
        let bc = network.clocks[index["bc"] ?? 0]
        let h = network.clocks[index["h"] ?? 0]
        let g = network.clocks[index["g"] ?? 0]
        // G.8275.1.cfg: the telecom BMCA, Announce 8/s, Sync and Delay_Req 16/s; the BC is a T-BC (135 in
        // holdover), the grandmaster with GNSS is not.
        #expect(bc.bmca.comparison == .g8275)
        #expect(bc.bmca.boundaryClockHoldover != nil)
        #expect(gm.bmca.boundaryClockHoldover == nil)
        #expect(gm.reference?.configuration.lockThreshold == .microseconds(5))
        #expect(bc.reference == nil)
        #expect(h.bmca.boundaryClockHoldover == nil)
        #expect(bc.port.logAnnounceInterval == LogInterval(-3))
        #expect(bc.port.logMinDelayReqInterval == LogInterval(-4))
        #expect(bc.port.maxStepsRemoved == 255)
        // The servo settings, in ptp4l's units.
        #expect(bc.servo == .linreg)
        #expect(bc.servoConfiguration.stepThreshold == .milliseconds(500))
        #expect(h.servoConfiguration.piProportionalConst == 0.5)
        #expect(h.servoConfiguration.firstStepThreshold == .microseconds(100))
        // gPTP.cfg: peer delay, transportSpecific 1, Sync 8/s with a receipt timeout, the 802.1AS TLVs.
        #expect(g.port.delayMechanism == .p2p)
        #expect(g.port.transportSpecific == 1)
        #expect(g.port.logSyncInterval == LogInterval(-3))
        #expect(g.port.syncReceiptTimeout == 3)
        #expect(g.port.followUpInformation && g.port.pathTrace)
        #expect(g.bmca.comparison == .ieee1588)
    }

    @Test func badProfileAndServoSettingsNameTheirLine() {
        func error(_ text: String) -> ZoneFileError? {
            do {
                _ = try ZoneFile.parse(text, file: "p.yaml")
                return nil
            } catch {
                return error
            }
        }
        let profile = error(Self.mixed.replacingFirst("profile: gPTP", "profile: AES67"))
        #expect(profile?.line == 9)
        #expect(profile?.message.contains("G.8275.1") == true)
        let servo = error(Self.mixed.replacingFirst("kind: linreg", "kind: pid"))
        #expect(servo?.description.hasPrefix("p.yaml:7: 'kind' must be pi or linreg") == true)
        let lock = error(Self.mixed.replacingFirst("role: boundary,", "role: boundary, gnss_lock_threshold_ns: 10,"))
        #expect(lock?.description == "p.yaml:7: 'gnss_lock_threshold_ns' needs 'gnss: true'")
        let key = error(Self.mixed.replacingFirst("kp: 0.5", "gain: 0.5"))
        #expect(key?.line == 8)
        #expect(key?.message.contains("unknown key 'gain'") == true)
    }

    /// A G.8275.1 zone and a gPTP zone each lock through a boundary clock, with the hosts within 1 µs of
    /// true time after 20 s (hardware stamps: a few ns per hop; the bound is the G.8271.1 edge budget).
    @Test(arguments: [ZoneProfile.g8275_1, .gptp])
    func aZoneOfOneProfileLocks(_ profile: ZoneProfile) throws {
        let text = """
            zone: one
            duration: 40
            settle: 20
            defaults: {profile: \(profile.rawValue)}
            clocks:
              - {name: gm, role: grandmaster, gnss: true, oscillator: rubidium}
              - {name: bc, role: boundary}
              - {name: h1, role: host, oscillator: tcxo}
              - {name: h2, role: host}
            links:
              - {between: [gm, bc], delay_ns: 500, jitter_ns: 10}
              - {between: [bc, h1], delay_ns: 500, jitter_ns: 10}
              - {between: [bc, h2], delay_ns: 500, jitter_ns: 10}
            """
        let report = try ZoneRunner.run(try ZoneFile.parse(text, file: "one.yaml"))
        for clock in report.clocks where clock.role == .host {
            #expect(clock.grandmaster == "gm", "\(profile.rawValue) \(clock.name)")
            #expect(clock.histogram.maximum < 1000, "\(profile.rawValue) \(clock.name): \(clock.histogram.maximum) ns")
            #expect(clock.steps == 0 || clock.steps == 1)  // the first step, before settle, at most
        }
    }

    /// `restart` as the daemon restarts: while stopped the boundary clock sends nothing; when it starts again
    /// its engine is new (ports from INITIALIZING, no foreign masters, the servo unlocked), and its clock has
    /// kept the frequency adjustment it had.
    @Test func aRestartStartsTheEngineAfresh() throws {
        let text = """
            zone: r
            duration: 60
            clocks:
              - {name: gm, role: grandmaster, gnss: true, oscillator: rubidium}
              - {name: bc, role: boundary}
              - {name: h, role: host}
            links:
              - {between: [gm, bc], delay_ns: 500, jitter_ns: 10}
              - {between: [bc, h], delay_ns: 500, jitter_ns: 10}
            """
        let description = try ZoneFile.parse(text, file: "r.yaml")
        let zone = try description.expanded()
        let sim = Simulation(network: ZoneRunner.network(for: description, zone), seed: 1)
        let bc = zone.index["bc"] ?? 0
        sim.run(for: .seconds(40))
        try #require(sim.servoState(of: bc) == .locked)
        #expect(sim.instance(bc).ports[0].foreignMasters.records.count == 1)
        let adjustment = sim.oscillator(of: bc).adjustment
        #expect(adjustment != .zero)
        sim.setDaemonRunning(bc, false)
        #expect(sim.isDaemonStopped(bc))
        let delivered = sim.messagesDelivered
        let statistics = sim.statistics(of: bc)
        sim.run(for: .seconds(5))
        // Stopped: nothing measured by the BC; its host heard nothing from it (the only messages delivered are
        // none to or from the BC, and the BC is the host's only link).
        #expect(sim.statistics(of: bc).measurements == statistics.measurements)
        #expect(sim.messagesDelivered == delivered)
        #expect(sim.oscillator(of: bc).adjustment == adjustment)
        sim.setDaemonRunning(bc, true)
        #expect(!sim.isDaemonStopped(bc))
        #expect(sim.servoState(of: bc) == .unlocked)
        #expect(sim.instance(bc).ports.allSatisfy { $0.foreignMasters.records.isEmpty })
        #expect(sim.instance(bc).ports.allSatisfy { $0.state == .listening })
        sim.run(for: .seconds(20))
        #expect(sim.servoState(of: bc) == .locked)
        #expect(sim.portStates(of: bc) == [.slave, .master])
    }

    /// A zone file's `restart` of a boundary clock for 10 s: the report says when it locked again, and its
    /// hosts' recovery: every clock back within 1 µs (the zone's threshold) and no step. Bounds fixed before
    /// the run: relocked within 30 s of the fault (10 s stopped, then Announce qualification and a few seconds
    /// of PI acquisition); the hosts in holdover meanwhile (TCXO, 1 ppb/√s wander) stay under 1 µs. (One run:
    /// relocked after 12.75 s, hosts within 192 ns, the hosts following gm again 9 s after the BC's return.)
    @Test func aRestartedBoundaryClockReacquiresAndTheReportSaysSo() throws {
        let text = """
            zone: restart
            duration: 90
            settle: 20
            clocks:
              - {name: gm, role: grandmaster, gnss: true, oscillator: rubidium}
              - {name: bc, role: boundary}
              - {name: h1, role: host, oscillator: tcxo}
              - {name: h2, role: host}
            links:
              - {between: [gm, bc], delay_ns: 500, jitter_ns: 10}
              - {between: [bc, h1], delay_ns: 300, jitter_ns: 10}
              - {between: [bc, h2], delay_ns: 300, jitter_ns: 10}
            faults:
              - {at: 40, restart: bc, for: 10}
            """
        let report = try ZoneRunner.run(try ZoneFile.parse(text, file: "restart.yaml"))
        let fault = try #require(report.faults.first)
        let reacquired = try #require(fault.reacquired)
        // Not before 11 s: stopped 10 s, then at least one Announce interval (2 s) to qualify the grandmaster
        // again (a BC that kept its servo would be locked at the first sample after its return).
        #expect(reacquired > 11 && reacquired <= 30)
        // The hosts lost their master (they follow themselves while it is away), then follow gm again.
        #expect(report.bmcaChanges.contains { $0.grandmaster == "h1" && $0.time > 40 && $0.time < 50 })
        #expect(report.bmcaChanges.contains { $0.grandmaster == "gm" && $0.time > 50 })
        #expect(fault.recovery != nil)
        #expect(fault.steps == 0)
        #expect(fault.hostPeak < 1000)
        #expect(report.clocks.filter { $0.role == .host }.allSatisfy { $0.grandmaster == "gm" && $0.servoState == .locked })
        #expect(report.text.contains("restart bc at 40 s for 10 s: "))
        #expect(report.text.contains("bc locked again after "))
        #expect(report.json.contains("\"reacquired\": \(format3(reacquired))"))
    }

    func format3(_ x: Double) -> String {
        let thousandths = Int64((x * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

import GNSSReference
import LinuxPlatform
import PTPCore
import Testing

@Suite struct PPSPairingTests {
    func pps(_ second: Int64, _ clockNS: Int64 = 150_000) -> GPSDReport {
        .pps(
            GPSDTimePair(
                real: UnixTime(seconds: second, nanoseconds: 0), clock: UnixTime(seconds: second, nanoseconds: clockNS),
                precision: -20))
    }
    func tpv(_ second: Int64?, mode: Int = 3) -> GPSDReport {
        .fix(GNSSFix(mode: mode, status: 0, time: second.map { UnixTime(seconds: $0, nanoseconds: 0) }, leapSeconds: 18))
    }

    @Test func pairsByTheSecondNotByArrival() {
        var pairing = PPSPairing()
        #expect(pairing.add(.connected).isEmpty)
        #expect(pairing.add(.satellites(used: 9, visible: 12)).isEmpty)
        // First cycle: a TPV without time labels nothing.
        #expect(pairing.add(tpv(nil, mode: 0)).isEmpty)
        // PPS of 100, then the late TPV of 99 (the previous second): not a pair.
        #expect(pairing.add(pps(100)).isEmpty)
        #expect(pairing.add(tpv(99)).isEmpty)
        // TPV of 100 completes the waiting pulse.
        let pairs = pairing.add(tpv(100))
        #expect(pairs.count == 1)
        #expect(
            pairs.first?.pulse.real.seconds == 100 && pairs.first?.fix.time?.seconds == 100 && pairs.first?.satellitesUsed == 9)
        // A TPV that came before its pulse is remembered.
        #expect(pairing.add(tpv(101)).isEmpty)
        #expect(pairing.add(pps(101)).count == 1)
        // A pulse whose TPV never comes is dropped and counted when later seconds arrive.
        #expect(pairing.add(pps(102)).isEmpty)
        #expect(pairing.add(pps(103)).isEmpty)
        #expect(pairing.add(pps(104)).isEmpty)
        #expect(pairing.unpaired >= 1)
        #expect(pairing.add(tpv(104)).count == 1)
        #expect(pairing.paired == 3)
        // A TOFF is remembered as the serial latency; a reconnect forgets what was pending.
        _ = pairing.add(
            .timeOffset(
                GPSDTimePair(
                    real: UnixTime(seconds: 105, nanoseconds: 0), clock: UnixTime(seconds: 105, nanoseconds: 100_400_000))))
        #expect(pairing.lastTimeOffset == 100_400_000)
        #expect(pairing.add(pps(106)).isEmpty)
        _ = pairing.add(.disconnected(reason: "x", retryAfterMilliseconds: 1))
        #expect(pairing.add(tpv(106)).isEmpty)
    }

    @Test func withoutAFixNoSatellitesAreUsedUntilTheNextSky() {
        var pairing = PPSPairing()
        _ = pairing.add(.satellites(used: 9, visible: 9))
        _ = pairing.add(pps(200))
        #expect(pairing.add(tpv(200)).first?.satellitesUsed == 9)
        // gpsd 3.22 sends no SKY without a fix: the TPV's mode 1 is what says no satellite is used.
        _ = pairing.add(pps(201))
        let noFix = pairing.add(tpv(201, mode: 1))
        #expect(noFix.first?.satellitesUsed == 0 && noFix.first?.fix.mode == 1)
        _ = pairing.add(.satellites(used: 8, visible: 9))
        _ = pairing.add(pps(202))
        #expect(pairing.add(tpv(202)).first?.satellitesUsed == 8)
        var labeller = TimeOfDayLabeller()
        labeller.add(.satellites(used: 9, visible: 9), arrival: PTPInstant(seconds: 300))
        labeller.add(tpv(300, mode: 1), arrival: PTPInstant(seconds: 300, nanoseconds: 100_000_000))
        #expect(labeller.satellitesUsed == 0)
    }
}

@Suite struct TimeOfDayLabellerTests {
    @Test func edgesTakeTheSecondAfterTheLatestTimeOfDay() throws {
        var labeller = TimeOfDayLabeller()
        let fix = GPSDReport.fix(GNSSFix(mode: 3, status: 0, time: UnixTime(seconds: 500, nanoseconds: 0), leapSeconds: nil))
        #expect(throws: ReferenceError.self) { try labeller.label(edgeSystemTime: PTPInstant(seconds: 501)).get() }
        // TPV of second 500 arrives at 500.1 s.
        labeller.add(fix, arrival: PTPInstant(seconds: 500, nanoseconds: 100_000_000))
        labeller.add(.satellites(used: 7, visible: 10), arrival: PTPInstant(seconds: 500, nanoseconds: 200_000_000))
        // The next edge (501.0) belongs to 501; an edge read before the TPV came (500.0) to 500.
        #expect(try labeller.label(edgeSystemTime: PTPInstant(seconds: 501, nanoseconds: 20)).get().second == 501)
        #expect(try labeller.label(edgeSystemTime: PTPInstant(seconds: 500, nanoseconds: 5)).get().second == 500)
        #expect(try labeller.label(edgeSystemTime: PTPInstant(seconds: 502)).get().second == 502)
        #expect(try labeller.label(edgeSystemTime: PTPInstant(seconds: 501)).get().satellitesUsed == 7)
        // Stale time of day labels nothing.
        #expect(throws: ReferenceError.self) { try labeller.label(edgeSystemTime: PTPInstant(seconds: 503)).get() }
    }
}

@Suite struct ExternalTimestampFilterTests {
    @Test func correctionAndPolarity() {
        var rising = ExternalTimestampFilter(polarity: .rising, correction: .nanoseconds(-120))
        #expect(rising.edges == .rising)
        #expect(rising.edge(PTPInstant(seconds: 10)) == PTPInstant(seconds: 10) - .nanoseconds(120))
        // Both edges of a 100 ms pulse: only the leading one of each pulse is kept.
        var both = ExternalTimestampFilter(polarity: .both, correction: .zero)
        #expect(both.edges == [.rising, .falling])
        #expect(both.edge(PTPInstant(seconds: 10)) != nil)
        #expect(both.edge(PTPInstant(seconds: 10, nanoseconds: 100_000_000)) == nil)
        #expect(both.edge(PTPInstant(seconds: 11)) == PTPInstant(seconds: 11))
        #expect(both.edge(PTPInstant(seconds: 11, nanoseconds: 100_000_000)) == nil)
    }
}

@Suite struct SimulatedGNSSTests {
    @Test func jitterIsSeededAndOutagesAreScheduled() {
        let configuration = SimulatedGNSS.Configuration(
            jitterNanoseconds: 50, outageAfter: .seconds(10), outageDuration: .seconds(5), seed: 42)
        var a = SimulatedGNSS(configuration: configuration, start: 1_000)
        var b = SimulatedGNSS(configuration: configuration, start: 1_000)
        var jitters: [Double] = []
        var missing: [Int64] = []
        for second in Int64(1_001)...1_400 {
            let pa = a.pulse(second: second)
            #expect(pa == b.pulse(second: second))
            if let pa {
                #expect(pa.utcSecond == second)
                jitters.append((pa.systemTime - PTPInstant(seconds: second)).nanosecondsDouble)
            } else {
                missing.append(second)
            }
        }
        #expect(missing == Array(1_010...1_014))
        #expect(a.suppressed == 5)
        let rms = (jitters.reduce(0) { $0 + $1 * $1 } / Double(jitters.count)).squareRoot()
        #expect(rms > 40 && rms < 60, "jitter RMS \(rms)")
        let sample = a.sample(SimulatedGNSS.Pulse(systemTime: PTPInstant(seconds: 2_000), utcSecond: 2_000)) {
            $0 + .milliseconds(1)
        }
        #expect(
            sample.edge == PTPInstant(seconds: 2_000, nanoseconds: 1_000_000) && sample.fixMode == .threeDimensional
                && sample.gpsMinusUTC == 18)
    }

    @Test func theThreadedReferenceDeliversOneSamplePerSecond() throws {
        let log = ReportLog()
        let reference = SimulatedGNSSReference(
            configuration: SimulatedGNSS.Configuration(jitterNanoseconds: 50), systemToClock: { $0 }
        ) { log.append($0) }
        try reference.start()
        #expect(log.wait(seconds: 4) { log.count() >= 2 })
        reference.stop()
        let samples = log.all(ReferenceEvent.self).compactMap { if case .sample(let s) = $0 { s } else { nil } }
        #expect(samples.count >= 2)
        for s in samples { #expect(abs((s.edge - PTPInstant(seconds: s.utcSecond)).nanoseconds) < 1_000) }
    }
}

@Suite struct DeviceReferenceTests {
    @Test func aMissingPPSDeviceIsAClearError() {
        let reference = KernelPPSReference(
            devicePath: "/dev/pps-none", gpsdHost: "127.0.0.1", gpsdPort: "1", systemToClock: { $0 }
        ) { _ in }
        do {
            try reference.start()
            Issue.record("started without a device")
            reference.stop()
        } catch {
            #expect(error.description.contains("pps_device /dev/pps-none"))
        }
    }

    @Test func aMissingPHCIsAClearError() {
        let reference = PHCExternalTimestampReference(
            devicePath: "/dev/ptp-none", pinIndex: 1, channel: 0, polarity: .rising, correction: .zero,
            gpsdHost: "127.0.0.1", gpsdPort: "1"
        ) { _ in }
        do {
            try reference.start()
            Issue.record("started without a PHC")
            reference.stop()
        } catch {
            #expect(error.description.contains("clock_device /dev/ptp-none"))
            #expect(error.description.contains("PTP hardware clock"))
        }
    }
}

@Suite struct LeapSecondsFileTests {
    @Test func readsDebiansListAndNamesAMissingFile() throws {
        let text = try LeapSecondsFile.read(path: "/usr/share/zoneinfo/leap-seconds.list")
        #expect(text.contains("#@") && text.contains("3692217600"))
        do {
            _ = try LeapSecondsFile.read(path: "/nonexistent/leap-seconds.list")
            Issue.record("read a missing file")
        } catch {
            #expect(error.description == "leapfile /nonexistent/leap-seconds.list: No such file or directory")
        }
    }
}

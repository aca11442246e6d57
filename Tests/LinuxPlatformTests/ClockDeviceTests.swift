import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import Testing

@testable import LinuxPlatform

@Suite("PHC, system clock and PPS: structures and errors")
struct ClockDeviceTests {
    @Test("opening /dev/ptp0 on a machine without a PHC is a clear error")
    func noPHC() {
        #expect(throws: ClockError.unavailable("/dev/ptp0: no such device; this machine has no PTP hardware clock there")) {
            try PHCClock(index: 0)
        }
        // A file that exists but is not a PTP clock.
        #expect(throws: ClockError.unavailable("/dev/null is not a PTP hardware clock (PTP_CLOCK_GETCAPS refused)")) {
            try PHCClock(path: "/dev/null")
        }
        #expect(throws: ClockError.self) { try PHCClock.forInterface("lo") }
        do {
            _ = try PHCClock.forInterface("lo")
        } catch {
            #expect(String(describing: error).contains("lo has no PTP hardware clock"))
        }
    }

    @Test("ptp_clock_caps decodes")
    func capabilities() {
        var caps = ptp_clock_caps()
        caps.max_adj = 62_499_999
        caps.n_ext_ts = 2
        caps.n_per_out = 2
        caps.n_pins = 4
        caps.pps = 1
        caps.cross_timestamping = 0
        let decoded = PHCCapabilities(caps)
        #expect(decoded.maxAdjustment == 62_499_999 && decoded.externalTimestampChannels == 2)
        #expect(decoded.periodicOutputs == 2 && decoded.pins == 4 && decoded.pps && !decoded.crossTimestamping)
    }

    func clockTime(_ seconds: Int64, _ nanoseconds: UInt32) -> ptp_clock_time {
        ptp_clock_time(sec: seconds, nsec: nanoseconds, reserved: 0)
    }

    @Test("PTP_SYS_OFFSET_EXTENDED: the narrowest window wins; offset is PHC minus the window's middle")
    func systemOffsetExtended() throws {
        var data = ptp_sys_offset_extended()
        data.n_samples = 3
        // Sample 0: window 1000 ns; sample 1: window 200 ns; sample 2: window 600 ns.
        let samples: [(Int64, UInt32, Int64, UInt32, Int64, UInt32)] = [
            (100, 0, 137, 500, 100, 1000),
            (100, 2000, 137, 2_100, 100, 2200),
            (100, 3000, 137, 3_300, 100, 3600),
        ]
        for (i, s) in samples.enumerated() {
            CLinuxShims_ptp_sys_offset_extended_set_slot(&data, Int32(i), 0, clockTime(s.0, s.1))
            CLinuxShims_ptp_sys_offset_extended_set_slot(&data, Int32(i), 1, clockTime(s.2, s.3))
            CLinuxShims_ptp_sys_offset_extended_set_slot(&data, Int32(i), 2, clockTime(s.4, s.5))
        }
        let estimate = try #require(PHCSystemOffset.estimate(PHCSystemOffset.samples(data), method: .extended))
        #expect(estimate.delay == .nanoseconds(Int64(200)))
        #expect(estimate.systemTime == PTPInstant(seconds: 100, nanoseconds: 2100))
        #expect(estimate.offset == .seconds(Int64(37)))
        #expect(estimate.method == .extended)
    }

    @Test("PTP_SYS_OFFSET: interleaved system and PHC reads")
    func systemOffsetBasic() throws {
        var data = ptp_sys_offset()
        data.n_samples = 2
        let slots: [ptp_clock_time] = [
            clockTime(50, 0), clockTime(40, 600), clockTime(50, 1000), clockTime(40, 1_350), clockTime(50, 1500),
        ]
        for (i, slot) in slots.enumerated() {
            CLinuxShims_ptp_sys_offset_set_slot(&data, Int32(i), slot)
        }
        let estimate = try #require(PHCSystemOffset.estimate(PHCSystemOffset.samples(data), method: .basic))
        // Second sample: window 1000...1500, middle 1250, PHC 40 s + 1350 ns.
        #expect(estimate.delay == .nanoseconds(Int64(500)))
        #expect(estimate.offset == .nanoseconds(Int64(100)) - .seconds(Int64(10)))
        #expect(PHCSystemOffset.estimate([], method: .basic) == nil)
    }

    @Test("external timestamp requests and events; periodic output requests")
    func pinsAndOutputs() {
        let enable = ExternalTimestamp.request(channel: 1, edges: .rising, enable: true)
        #expect(enable.index == 1)
        #expect(enable.flags == UInt32(PTP_ENABLE_FEATURE) | UInt32(PTP_RISING_EDGE) | UInt32(PTP_STRICT_FLAGS))
        #expect(ExternalTimestamp.request(channel: 1, edges: .rising, enable: false).flags == 0)
        var event = ptp_extts_event()
        event.index = 1
        event.t = clockTime(1_700_000_000, 999)
        #expect(
            ExternalTimestamp(event) == ExternalTimestamp(channel: 1, time: PTPInstant(seconds: 1_700_000_000, nanoseconds: 999)))

        let pps = PeriodicOutput.pulsePerSecond(channel: 0, after: PTPInstant(seconds: 1000, nanoseconds: 700_000_000))
        #expect(pps.start == PTPInstant(seconds: 1002))
        let request = pps.cValue
        #expect(request.start.sec == 1002 && request.start.nsec == 0)
        #expect(request.period.sec == 1 && request.period.nsec == 0 && request.flags == 0)
        let duty = PeriodicOutput(
            channel: 1, start: PTPInstant(seconds: 5), period: .seconds(Int64(1)), onTime: .milliseconds(100)
        ).cValue
        #expect(duty.flags == UInt32(PTP_PEROUT_DUTY_CYCLE) && duty.on.nsec == 100_000_000 && duty.index == 1)
        #expect(PHCClock.PinFunction.externalTimestamp.rawValue == 1 && PHCClock.PinFunction.periodicOutput.rawValue == 2)
    }

    @Test("clock_adjtime arithmetic: ppb to timex units and normalised ADJ_SETOFFSET")
    func adjtimeArithmetic() {
        #expect(CLinuxShims_ppb_to_timex_frequency(1_000) == 65_536)
        #expect(CLinuxShims_ppb_to_timex_frequency(-500_000) == -32_768_000)
        #expect(CLinuxShims_ppb_to_timex_frequency(1) == 66)
        #expect(abs(CLinuxShims_timex_frequency_to_ppb(65_536) - 1_000) < 1e-9)
        var tx = timex()
        CLinuxShims_fill_setoffset(&tx, -1_500_000_000)
        #expect(tx.time.tv_sec == -2 && tx.time.tv_usec == 500_000_000)
        #expect(tx.modes == UInt32(ADJ_SETOFFSET | ADJ_NANO))
        CLinuxShims_fill_setoffset(&tx, 2_000_000_001)
        #expect(tx.time.tv_sec == 2 && tx.time.tv_usec == 1)
    }

    @Test("the system clock refuses to be steered unless the configuration allows it")
    func systemClockForbidden() throws {
        let clock = try SystemClock(steering: .forbidden)
        #expect(throws: ClockError.self) { try clock.step(by: .nanoseconds(Int64(1))) }
        #expect(throws: ClockError.self) { try clock.adjustFrequency(PartsPerBillion(10)) }
        do {
            try clock.step(by: .nanoseconds(Int64(1)))
        } catch {
            guard case .notPermitted(let message) = error else {
                Issue.record("expected notPermitted, got \(error)")
                return
            }
            #expect(message.contains("does not let the daemon steer"))
        }
        // The range is checked before anything else.
        #expect(throws: ClockError.frequencyOutOfRange(requested: PartsPerBillion(500_001), limit: PartsPerBillion(500_000))) {
            try clock.adjustFrequency(PartsPerBillion(500_001))
        }
        // Reading is always allowed and changes nothing.
        _ = try clock.frequency()
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let difference = try clock.now() - PTPInstant(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
        #expect(difference.magnitude < .milliseconds(100))
    }

    @Test("steering allowed without CAP_SYS_TIME is a clear start-up error")
    func systemClockWithoutCapability() throws {
        let outcome = Mutex<Result<String, ClockError>?>(nil)
        let thread = try PlatformThread.spawn {
            // Capabilities are per thread: drop CAP_SYS_TIME here only.
            guard CLinuxShims_drop_effective_capability(CLinuxShims_CAP_SYS_TIME) == 0 else {
                outcome.withLock { $0 = .success("could not drop CAP_SYS_TIME") }
                return
            }
            do {
                _ = try SystemClock(steering: .allowed)
                outcome.withLock { $0 = .success("opened without CAP_SYS_TIME") }
            } catch let error as ClockError {
                outcome.withLock { $0 = .failure(error) }
            } catch {
                outcome.withLock { $0 = .success("unexpected error \(error)") }
            }
        }
        thread.join()
        guard case .failure(.notPermitted(let message)) = outcome.withLock({ $0 }) else {
            Issue.record("expected notPermitted, got \(String(describing: outcome.withLock { $0 }))")
            return
        }
        #expect(message.contains("CAP_SYS_TIME"))
        // This process (root) has it, so opening with steering allowed works; nothing is adjusted here.
        #expect(CLinuxShims_has_capability(CLinuxShims_CAP_SYS_TIME) == 1, "the tests run as root")
        #expect(try SystemClock(steering: .allowed).steering == .allowed)
    }

    @Test("PPS: opening a missing device is clear; fetch and parameter structures")
    func pps() {
        #expect(throws: ClockError.unavailable("/dev/pps0: no such device; this machine has no PPS device there")) {
            try PPSDevice(path: "/dev/pps0")
        }
        let bounded = PPSEvent.fetchRequest(timeout: .milliseconds(1500))
        #expect(bounded.timeout.sec == 1 && bounded.timeout.nsec == 500_000_000 && bounded.timeout.flags == 0)
        #expect(PPSEvent.fetchRequest(timeout: nil).timeout.flags == UInt32(PPS_TIME_INVALID))
        var info = pps_kinfo()
        info.assert_sequence = 12
        info.assert_tu = pps_ktime(sec: 1_700_000_001, nsec: 42, flags: 0)
        info.current_mode = Int32(PPS_CAPTUREASSERT)
        let event = PPSEvent(info)
        #expect(event.assertSequence == 12 && event.assertTime == PTPInstant(seconds: 1_700_000_001, nanoseconds: 42))
        #expect(event.clearTime == nil)
        let params = PPSDevice.parameters(capturing: [.captureAssert])
        #expect(params.mode == Int32(PPS_CAPTUREASSERT | PPS_TSFMT_TSPEC) && params.api_version == PPS_API_VERS_1)
    }
}

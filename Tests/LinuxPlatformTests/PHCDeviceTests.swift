import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage
import Testing

@testable import LinuxPlatform

/// A PHC whose ioctls the test scripts: which sys-offset variants exist, what they return, what fails.
final class InjectedPHC: PHCDevice {
    struct Script: Sendable {
        var capabilitiesError: Errno?
        var crossTimestamping = false
        var precise: Result<PHCSystemOffset.Sample, Errno> = .failure(.notSupported)
        var extended: Result<[PHCSystemOffset.Sample], Errno> = .failure(.inappropriateIOCTLForDevice)
        var basic: Result<[PHCSystemOffset.Sample], Errno> = .failure(.inappropriateIOCTLForDevice)
        var setOffsetError: Errno?
    }

    let path = "/dev/ptp-injected"
    var descriptor: FileDescriptor? { nil }
    let script: Mutex<Script>
    /// Which ioctls were called, in order.
    let calls = Mutex<[String]>([])
    let closed = Atomic<Bool>(false)

    init(_ script: Script) { self.script = Mutex(script) }

    private func note(_ call: String) { calls.withLock { $0.append(call) } }
    func capabilities() throws(Errno) -> PHCCapabilities {
        if let error = script.withLock({ $0.capabilitiesError }) { throw error }
        return PHCCapabilities(maxAdjustment: 62_499_999, crossTimestamping: script.withLock { $0.crossTimestamping })
    }
    func readTime() throws(Errno) -> PTPInstant { PTPInstant(seconds: 1_800_000_037) }
    func readFrequency() throws(Errno) -> Double { 0 }
    func setFrequency(ppb: Double) throws(Errno) { note("ADJ_FREQUENCY") }
    func setOffset(nanoseconds: Int64) throws(Errno) {
        note("ADJ_SETOFFSET")
        if let error = script.withLock({ $0.setOffsetError }) { throw error }
    }
    func systemOffsetPrecise() throws(Errno) -> PHCSystemOffset.Sample {
        note("PRECISE")
        return try script.withLock { $0.precise }.get()
    }
    func systemOffsetExtended(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        note("EXTENDED \(samples)")
        return try script.withLock { $0.extended }.get()
    }
    func systemOffsetBasic(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        note("BASIC \(samples)")
        return try script.withLock { $0.basic }.get()
    }
    func setPinFunction(pin: UInt32, function: UInt32, channel: UInt32) throws(Errno) {
        note("PIN_SETFUNC \(pin) \(function) \(channel)")
    }
    func periodicOutput(_ request: ptp_perout_request) throws(Errno) {
        note("PEROUT \(request.index) \(request.start.sec).\(request.start.nsec) \(request.period.sec)")
    }
    func close() { closed.store(true, ordering: .relaxed) }
}

@Suite("PHC through injected ioctls and the emulated PHC: sys-offset variants, fallbacks, errors")
struct PHCDeviceTests {
    static let system = PTPInstant(seconds: 1_800_000_000)
    static func sample(_ beforeNs: Int64, _ phcNs: Int64, _ afterNs: Int64) -> PHCSystemOffset.Sample {
        PHCSystemOffset.Sample(
            systemBefore: system + .nanoseconds(beforeNs), phc: system + .seconds(Int64(37)) + .nanoseconds(phcNs),
            systemAfter: system + .nanoseconds(afterNs))
    }

    @Test("PTP_SYS_OFFSET_PRECISE when the PHC cross-timestamps: window zero")
    func precise() throws {
        var script = InjectedPHC.Script()
        script.crossTimestamping = true
        script.precise = .success(Self.sample(500, 500, 500))
        let device = InjectedPHC(script)
        let phc = try PHCClock(device: device)
        let offset = try phc.systemOffset(samples: 7)
        #expect(offset.method == .precise && offset.delay == .zero && offset.offset == .seconds(Int64(37)))
        #expect(device.calls.withLock { $0 } == ["PRECISE"])
    }

    @Test("PRECISE refused → EXTENDED, narrowest of N, and PRECISE is not tried again")
    func preciseFallsBackToExtended() throws {
        var script = InjectedPHC.Script()
        script.crossTimestamping = true
        // Windows 1000, 300 (middle 250, PHC +260: offset 37 s + 10 ns), 700 ns.
        script.extended = .success([Self.sample(0, 400, 1000), Self.sample(100, 260, 400), Self.sample(0, 300, 700)])
        let device = InjectedPHC(script)
        let phc = try PHCClock(device: device)
        let first = try phc.systemOffset(samples: 3)
        let second = try phc.systemOffset(samples: 40)
        #expect(first.method == .extended && first.delay == .nanoseconds(Int64(300)))
        #expect(first.offset == .seconds(Int64(37)) + .nanoseconds(Int64(10)))
        #expect(second == first)
        // N is clamped to PTP_MAX_SAMPLES (25).
        #expect(device.calls.withLock { $0 } == ["PRECISE", "EXTENDED 3", "EXTENDED 25"])
    }

    @Test("no PRECISE capability, EXTENDED unsupported (ENOTTY, EOPNOTSUPP) → PTP_SYS_OFFSET")
    func extendedFallsBackToBasic() throws {
        for refusal in [Errno.inappropriateIOCTLForDevice, .notSupported] {
            var script = InjectedPHC.Script()
            script.extended = .failure(refusal)
            script.basic = .success([Self.sample(0, 1000, 2000)])
            let device = InjectedPHC(script)
            let offset = try PHCClock(device: device).systemOffset()
            #expect(offset.method == .basic && offset.delay == .nanoseconds(Int64(2000)))
            #expect(device.calls.withLock { $0 } == ["EXTENDED 5", "BASIC 5"])
        }
    }

    @Test("every variant unsupported, a real I/O error, or only backwards windows: errors, not guesses")
    func relationErrors() throws {
        let none = try PHCClock(device: InjectedPHC(InjectedPHC.Script()))
        #expect(throws: ClockError.unavailable("/dev/ptp-injected: ioctl(PTP_SYS_OFFSET) not supported by this clock's driver")) {
            try none.systemOffset()
        }
        var io = InjectedPHC.Script()
        io.extended = .failure(.ioError)
        io.basic = .success([Self.sample(0, 0, 10)])
        let failing = InjectedPHC(io)
        #expect(throws: ClockError.system(operation: "ioctl(PTP_SYS_OFFSET_EXTENDED) on /dev/ptp-injected", errno: EIO)) {
            try PHCClock(device: failing).systemOffset()
        }
        #expect(failing.calls.withLock { $0 } == ["EXTENDED 5"], "an I/O error is not a missing ioctl: no fallback")
        var backwards = InjectedPHC.Script()
        backwards.extended = .success([Self.sample(1000, 0, 0)])
        #expect(throws: ClockError.self) { try PHCClock(device: InjectedPHC(backwards)).systemOffset() }
        // The relation turns a failed measurement into a start-up error the daemon reports (exit 2).
        let relation = SystemClockRelation(.measured(none, samples: 5))
        #expect(throws: ClockError.self) { try relation.worstUncertainty(of: 3) }
    }

    @Test("no capability (PTP_CLOCK_GETCAPS refused) closes the device; a PHC that refuses ADJ_SETOFFSET says so")
    func capabilitiesAndSteps() throws {
        var notPHC = InjectedPHC.Script()
        notPHC.capabilitiesError = .inappropriateIOCTLForDevice
        let device = InjectedPHC(notPHC)
        #expect(throws: ClockError.unavailable("/dev/ptp-injected is not a PTP hardware clock (PTP_CLOCK_GETCAPS refused)")) {
            try PHCClock(device: device)
        }
        let closed = device.closed.load(ordering: .relaxed)
        #expect(closed)
        var noStep = InjectedPHC.Script()
        noStep.setOffsetError = .notSupported
        let refusing = try PHCClock(device: InjectedPHC(noStep))
        #expect(
            throws: ClockError.unavailable("/dev/ptp-injected: clock_adjtime(ADJ_SETOFFSET) not supported by this clock's driver")
        ) { try refusing.step(by: .seconds(Int64(1))) }
        var denied = InjectedPHC.Script()
        denied.setOffsetError = .notPermitted
        #expect(throws: ClockError.self) { try PHCClock(device: InjectedPHC(denied)).step(by: .seconds(Int64(1))) }
        // Frequency beyond max_adj is refused before any ioctl.
        #expect(throws: ClockError.self) { try refusing.adjustFrequency(PartsPerBillion(70_000_000)) }
        // The injected PHC reports no periodic outputs: a request is refused before any ioctl.
        #expect(throws: ClockError.self) {
            try refusing.setPeriodicOutput(PeriodicOutput.pulsePerSecond(channel: 0, after: PTPInstant(seconds: 10)))
        }
    }

    @Test("the emulated PHC: TAI, its own rate, read windows with asymmetric delay, PRECISE refused")
    func emulated() throws {
        let time = ManualTime()
        let configuration = VirtualClockConfiguration(
            name: "emulated PHC", initialOffset: .milliseconds(300), frequencyError: .ppm(30),
            maxFrequency: PartsPerBillion(1_000_000))
        let device = try EmulatedPHCDevice(configuration: configuration, taiMinusUTC: 37, baseTime: time.source)
        let phc = try PHCClock(device: device)
        #expect(phc.maxFrequency == PartsPerBillion(1_000_000) && !phc.capabilities.crossTimestamping)
        #expect(try phc.now() - time.now == .seconds(Int64(37)) + .milliseconds(300))
        time.advance(by: .seconds(Int64(10)))
        // 30 ppm over 10 s: 300 µs ahead of where it started.
        #expect(try device.trueError() == .milliseconds(300) + .microseconds(300))
        let offset = try phc.systemOffset(samples: 9)
        #expect(offset.method == .extended)
        // Window 0.7 + 0.5 µs plus up to 2 × 0.2 µs of jitter; the middle is 100 ns before the latch (asymmetry).
        #expect(offset.delay >= .nanoseconds(Int64(1_200)) && offset.delay <= .nanoseconds(Int64(1_600)))
        let trueOffset = try device.trueError() + .seconds(Int64(37))
        let bias = offset.offset - trueOffset
        #expect(bias >= .nanoseconds(Int64(-300)) && bias <= .nanoseconds(Int64(300)), "\(bias)")
        // Steering goes through the same PHCClock calls as /dev/ptpN.
        try phc.step(by: .milliseconds(-300) - .microseconds(300))
        try phc.adjustFrequency(.ppm(-30))
        time.advance(by: .seconds(Int64(100)))
        let error = try device.trueError()
        #expect(abs(error.roundedNanoseconds) < 10, "\(error)")
        // The relation converts a CLOCK_REALTIME stamp within its window.
        let relation = SystemClockRelation(.measured(phc, samples: 5))
        let converted = relation.clockTime(atSystem: time.now)
        let exact = device.hardwareStamp(systemTimestamp: time.now)
        #expect(abs((converted - exact).roundedNanoseconds) <= relation.uncertainty.roundedNanoseconds, "\(converted - exact)")
        // Back again: each crossing is measured afresh, so the round trip is exact only to the windows (1.6 µs).
        let back = relation.systemTime(atClock: converted) - time.now
        #expect(abs(back.roundedNanoseconds) <= 1_600, "\(back)")
    }

    @Test("a PHC without PTP_SYS_OFFSET_EXTENDED (an old driver) is related with PTP_SYS_OFFSET's wider windows")
    func emulatedOldDriver() throws {
        let time = ManualTime()
        let device = try EmulatedPHCDevice(
            configuration: VirtualClockConfiguration(name: "old"), taiMinusUTC: 37,
            readModel: EmulatedPHCDevice.ReadModel(extended: false), baseTime: time.source)
        let offset = try PHCClock(device: device).systemOffset()
        #expect(offset.method == .basic && offset.delay >= .nanoseconds(Int64(4 * 1_200)))
        let precise = try EmulatedPHCDevice(
            configuration: VirtualClockConfiguration(name: "new"), taiMinusUTC: 37,
            readModel: EmulatedPHCDevice.ReadModel(crossTimestamping: true), baseTime: time.source)
        let crossed = try PHCClock(device: precise).systemOffset()
        #expect(crossed.method == .precise && crossed.delay == .zero && crossed.offset == .seconds(Int64(37)))
    }

    @Test("1 PPS out: the pin programmed, then PTP_PEROUT_REQUEST on a whole PHC second, period 1 s")
    func pulsePerSecond() throws {
        let time = ManualTime(PTPInstant(seconds: 1_800_000_000, nanoseconds: 600_000_000))
        let device = try EmulatedPHCDevice(
            configuration: VirtualClockConfiguration(name: "emulated PHC"), taiMinusUTC: 37, baseTime: time.source)
        let phc = try PHCClock(device: device)
        let requested = try phc.startPulsePerSecond(channel: 0, pin: 0)
        // The PHC reads 1_800_000_037.6 (TAI): the first edge is the whole second two ahead, on its timescale.
        #expect(requested.start == PTPInstant(seconds: 1_800_000_039) && requested.period == .seconds(Int64(1)))
        let state = device.periodicOutputState
        #expect(state.pinFunction == PHCClock.PinFunction.periodicOutput.rawValue && state.request == requested)
        #expect(throws: ClockError.self) { try phc.startPulsePerSecond(channel: 0, pin: 3) }
        #expect(throws: ClockError.self) { try phc.startPulsePerSecond(channel: 1, pin: nil) }
        // The injected ioctls see PIN_SETFUNC before PEROUT, with the values a driver gets.
        var script = InjectedPHC.Script()
        script.crossTimestamping = false
        let injected = InjectedPHC(script)
        let withOutputs = try PHCClock(device: InjectedOutputs(injected))
        try withOutputs.startPulsePerSecond(channel: 1, pin: 2)
        #expect(injected.calls.withLock { $0 } == ["PIN_SETFUNC 2 2 1", "PEROUT 1 1800000039.0 1"])
    }
}

/// An injected PHC that reports 4 pins and 2 periodic outputs.
final class InjectedOutputs: PHCDevice {
    let inner: InjectedPHC
    init(_ inner: InjectedPHC) { self.inner = inner }
    var path: String { inner.path }
    var descriptor: FileDescriptor? { nil }
    func capabilities() throws(Errno) -> PHCCapabilities {
        PHCCapabilities(maxAdjustment: 1_000_000, periodicOutputs: 2, pins: 4)
    }
    func readTime() throws(Errno) -> PTPInstant { try inner.readTime() }
    func readFrequency() throws(Errno) -> Double { 0 }
    func setFrequency(ppb: Double) throws(Errno) {}
    func setOffset(nanoseconds: Int64) throws(Errno) {}
    func systemOffsetPrecise() throws(Errno) -> PHCSystemOffset.Sample { try inner.systemOffsetPrecise() }
    func systemOffsetExtended(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        try inner.systemOffsetExtended(samples: samples)
    }
    func systemOffsetBasic(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        try inner.systemOffsetBasic(samples: samples)
    }
    func setPinFunction(pin: UInt32, function: UInt32, channel: UInt32) throws(Errno) {
        try inner.setPinFunction(pin: pin, function: function, channel: channel)
    }
    func periodicOutput(_ request: ptp_perout_request) throws(Errno) { try inner.periodicOutput(request) }
    func close() {}
}

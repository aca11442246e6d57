import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A PTP hardware clock emulated in software (`virtual_clock_mode phc`), for a lab with no `/dev/ptpN`.
///
/// It keeps its own TAI timescale (it starts at system time + TAI − UTC + `virtual_clock_offset`), its own
/// frequency error and wander (a ``VirtualClockTimeline`` over `CLOCK_REALTIME`), a `max_adj`, and offers
/// only what a real PHC offers through ``PHCDevice``: read, `ADJ_FREQUENCY`, `ADJ_SETOFFSET`, and
/// sys-offset samples. Those samples are built like a driver's `PTP_SYS_OFFSET_EXTENDED`: a system read,
/// then the PHC latched `latchDelay` (+ jitter) later, then a system read `returnDelay` (+ jitter) after
/// that, so the window is real and the delay asymmetric: the window's middle is not the latch instant, and
/// the relation carries an error of up to half the window, as on hardware. `PTP_SYS_OFFSET` samples get
/// the wider windows of a read through the PTP core; `PTP_SYS_OFFSET_PRECISE` is refused (`EOPNOTSUPP`)
/// unless ``ReadModel/crossTimestamping`` is set. The daemon drives it through ``PHCClock``, exactly as a
/// real PHC; only ``hardwareStamp(systemTimestamp:)`` (the NIC's stamp of a packet) and ``trueError()``
/// (the lab's ground truth) look inside.
public final class EmulatedPHCDevice: PHCDevice {
    /// How reads of the emulated PHC behave.
    public struct ReadModel: Sendable, Hashable {
        /// System read before → PHC latch.
        public var latchDelay: PTPDuration
        /// PHC latch → system read after.
        public var returnDelay: PTPDuration
        /// Each delay gets a uniform extra in 0...jitter.
        public var jitter: PTPDuration
        /// `PTP_SYS_OFFSET`'s windows are this many times wider (the core reads around the driver call).
        public var basicWidening: Int64
        /// Whether `PTP_SYS_OFFSET_PRECISE` works (a zero-window cross-timestamp).
        public var crossTimestamping: Bool
        /// Whether `PTP_SYS_OFFSET_EXTENDED` works (drivers before 5.0 lack it).
        public var extended: Bool
        public var seed: UInt64

        /// A PCIe NIC-like read: 0.7 µs to the latch, 0.5 µs back (100 ns of asymmetry), 0.2 µs jitter each.
        public init(
            latchDelay: PTPDuration = .nanoseconds(Int64(700)), returnDelay: PTPDuration = .nanoseconds(Int64(500)),
            jitter: PTPDuration = .nanoseconds(Int64(200)), basicWidening: Int64 = 4, crossTimestamping: Bool = false,
            extended: Bool = true, seed: UInt64 = 1
        ) {
            self.latchDelay = latchDelay
            self.returnDelay = returnDelay
            self.jitter = jitter
            self.basicWidening = max(1, basicWidening)
            self.crossTimestamping = crossTimestamping
            self.extended = extended
            self.seed = seed
        }
    }

    public let path: String
    public var descriptor: FileDescriptor? { nil }
    public let taiOffset: PTPDuration
    let maxAdjustment: Int32
    private let model: Mutex<ReadModel>
    /// How reads behave now.
    public var readModel: ReadModel { model.withLock { $0 } }
    private let baseTime: VirtualClock.BaseTime
    private let state: Mutex<(timeline: VirtualClockTimeline, generator: SplitMix64)>
    private let outputs = Mutex<(pin: UInt32?, request: PeriodicOutput?)>((nil, nil))

    /// - Parameters:
    ///   - configuration: offset (from TAI), frequency error, wander and `max_adj` of the emulated oscillator.
    ///   - taiMinusUTC: TAI − UTC in seconds (37 since 2017): the PHC counts TAI, the system clock UTC.
    public init(
        configuration: VirtualClockConfiguration, taiMinusUTC: Int, readModel: ReadModel = ReadModel(),
        baseTime: @escaping VirtualClock.BaseTime = VirtualClock.realtime
    ) throws(ClockError) {
        self.path = configuration.name
        self.taiOffset = .seconds(Int64(taiMinusUTC))
        let limit = abs(configuration.maxFrequency.value)
        self.maxAdjustment = limit.isFinite ? Int32(min(limit, Double(Int32.max)).rounded(.down)) : Int32.max
        self.model = Mutex(readModel)
        self.baseTime = baseTime
        var shifted = configuration
        shifted.initialOffset = configuration.initialOffset + .seconds(Int64(taiMinusUTC))
        let start = try baseTime()
        self.state = Mutex((VirtualClockTimeline(configuration: shifted, start: start), SplitMix64(seed: readModel.seed)))
    }

    public func close() {}

    /// Changes how reads behave from now on (a lab's slower or noisier read path: a loaded bus, a driver that
    /// fell back to `PTP_SYS_OFFSET`); the seed is kept.
    public func setReadModel(_ readModel: ReadModel) {
        model.withLock { $0 = readModel }
    }

    private func base() throws(Errno) -> PTPInstant {
        do {
            return try baseTime()
        } catch {
            if case .system(_, let errno) = error { throw Errno(rawValue: errno) }
            throw .ioError
        }
    }

    public func capabilities() throws(Errno) -> PHCCapabilities {
        // One periodic output on one programmable pin, like a NIC with one SDP wired to the front panel.
        PHCCapabilities(
            maxAdjustment: maxAdjustment, periodicOutputs: 1, pins: 1, crossTimestamping: readModel.crossTimestamping)
    }

    /// The periodic output last requested (`PTP_PEROUT_REQUEST`) and the pin's function, as a driver keeps them.
    public var periodicOutputState: (pinFunction: UInt32?, request: PeriodicOutput?) {
        outputs.withLock { ($0.pin, $0.request) }
    }

    public func setPinFunction(pin: UInt32, function: UInt32, channel: UInt32) throws(Errno) {
        guard pin == 0, channel == 0 else { throw .invalidArgument }
        outputs.withLock { $0.pin = function }
    }

    public func periodicOutput(_ request: ptp_perout_request) throws(Errno) {
        guard request.index == 0 else { throw .invalidArgument }
        let period = PTPDuration.seconds(request.period.sec) + .nanoseconds(Int64(request.period.nsec))
        let start = PTPInstant(seconds: request.start.sec, nanoseconds: Int64(request.start.nsec))
        outputs.withLock {
            $0.request = period == .zero ? nil : PeriodicOutput(channel: request.index, start: start, period: period)
        }
    }

    public func readTime() throws(Errno) -> PTPInstant {
        let now = try base()
        return state.withLock { state in
            state.timeline.advance(to: now)
            return state.timeline.virtual(at: now)
        }
    }

    public func readFrequency() throws(Errno) -> Double {
        state.withLock { $0.timeline.adjustment.value }
    }

    public func setFrequency(ppb: Double) throws(Errno) {
        guard ppb.isFinite, abs(ppb) <= Double(maxAdjustment) else { throw Errno(rawValue: ERANGE) }
        let now = try base()
        state.withLock { $0.timeline.setAdjustment(PartsPerBillion(ppb), at: now) }
    }

    public func setOffset(nanoseconds: Int64) throws(Errno) {
        let now = try base()
        state.withLock { $0.timeline.step(by: .nanoseconds(nanoseconds), at: now) }
    }

    public func systemOffsetPrecise() throws(Errno) -> PHCSystemOffset.Sample {
        guard readModel.crossTimestamping else { throw .notSupported }
        let now = try base()
        let phc = state.withLock { state in
            state.timeline.advance(to: now)
            return state.timeline.virtual(at: now)
        }
        return PHCSystemOffset.Sample(systemBefore: now, phc: phc, systemAfter: now)
    }

    public func systemOffsetExtended(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        guard readModel.extended else { throw .inappropriateIOCTLForDevice }
        return try reads(samples, widening: 1)
    }

    public func systemOffsetBasic(samples: Int) throws(Errno) -> [PHCSystemOffset.Sample] {
        try reads(samples, widening: readModel.basicWidening)
    }

    private func reads(_ count: Int, widening: Int64) throws(Errno) -> [PHCSystemOffset.Sample] {
        let readModel = self.readModel
        let jitter = Double(readModel.jitter.nanoseconds)
        var result: [PHCSystemOffset.Sample] = []
        for _ in 0..<min(max(count, 1), 25) {
            let before = try base()
            let sample = state.withLock { state in
                let latch = readModel.latchDelay.nanoseconds + Int64(state.generator.nextUnit() * jitter)
                let back = readModel.returnDelay.nanoseconds + Int64(state.generator.nextUnit() * jitter)
                let latched = before + .nanoseconds(latch * widening)
                state.timeline.advance(to: latched)
                return PHCSystemOffset.Sample(
                    systemBefore: before, phc: state.timeline.virtual(at: latched),
                    systemAfter: latched + .nanoseconds(back * widening))
            }
            result.append(sample)
        }
        return result
    }

    /// What a NIC with this PHC would stamp on a packet that the kernel stamped at `systemTimestamp`
    /// (`CLOCK_REALTIME`): the PHC's reading at that instant. The lab's stand-in for hardware stamps.
    public func hardwareStamp(systemTimestamp: PTPInstant) -> PTPInstant {
        state.withLock { state in
            state.timeline.advance(to: systemTimestamp)
            return state.timeline.virtual(at: systemTimestamp)
        }
    }

    /// PHC − TAI now, taking the system clock as true UTC: the lab's ground truth.
    public func trueError() throws(ClockError) -> PTPDuration {
        let now = try baseTime()
        return state.withLock { state in
            state.timeline.advance(to: now)
            return state.timeline.virtual(at: now) - (now + taiOffset)
        }
    }
}

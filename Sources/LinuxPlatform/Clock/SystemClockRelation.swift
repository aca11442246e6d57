import PTPCore
import Synchronization

/// How a disciplined clock's time relates to `CLOCK_REALTIME`: the one way every reference stamp (gpsd,
/// kernel PPS, simulated GNSS — all `CLOCK_REALTIME` readings) and every feed (chrony) crosses between the
/// two clocks.
///
/// - The system clock is itself (uncertainty zero).
/// - A virtual clock knows its own timeline: a system instant maps exactly (uncertainty zero).
/// - A PHC (real or emulated) is measured with ``PHCClock/systemOffset(samples:)`` at each conversion:
///   precise, extended or basic sys-offset, the narrowest window of N samples, and that window is the
///   conversion's uncertainty. The measured offset is PHC − system time, so it already holds TAI − UTC
///   (37 s) plus whatever the system clock is off; no leap-second arithmetic is done here. The reference's
///   own UTC offset decides where a labelled UTC second falls on the PHC's TAI timescale
///   (``ReferenceDiscipline``, `ClockTimescale.tai`).
public final class SystemClockRelation: Sendable {
    public enum Kind: Sendable {
        case identity
        case timeline(@Sendable (PTPInstant) -> PTPInstant)
        case measured(PHCClock, samples: Int)
    }

    public let kind: Kind
    private let last: Mutex<PHCSystemOffset?>

    public init(_ kind: Kind) {
        self.kind = kind
        self.last = Mutex(nil)
    }

    /// A new measurement (PHCs); nil for clocks related exactly. Throws when the PHC cannot be related.
    @discardableResult
    public func measure() throws(ClockError) -> PHCSystemOffset? {
        guard case .measured(let phc, let samples) = kind else { return nil }
        let offset = try phc.systemOffset(samples: samples)
        last.withLock { $0 = offset }
        return offset
    }

    /// The most recent measurement (PHCs).
    public var lastMeasurement: PHCSystemOffset? { last.withLock { $0 } }

    /// The uncertainty of a conversion: the window of the last measurement (zero for exact relations).
    public var uncertainty: PTPDuration {
        guard case .measured = kind else { return .zero }
        return last.withLock { $0?.delay } ?? .zero
    }

    /// The worst window of `count` measurements: the uncertainty to announce (zero for exact relations).
    public func worstUncertainty(of count: Int) throws(ClockError) -> PTPDuration {
        var worst = PTPDuration.zero
        for _ in 0..<max(1, count) {
            if let offset = try measure(), offset.delay > worst { worst = offset.delay }
        }
        return worst
    }

    /// Clock − system time now, with the uncertainty of that figure: a fresh sys-offset measurement on a PHC
    /// (its window), the timeline's exact offset at a `CLOCK_REALTIME` reading on a virtual clock, zero on the
    /// system clock. Throws when a PHC cannot be measured or the system clock cannot be read.
    public func offsetNow() throws(ClockError) -> (offset: PTPDuration, uncertainty: PTPDuration) {
        switch kind {
        case .identity:
            return (.zero, .zero)
        case .timeline(let convert):
            let system = try VirtualClock.realtime()
            return (convert(system) - system, .zero)
        case .measured:
            guard let measured = try measure() else { return (.zero, .zero) }
            return (measured.offset, measured.delay)
        }
    }

    /// `to` − `from` now, the two clocks each related to the system clock back to back (phc2sys relates two
    /// PHCs the same way when neither is the system clock): the PHC-to-PHC relation of a boundary clock over
    /// several PHCs (`boundary_clock_jbod`). Its uncertainty is the sum of the two windows.
    public static func offset(
        from: SystemClockRelation, to: SystemClockRelation
    ) throws(ClockError) -> (offset: PTPDuration, uncertainty: PTPDuration) {
        let source = try from.offsetNow()
        let target = try to.offsetNow()
        return (target.offset - source.offset, source.uncertainty + target.uncertainty)
    }

    /// The disciplined clock's reading at system instant `system`. A PHC is measured afresh; when that fails
    /// the last good measurement is used (and the conversion is as old as it).
    public func clockTime(atSystem system: PTPInstant) -> PTPInstant {
        switch kind {
        case .identity:
            return system
        case .timeline(let convert):
            return convert(system)
        case .measured:
            let offset = (try? measure()) ?? lastMeasurement
            return system + (offset?.offset ?? .zero)
        }
    }

    /// The system time at the disciplined clock's reading `clock` (the inverse, for feeds such as chrony's).
    public func systemTime(atClock clock: PTPInstant) -> PTPInstant {
        switch kind {
        case .identity:
            return clock
        case .timeline(let convert):
            // One fixed-point step is exact to well under a nanosecond for rates within ±1000 ppm.
            let guess = clock - (convert(clock) - clock)
            return guess - (convert(guess) - clock)
        case .measured:
            let offset = (try? measure()) ?? lastMeasurement
            return clock - (offset?.offset ?? .zero)
        }
    }
}

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

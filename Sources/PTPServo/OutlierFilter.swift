import PTPCore

/// Keeps the rare spoiled measurement away from the servo. With software timestamps a few Sync messages
/// in a thousand are delayed by tens of µs by scheduling (a VM's vCPU, an interrupt between the stamp and
/// the wire); a PI servo turns each into a frequency kick that takes seconds to decay, so one bad sample
/// moves a locked clock by microseconds. linuxptp has no such filter (its `tsproc` filters only the path
/// delay); Meridian's is `servo_outlier_filter`.
///
/// A sample is an outlier when it lies further from the median of the last `length` accepted offsets than
/// `factor` robust standard deviations (1.4826 × the median absolute deviation), and never closer than
/// `floor`. At most `maxConsecutive` samples in a row are refused: a lasting change (the master moved) is
/// then followed, and the filter starts over. It stays open until it holds `length` samples.
/// Allocation-free after creation.
public struct OutlierFilter: Sendable {
    public let length: Int
    public let factor: Double
    public let floor: PTPDuration
    public let maxConsecutive: Int
    private var offsets: MovingMedian
    private var deviations: MovingMedian
    private var consecutive = 0
    /// Samples refused since creation.
    public private(set) var rejected = 0

    public init(length: Int = 16, factor: Double = 5, floor: PTPDuration = .nanoseconds(Int64(200)), maxConsecutive: Int = 4) {
        self.length = max(4, length)
        self.factor = factor
        self.floor = floor
        self.maxConsecutive = max(1, maxConsecutive)
        offsets = MovingMedian(length: self.length)
        deviations = MovingMedian(length: self.length)
    }

    /// Whether `offset` may reach the servo; accepted samples join the window.
    public mutating func admit(_ offset: PTPDuration) -> Bool {
        let median = offsets.median
        guard offsets.count >= length, let median, let spread = deviations.median else {
            accept(offset, median: median)
            return true
        }
        let threshold = max(floor.nanosecondsDouble, factor * 1.4826 * spread.nanosecondsDouble)
        if (offset - median).magnitude.nanosecondsDouble > threshold {
            consecutive += 1
            if consecutive <= maxConsecutive {
                rejected += 1
                return false
            }
            // Not a glitch but a change: follow it, and learn the new level from scratch.
            reset()
            accept(offset, median: nil)
            return true
        }
        accept(offset, median: median)
        return true
    }

    /// Adds an accepted sample; `median` is the window's median before it (nil when empty).
    private mutating func accept(_ offset: PTPDuration, median: PTPDuration?) {
        consecutive = 0
        if let median { deviations.add((offset - median).magnitude) }
        offsets.add(offset)
    }

    /// Forgets the window (after a step, or when the source changes).
    public mutating func reset() {
        offsets.reset()
        deviations.reset()
        consecutive = 0
    }
}

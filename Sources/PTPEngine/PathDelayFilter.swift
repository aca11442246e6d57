import PTPCore
import PTPServo

/// The filter of a port's path delay samples, ptp4l's `delay_filter` over `delay_filter_length` samples:
/// a moving median (ptp4l's default, `mmedian.c`) or a moving average (`mave.c`).
public struct PathDelayFilter: Sendable {
    public enum Kind: Sendable, Hashable {
        case movingMedian
        case movingAverage
    }

    public let kind: Kind
    private var median: MovingMedian
    /// The moving average's window and running sum (unused for the median).
    private var window: [PTPDuration]
    private var next = 0
    private var count = 0
    private var sum = PTPDuration.zero

    public init(_ kind: Kind, length: Int) {
        self.kind = kind
        median = MovingMedian(length: kind == .movingMedian ? length : 1)
        window = kind == .movingAverage ? Array(repeating: .zero, count: max(1, length)) : []
    }

    /// Adds a sample and returns the filtered path delay.
    public mutating func add(_ sample: PTPDuration) -> PTPDuration {
        switch kind {
        case .movingMedian:
            return median.add(sample)
        case .movingAverage:
            if count == window.count { sum -= window[next] } else { count += 1 }
            window[next] = sample
            sum += sample
            next = (next + 1) % window.count
            return sum / Int64(count)
        }
    }

    public mutating func reset() {
        median.reset()
        next = 0
        count = 0
        sum = .zero
    }
}

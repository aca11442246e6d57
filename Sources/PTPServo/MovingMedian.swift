import PTPCore

/// The median of the last `length` durations, as linuxptp's `mmedian.c` filters the mean path delay
/// (`delay_filter moving_median`, `delay_filter_length 10`). With an even count it is the mean of the
/// two middle values.
///
/// Storage is fixed at creation, so updating allocates nothing.
public struct MovingMedian: Sendable {
    public let length: Int
    private var samples: [PTPDuration]
    private var next = 0
    public private(set) var count = 0

    /// A filter over the last `length` samples (at least 1).
    public init(length: Int = 10) {
        self.length = max(1, length)
        samples = Array(repeating: .zero, count: self.length)
    }

    /// Adds a sample and returns the new median.
    @discardableResult
    public mutating func add(_ value: PTPDuration) -> PTPDuration {
        samples[next] = value
        next = (next + 1) % length
        count = min(count + 1, length)
        return median ?? value
    }

    /// The median of the samples held; nil before the first.
    public var median: PTPDuration? {
        guard count > 0 else { return nil }
        let n = count
        return withUnsafeTemporaryAllocation(of: PTPDuration.self, capacity: n) { s in
            // Insertion sort on the stack: tiny and allocation-free.
            for i in 0..<n {
                let v = samples[i]
                var j = i
                while j > 0 && s[j - 1] > v {
                    s.initializeElement(at: j, to: s[j - 1])
                    j -= 1
                }
                s.initializeElement(at: j, to: v)
            }
            if n % 2 == 1 {
                return s[n / 2]
            }
            let a = s[n / 2 - 1]
            let b = s[n / 2]
            return a + (b - a) / 2
        }
    }

    public mutating func reset() {
        count = 0
        next = 0
    }
}

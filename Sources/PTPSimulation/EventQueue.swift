import PTPCore

/// A priority queue of simulation events by (time, insertion order), so equal times run in the
/// order they were scheduled and every run with the same seed is the same run.
///
/// Times are kept as 64-bit counts of 2⁻¹⁶ ns since `origin` (about 1.6 days of simulated time; later
/// events saturate and run last), so the heaps compare machine words. Each key carries its payload (a slab
/// of payloads beside small keys measured no faster: a timer's payload, read 62.5 ms after it was written, missed
/// the cache either way).
///
/// Two 4-ary heaps: one for what is due within ``nearHorizon`` of the last event taken (a frame on the wire,
/// a transmit time stamp: most of a zone's events, a handful pending at a time, so that heap stays in
/// cache), one for the rest (the timers: in a 10,000-clock zone some 100,000 pending). `pop` takes the
/// earlier of the two tops by the same (time, order) key, so the order is the one total order of a single
/// heap and a run is the same run. 4-ary: half the levels of a binary heap, a node's children in one or
/// two cache lines.
public struct EventQueue<Payload>: Sendable where Payload: Sendable {
    struct Key: Sendable {
        var time: Int64
        var order: UInt64
        var payload: Payload

        @inline(__always)
        func precedes(_ other: Key) -> Bool {
            time < other.time || (time == other.time && order < other.order)
        }
    }

    /// A 4-ary min-heap of keys.
    struct Heap: Sendable {
        var keys: [Key] = []

        mutating func push(_ key: Key) {
            keys.append(key)
            var i = keys.count - 1
            while i > 0 {
                let parent = (i - 1) / 4
                guard key.precedes(keys[parent]) else { break }
                keys[i] = keys[parent]
                i = parent
            }
            keys[i] = key
        }

        mutating func popFirst() -> Key? {
            guard let top = keys.first else { return nil }
            let last = keys.removeLast()
            let n = keys.count
            if n > 0 {
                var i = 0
                while true {
                    let first = 4 * i + 1
                    if first >= n { break }
                    var m = first
                    var c = first + 1
                    let end = min(first + 4, n)
                    while c < end {
                        if keys[c].precedes(keys[m]) { m = c }
                        c += 1
                    }
                    guard keys[m].precedes(last) else { break }
                    keys[i] = keys[m]
                    i = m
                }
                keys[i] = last
            }
            return top
        }
    }

    /// The timers: a calendar of 1 ms buckets over the next 8 s (a ring of unsorted arrays), the bucket being
    /// taken in a small heap, and whatever lies beyond the ring in an overflow heap. A 10,000-clock zone keeps
    /// some 100,000 timers pending; a heap of them costs a dozen cache misses a pop, a bucket of a few hundred
    /// costs none. The order is the same (time, order) key's: every event before `currentEnd` is in `current`,
    /// every later one in a bucket or the overflow, and a bucket enters `current` before any of its events is due.
    struct Calendar: Sendable {
        static var width: Int64 { 1_000_000 << 16 }
        static var bucketCount: Int { 8192 }
        /// The ring covers [currentEnd, currentEnd + span).
        static var span: Int64 { Int64(bucketCount - 1) * width }

        var current = Heap()
        var currentEnd: Int64 = 0
        var buckets = [[Key]](repeating: [], count: Calendar.bucketCount)
        var inBuckets = 0
        var overflow = Heap()

        var count: Int { current.keys.count + inBuckets + overflow.keys.count }

        private var ringEnd: Int64 {
            currentEnd > Int64.max - Self.span ? .max : currentEnd + Self.span
        }

        @inline(__always)
        private static func bucket(_ time: Int64) -> Int {
            Int((time / width) % Int64(bucketCount))
        }

        mutating func push(_ key: Key) {
            if key.time < currentEnd || currentEnd == .max {
                current.push(key)
            } else if key.time < ringEnd {
                buckets[Self.bucket(key.time)].append(key)
                inBuckets += 1
            } else {
                overflow.push(key)
            }
        }

        /// The earliest key, bringing the next bucket in while the current one is empty.
        mutating func first() -> Key? {
            while current.keys.isEmpty {
                guard inBuckets > 0 || !overflow.keys.isEmpty else { return nil }
                advance()
            }
            return current.keys.first
        }

        mutating func popFirst() -> Key? {
            guard first() != nil else { return nil }
            return current.popFirst()
        }

        /// The earliest key without moving anything (for ``EventQueue/nextTime``).
        func minimum() -> Key? {
            if let top = current.keys.first { return top }
            var best: Key?
            if inBuckets > 0 {
                var start = currentEnd
                for _ in 0..<Self.bucketCount {
                    let keys = buckets[Self.bucket(start)]
                    if let m = keys.min(by: { $0.precedes($1) }) {
                        best = m
                        break
                    }
                    start = start > Int64.max - Self.width ? .max : start + Self.width
                }
            }
            if let o = overflow.keys.first, best.map({ o.precedes($0) }) ?? true { best = o }
            return best
        }

        /// The bucket starting at `currentEnd` becomes the current one (or, with the ring empty, the overflow's
        /// first bucket); the ring's far end moves on and takes in what the overflow holds before it.
        private mutating func advance() {
            if inBuckets == 0, let o = overflow.keys.first, o.time >= currentEnd {
                currentEnd = o.time - o.time % Self.width
            }
            if currentEnd != .max {
                let b = Self.bucket(currentEnd)
                if !buckets[b].isEmpty {
                    inBuckets -= buckets[b].count
                    for key in buckets[b] { current.push(key) }
                    // Not keeping capacity: the Sync timers crowd the buckets of the next 62.5 ms, the rest
                    // hold a few keys each, and 8,192 buckets at the crowd's capacity would cost 50 MB.
                    buckets[b] = []
                }
                currentEnd = currentEnd > Int64.max - Self.width ? .max : currentEnd + Self.width
            }
            let end = ringEnd
            while let o = overflow.keys.first, o.time < end || currentEnd == .max {
                _ = overflow.popFirst()
                push(o)
            }
        }
    }

    /// Events due within this many 2⁻¹⁶ ns of the last one taken go to the near heap (100 µs).
    static var nearHorizon: Int64 { 100_000 << 16 }

    public let origin: PTPInstant
    private var near = Heap()
    private var far = Calendar()
    private var counter: UInt64 = 0
    /// The time of the last event taken, in ticks.
    private var current: Int64 = .min

    public init(origin: PTPInstant) {
        self.origin = origin
    }

    public var count: Int { near.keys.count + far.count }
    public var isEmpty: Bool { count == 0 }
    public var nextTime: PTPInstant? {
        firstKey.map { origin + .scaledNanoseconds($0.time) }
    }

    /// The earliest key of the two heaps.
    private var firstKey: Key? {
        switch (near.keys.first, far.minimum()) {
        case (let n?, let f?): n.precedes(f) ? n : f
        case (let n?, nil): n
        case (nil, let f?): f
        case (nil, nil): nil
        }
    }

    @inline(__always)
    private func ticks(_ time: PTPInstant) -> Int64 {
        let units = (time - origin).nanosecondsDouble
        if units >= 1.4e14 { return .max }
        if units <= -1.4e14 { return .min }
        // Exact: (time − origin) in 2⁻¹⁶ ns; the Double above only chose the branch.
        return (time - origin).scaledNanoseconds ?? .max
    }

    public mutating func schedule(_ payload: Payload, at time: PTPInstant) {
        counter &+= 1
        let key = Key(time: ticks(time), order: counter, payload: payload)
        if current != .min, key.time &- current < Self.nearHorizon, key.time >= current {
            near.push(key)
        } else {
            far.push(key)
        }
    }

    /// The event `pop` takes next (unless one is scheduled before it), when that is at hand without moving
    /// anything: the earlier of the near heap's top and the timers' current bucket's; nil while that bucket is
    /// empty and the calendar still holds events (the next one may be in a bucket not yet brought in). For warming
    /// the cache ahead of an event.
    public func peek() -> Payload? {
        switch (near.keys.first, far.current.keys.first) {
        case (let n?, let f?): n.precedes(f) ? n.payload : f.payload
        case (let n?, nil): far.count == 0 ? n.payload : nil
        case (nil, let f?): f.payload
        case (nil, nil): nil
        }
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (time: PTPInstant, payload: Payload)? {
        pop(notAfter: .max)
    }

    /// Removes and returns the earliest event if it is due at or before `end`.
    public mutating func pop(notAfter end: PTPInstant) -> (time: PTPInstant, payload: Payload)? {
        pop(notAfter: ticks(end))
    }

    private mutating func pop(notAfter end: Int64) -> (time: PTPInstant, payload: Payload)? {
        let top: Key?
        let f = far.first()
        if let n = near.keys.first, f.map({ n.precedes($0) }) ?? true {
            guard n.time <= end else { return nil }
            top = near.popFirst()
        } else {
            guard let f, f.time <= end else { return nil }
            top = far.popFirst()
        }
        guard let top else { return nil }
        current = top.time
        return (origin + .scaledNanoseconds(top.time), top.payload)
    }
}

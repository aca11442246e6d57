import PTPCore

/// A priority queue of simulation events by (time, insertion order), so equal times run in the
/// order they were scheduled and every run with the same seed is the same run.
///
/// Times are kept as 64-bit counts of 2⁻¹⁶ ns since `origin` (about 1.6 days of simulated time; later
/// events saturate and run last), so the heap compares machine words. The heap holds small keys;
/// payloads sit in a slab with a free list, so sifting moves 24 bytes and a payload is written once.
public struct EventQueue<Payload>: Sendable where Payload: Sendable {
    struct Key: Sendable {
        var time: Int64
        var order: UInt64
        var slot: Int

        @inline(__always)
        func precedes(_ other: Key) -> Bool {
            time < other.time || (time == other.time && order < other.order)
        }
    }

    public let origin: PTPInstant
    private var heap: [Key] = []
    private var slab: [Payload?] = []
    private var free: [Int] = []
    private var counter: UInt64 = 0

    public init(origin: PTPInstant) {
        self.origin = origin
    }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: PTPInstant? {
        heap.first.map { origin + .scaledNanoseconds($0.time) }
    }

    @inline(__always)
    private func ticks(_ time: PTPInstant) -> Int64 {
        let units = (time - origin).nanosecondsDoubleFast
        if units >= 1.4e14 { return .max }
        if units <= -1.4e14 { return .min }
        // Exact: (time − origin) in 2⁻¹⁶ ns; the Double above only chose the branch.
        return (time - origin).scaledNanoseconds ?? .max
    }

    public mutating func schedule(_ payload: Payload, at time: PTPInstant) {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slab[reused] = payload
        } else {
            slot = slab.count
            slab.append(payload)
        }
        counter &+= 1
        let key = Key(time: ticks(time), order: counter, slot: slot)
        heap.append(key)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard key.precedes(heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = key
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (time: PTPInstant, payload: Payload)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        let n = heap.count
        if n > 0 {
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                let r = l + 1
                let m = r < n && heap[r].precedes(heap[l]) ? r : l
                guard heap[m].precedes(last) else { break }
                heap[i] = heap[m]
                i = m
            }
            heap[i] = last
        }
        let payload = slab[top.slot]
        slab[top.slot] = nil
        free.append(top.slot)
        guard let payload else { return nil }
        return (origin + .scaledNanoseconds(top.time), payload)
    }
}

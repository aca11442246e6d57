import PTPCore

/// A priority queue of simulation events by (time, insertion order), so equal times run in the
/// order they were scheduled and every run with the same seed is the same run.
///
/// The heap holds small keys; payloads sit in a slab with a free list, so sifting moves 32 bytes and
/// a message payload is written once.
public struct EventQueue<Payload>: Sendable where Payload: Sendable {
    struct Key: Sendable {
        var time: PTPInstant
        var order: UInt64
        var slot: Int32

        @inline(__always)
        func precedes(_ other: Key) -> Bool {
            time < other.time || (time == other.time && order < other.order)
        }
    }

    private var heap: [Key] = []
    private var slab: [Payload?] = []
    private var free: [Int32] = []
    private var counter: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: PTPInstant? { heap.first?.time }

    public mutating func schedule(_ payload: Payload, at time: PTPInstant) {
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            slab[Int(reused)] = payload
        } else {
            slot = Int32(slab.count)
            slab.append(payload)
        }
        counter &+= 1
        heap.append(Key(time: time, order: counter, slot: slot))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (time: PTPInstant, payload: Payload)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < n && heap[l].precedes(heap[m]) { m = l }
                if r < n && heap[r].precedes(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        let slot = Int(top.slot)
        guard let payload = slab[slot] else { return nil }
        slab[slot] = nil
        free.append(top.slot)
        return (top.time, payload)
    }
}

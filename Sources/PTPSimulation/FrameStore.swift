import PTPWire

/// The frames on the simulated wires: each sent frame's bytes, encoded once and shared by its deliveries.
///
/// A delivery event names its frame by slot, so the event queue holds plain values: with the bytes themselves in
/// each event, every move of an event in the queue's heaps retained and released the array (a tenth of a zone
/// run). A slot is freed when its last delivery is taken and reused for a later frame, encoding into the
/// capacity it already has, so the steady state allocates nothing per frame.
struct FrameStore {
    private var frames: [[UInt8]] = []
    /// Per slot: deliveries not yet taken (0: free).
    private var outstanding: [Int32] = []
    private var free: [Int32] = []

    /// Encodes `message` into a slot that `deliveries` events will take, and returns the slot: a freed one when
    /// there is one, whose buffer keeps the capacity of the frame it held.
    mutating func add(_ message: PTPMessage, deliveries: Int) -> Int32 {
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = Int32(frames.count)
            frames.append([])
            outstanding.append(0)
        }
        outstanding[Int(slot)] = Int32(deliveries)
        var writer = WireWriter(reusing: [])
        swap(&writer.bytes, &frames[Int(slot)])
        writer.bytes.removeAll(keepingCapacity: true)
        if writer.bytes.capacity == 0 { writer.bytes.reserveCapacity(128) }
        message.encode(into: &writer)
        swap(&writer.bytes, &frames[Int(slot)])
        return slot
    }

    /// The bytes of `slot` for one of its deliveries; after the last the slot is free again.
    mutating func take(_ slot: Int32) -> [UInt8] {
        let s = Int(slot)
        let bytes = frames[s]
        outstanding[s] -= 1
        if outstanding[s] == 0 { free.append(slot) }
        return bytes
    }

    /// The bytes of `slot`, its deliveries left as they are (for tests).
    func bytes(of slot: Int32) -> [UInt8] { frames[Int(slot)] }

    /// Slots holding frames still on a wire (for tests).
    var inFlight: Int { frames.count - free.count }
}

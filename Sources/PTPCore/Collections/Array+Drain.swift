extension Array {
    /// Hands each element to `body`, in order, moved out of the array rather than copied, and leaves the array
    /// empty with its capacity kept. `filler` (a value with nothing to release) takes each element's place until
    /// the array is emptied.
    ///
    /// The engine's owners pass actions on this way: an action that sends a message holds the message's
    /// buffers, and a copy out of a list retains them only for the list's removal to release them again.
    @inlinable
    public mutating func drain(leaving filler: Element, _ body: (consuming Element) -> Void) {
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for i in buffer.indices {
                let element = (base + i).move()
                (base + i).initialize(to: filler)
                body(element)
            }
        }
        // The fillers go one by one from the end: `removeAll(keepingCapacity:)` goes through the general
        // `replaceSubrange`, which cost more per call than the few elements a drain holds (cachegrind).
        for _ in 0..<count { removeLast() }
    }
}

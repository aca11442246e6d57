import PTPCore

/// The Delay_Reqs a slave sent and has not completed: for each, its transmit stamp (t3) and the receipt stamp
/// its Delay_Resp carried (t4), which may come in either order. A few are kept, not only the latest: a master
/// may answer after the slave's next request has left (one that answers in the pass of its next Sync, or a
/// loaded one), and that answer still completes a measurement. ptp4l keeps every request of the last 5 s
/// (`port.c`, `delay_req_current`); four cover a master that answers within four request intervals.
struct DelayRequestsInFlight: Sendable {
    /// How many are kept; the oldest goes when a fifth is sent.
    static let capacity = 4

    struct Request: Sendable, Equatable {
        var sequenceId: UInt16
        var t3: PTPInstant?
        var t4: PTPInstant?
        /// The Delay_Resp's correctionField (t4 is its receiveTimestamp less this).
        var correction = PTPDuration.zero
    }

    /// Oldest first.
    private(set) var requests: [Request] = []

    var isEmpty: Bool { requests.isEmpty }

    /// A request just sent.
    mutating func sent(sequenceId: UInt16) {
        requests.removeAll { $0.sequenceId == sequenceId }
        if requests.count >= Self.capacity { requests.removeFirst(requests.count - Self.capacity + 1) }
        requests.append(Request(sequenceId: sequenceId))
    }

    /// Its transmit stamp; false when no request in flight has that sequence id.
    mutating func stamped(sequenceId: UInt16, t3: PTPInstant) -> Bool {
        guard let i = requests.firstIndex(where: { $0.sequenceId == sequenceId }) else { return false }
        requests[i].t3 = t3
        return true
    }

    /// Its Delay_Resp's receipt stamp and correction; false when no request in flight has that sequence id or it
    /// was answered already.
    mutating func answered(sequenceId: UInt16, t4: PTPInstant, correction: PTPDuration) -> Bool {
        guard let i = requests.firstIndex(where: { $0.sequenceId == sequenceId && $0.t4 == nil }) else { return false }
        requests[i].t4 = t4
        requests[i].correction = correction
        return true
    }

    /// Removes and returns the request `sequenceId` once both of its stamps are known.
    mutating func complete(sequenceId: UInt16) -> (t3: PTPInstant, t4: PTPInstant, correction: PTPDuration)? {
        guard let i = requests.firstIndex(where: { $0.sequenceId == sequenceId }),
            let t3 = requests[i].t3, let t4 = requests[i].t4
        else { return nil }
        let correction = requests[i].correction
        requests.remove(at: i)
        return (t3, t4, correction)
    }

    mutating func removeAll() {
        requests.removeAll()
    }
}

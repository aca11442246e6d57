import PTPEngine

/// The engine tokens of one port's event messages whose transmit stamps are awaited, by send id.
///
/// A grandmaster asks for a stamp with every Sync and gets it back within the same pass, so a port holds a few
/// and looks one up dozens of times a second; a unicast server's Sync tick holds one per client until the stamps
/// come back after the pass. Send ids only grow, and stamps come back in the order the messages left (one
/// socket's error queue), so the ids are kept in a sorted array: the awaited stamp is almost always the oldest
/// (checked first), any other is found by binary search; a removed entry is left as a hole, and the holes go
/// together once they are as many as the live entries. No id is hashed, which a dictionary would do at every
/// send and stamp.
struct PendingTransmits {
    private var ids: [UInt64] = []
    private var tokens: [TransmitToken?] = []
    /// The first entry that may still be live; entries before it are holes.
    private var head = 0
    /// Live entries.
    private(set) var count = 0
    /// Entries kept, holes included.
    var storage: Int { ids.count }

    /// Awaits `token`'s stamp under `id`, which is larger than every id inserted before.
    mutating func insert(_ token: TransmitToken, id: UInt64) {
        if let last = ids.last, id <= last {
            // Ids come from one counter that only grows; were one to repeat, the lookup would find the older.
            removeAll()
        }
        ids.append(id)
        tokens.append(token)
        count += 1
    }

    /// The token awaited under `id`, no longer awaited; nil when none is (already taken, or forgotten).
    mutating func remove(_ id: UInt64) -> TransmitToken? {
        var index = head
        if index >= ids.count || ids[index] != id {
            // Binary search over ids[head...]: the first index whose id is not below `id`.
            var low = head
            var high = ids.count
            while low < high {
                let middle = low + (high - low) / 2
                if ids[middle] < id { low = middle + 1 } else { high = middle }
            }
            guard low < ids.count, ids[low] == id else { return nil }
            index = low
        }
        guard let token = tokens[index] else { return nil }
        tokens[index] = nil
        count -= 1
        if count == 0 {
            removeAll()
        } else {
            while head < tokens.count && tokens[head] == nil { head += 1 }
            // Holes go once they are as many as the live entries (behind an oldest entry whose stamp never came
            // they would otherwise pile up): the storage stays under twice the live entries, plus 64.
            if ids.count >= 64 && ids.count >= 2 * count { compact() }
        }
        return token
    }

    private mutating func compact() {
        var kept = 0
        for index in head..<ids.count where tokens[index] != nil {
            ids[kept] = ids[index]
            tokens[kept] = tokens[index]
            kept += 1
        }
        ids.removeLast(ids.count - kept)
        tokens.removeLast(tokens.count - kept)
        head = 0
    }

    /// Forgets every awaited stamp (a port reset, or stamps that never came back), keeping the storage.
    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        head = 0
        count = 0
    }
}

import PTPCore
import PTPWire

/// What a port remembers of one foreign master (IEEE 1588-2019 9.3.2.4): its latest Announce and when
/// its recent Announce messages arrived.
public struct ForeignMasterRecord: Sendable, Hashable {
    public var sender: PortIdentity
    public var header: PTPHeader
    public var announce: AnnounceBody
    public var dataset: ComparisonDataset
    /// Receipt times (local) of the Announce messages inside the window, oldest first.
    public var receipts: [PTPInstant]

    /// The newest receipt time.
    public var lastReceipt: PTPInstant { receipts.last ?? .epoch }
}

/// The foreign master data set of one port and Announce qualification (IEEE 1588-2019 9.3.2.4–9.3.2.5).
///
/// A foreign master is qualified once `threshold` (FOREIGN_MASTER_THRESHOLD, 2) of its Announce
/// messages have arrived within the window (FOREIGN_MASTER_TIME_WINDOW, 4 announce intervals).
/// Announce messages from this clock itself, or with stepsRemoved 255 or more, are never entered.
public struct ForeignMasterTable: Sendable {
    public static let foreignMasterThreshold = 2
    public static let foreignMasterTimeWindow = 4
    /// The most records kept. A new sender beyond that replaces the stalest record that is neither qualified
    /// nor the port's parent; when every record is one of those, the newcomer is dropped (and counted), so a
    /// flood of spoofed identities cannot evict the real master (issue #17).
    public static let capacity = 16

    public let receiver: PortIdentity
    public var window: PTPDuration
    public private(set) var records: [ForeignMasterRecord] = []
    /// Announce messages of new senders dropped because the table was full of qualified records and the parent.
    public private(set) var dropped = 0
    /// Unqualified records replaced by a new sender.
    public private(set) var evicted = 0

    /// A table for the port `receiver` whose announce interval is `logAnnounceInterval`.
    public init(receiver: PortIdentity, logAnnounceInterval: LogInterval) {
        self.receiver = receiver
        self.window = logAnnounceInterval.duration * Int64(Self.foreignMasterTimeWindow)
    }

    /// Why an Announce was not entered.
    public enum Rejection: Error, Sendable, Hashable {
        /// 9.3.2.5 a: sent by this clock (a port of ours hears another).
        case fromSelf
        /// 9.3.2.5 d: stepsRemoved 255 or more.
        case stepsRemovedLimit
        /// A new sender while every record is qualified or the parent (a flood of identities): dropped, counted.
        case tableFull
    }

    /// Enters an Announce received at `now`. Returns whether the sender is qualified afterwards and
    /// whether what BMCA compares (or the time properties) changed, so the caller knows when a state
    /// decision is due.
    ///
    /// `parent` (the port's current master, if any) is never evicted for a newcomer.
    public mutating func add(
        header: PTPHeader, announce: AnnounceBody, at now: PTPInstant, parent: PortIdentity? = nil
    ) -> Result<(qualified: Bool, changed: Bool), Rejection> {
        if header.sourcePortIdentity.clockIdentity == receiver.clockIdentity {
            return .failure(.fromSelf)
        }
        if announce.stepsRemoved >= 255 {
            return .failure(.stepsRemovedLimit)
        }
        let sender = header.sourcePortIdentity
        let dataset = ComparisonDataset(announce: announce, sender: sender, receiver: receiver)
        if let i = records.firstIndex(where: { $0.sender == sender }) {
            let wasQualified = isQualified(records[i], now: now)
            let changed =
                records[i].dataset != dataset || records[i].header.flags != header.flags
                || records[i].announce.currentUtcOffset != announce.currentUtcOffset
                || records[i].announce.timeSource != announce.timeSource
            records[i].header = header
            records[i].announce = announce
            records[i].dataset = dataset
            trim(&records[i].receipts, now: now)
            records[i].receipts.append(now)
            let qualified = isQualified(records[i], now: now)
            return .success((qualified, changed || qualified != wasQualified))
        }
        let record = ForeignMasterRecord(
            sender: sender, header: header, announce: announce, dataset: dataset, receipts: [now])
        if records.count >= Self.capacity {
            let evictable = records.indices.filter { records[$0].sender != parent && !isQualified(records[$0], now: now) }
            guard let stalest = evictable.min(by: { records[$0].lastReceipt < records[$1].lastReceipt }) else {
                dropped += 1
                return .failure(.tableFull)
            }
            evicted += 1
            records[stalest] = record
        } else {
            records.append(record)
        }
        let qualified = isQualified(record, now: now)
        return .success((qualified, qualified))
    }

    /// The engine's time moved by `delta` (``InstanceEngine/timescaleShifted(by:)``): the receipts move with it.
    public mutating func timescaleShifted(by delta: PTPDuration) {
        for i in records.indices {
            for j in records[i].receipts.indices { records[i].receipts[j] = records[i].receipts[j] + delta }
        }
    }

    /// True when `record` has enough recent Announce messages.
    public func isQualified(_ record: ForeignMasterRecord, now: PTPInstant) -> Bool {
        var count = 0
        for t in record.receipts where now - t <= window {
            count += 1
        }
        return count >= Self.foreignMasterThreshold
    }

    /// Drops receipts older than the window, and records left with none. Returns whether a record
    /// that was qualified lost its qualification.
    @discardableResult
    public mutating func prune(now: PTPInstant) -> Bool {
        var lost = false
        for i in records.indices.reversed() {
            let was = isQualified(records[i], now: now) || records[i].receipts.count >= Self.foreignMasterThreshold
            trim(&records[i].receipts, now: now)
            if records[i].receipts.isEmpty {
                records.remove(at: i)
                if was { lost = true }
            } else if was && !isQualified(records[i], now: now) {
                lost = true
            }
        }
        return lost
    }

    /// Erbest: the best qualified record (9.3.2.2), or nil.
    public func best(now: PTPInstant) -> ForeignMasterRecord? {
        var best: ForeignMasterRecord?
        for record in records where isQualified(record, now: now) {
            if let current = best {
                if DatasetComparison.compare(record.dataset, current.dataset).isABetter {
                    best = record
                }
            } else {
                best = record
            }
        }
        return best
    }

    /// The record for `sender`, qualified or not.
    public func record(for sender: PortIdentity) -> ForeignMasterRecord? {
        records.first { $0.sender == sender }
    }

    /// Forgets `sender` (ptp4l `fc_clear` on announce receipt timeout).
    public mutating func clear(sender: PortIdentity) {
        records.removeAll { $0.sender == sender }
    }

    public mutating func removeAll() {
        records.removeAll()
    }

    private func trim(_ receipts: inout [PTPInstant], now: PTPInstant) {
        receipts.removeAll { now - $0 > window }
        if receipts.count > Self.foreignMasterThreshold {
            receipts.removeFirst(receipts.count - Self.foreignMasterThreshold)
        }
    }
}

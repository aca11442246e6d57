import Foundation
import PTPCore
import PTPWire
import Synchronization

/// Where a test reads a ptp4l slave's offsets from, one per Sync.
protocol SlaveOffsets: AnyObject, Sendable {
    /// Every offset so far, in ns.
    var offsets: [Int64] { get }
    /// Clears the samples (to drop the settling period).
    func reset()
    /// Another master follows: clears the samples and whatever was learned of the old one's path.
    func forgetPath()
}

/// Receives ptp4l's `slave_event_monitor` reports on a Unix datagram socket: for every Sync the slave
/// takes, t1 (origin plus correction) and t2 (ingress); for every Delay_Resp, t3 and t4. It recomputes
/// the offset of each Sync the way ptp4l's tsproc does (mean path delay = moving median of the last 10
/// delay samples), so a free-running ptp4l slave gives one offset per Sync, not one a second.
final class SlaveEventMonitor: SlaveOffsets, @unchecked Sendable {  // state behind `lock`; the socket is read on one thread
    let path: String
    private let fd: Int32
    private let lock = Mutex<State>(State())
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?

    struct State {
        var syncs: [(sequence: UInt16, t1: PTPInstant, t2: PTPInstant)] = []
        var delays: [PTPDuration] = []
        var offsets: [Int64] = []
        /// t2 − t1 of each Sync and t4 − t3 of each Delay_Req, ns: the two one-way latencies.
        var syncPaths: [Int64] = []
        var delayPaths: [Int64] = []
        var reports = 0
    }

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw MonitorError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw MonitorError("path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard ok else { throw MonitorError("bind \(path): \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [weak self] in self?.loop() }
        self.thread = thread
        thread.start()
    }

    struct MonitorError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        usleep(300_000)
        close(fd)
        unlink(path)
    }

    /// Every recomputed offset so far, in ns.
    var offsets: [Int64] { lock.withLock { $0.offsets } }
    var reports: Int { lock.withLock { $0.reports } }

    /// Clears the samples (to drop the settling period).
    func reset() {
        lock.withLock {
            $0.offsets.removeAll()
            $0.syncPaths.removeAll()
            $0.delayPaths.removeAll()
        }
    }

    /// Forgets the path delays and the Syncs too (another master follows), and the samples.
    func forgetPath() {
        lock.withLock {
            $0.delays.removeAll()
            $0.syncs.removeAll()
            $0.offsets.removeAll()
            $0.syncPaths.removeAll()
            $0.delayPaths.removeAll()
        }
    }

    /// Median master→slave and slave→master latency (ns): where an asymmetry comes from.
    var oneWayMedians: (sync: Int64, delay: Int64) {
        lock.withLock { state in
            func median(_ v: [Int64]) -> Int64 { v.isEmpty ? 0 : v.sorted()[v.count / 2] }
            return (median(state.syncPaths), median(state.delayPaths))
        }
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopping.load(ordering: .relaxed) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            guard let message = try? PTPMessage.decode(Array(buffer[0..<count])) else { continue }
            for tlv in message.tlvs {
                if case .unknown(let type, let value) = tlv { handle(type.rawValue, value) }
            }
        }
    }

    private func timestamp(_ b: ArraySlice<UInt8>, at i: Int) -> PTPInstant {
        var seconds: Int64 = 0
        for k in 0..<6 { seconds = seconds << 8 | Int64(b[b.startIndex + i + k]) }
        var nanos: Int64 = 0
        for k in 6..<10 { nanos = nanos << 8 | Int64(b[b.startIndex + i + k]) }
        return PTPInstant(seconds: seconds, nanoseconds: nanos)
    }

    private func int64(_ b: ArraySlice<UInt8>, at i: Int) -> Int64 {
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(b[b.startIndex + i + k]) }
        return Int64(bitPattern: v)
    }

    private func handle(_ type: UInt16, _ value: [UInt8]) {
        let records = value.dropFirst(10)  // sourcePortIdentity
        lock.withLock { state in
            state.reports += 1
            if type == 0x8004 {  // SLAVE_RX_SYNC_TIMING_DATA: seq, origin, correction, rate, ingress (34 bytes)
                var r = records
                while r.count >= 34 {
                    let seq = UInt16(r[r.startIndex]) << 8 | UInt16(r[r.startIndex + 1])
                    let t1 = timestamp(r, at: 2) + .scaledNanoseconds(int64(r, at: 12))
                    let t2 = timestamp(r, at: 24)
                    state.syncs.append((seq, t1, t2))
                    state.syncPaths.append((t2 - t1).nanoseconds)
                    if state.syncs.count > 64 { state.syncs.removeFirst() }
                    if !state.delays.isEmpty {
                        let sorted = state.delays.sorted()
                        let median = sorted[sorted.count / 2]
                        state.offsets.append(((t2 - t1) - median).nanoseconds)
                    }
                    r = r.dropFirst(34)
                }
            } else if type == 0x7F00 {  // SLAVE_DELAY_TIMING_DATA_NP: seq, t3, correction, t4 (30 bytes)
                var r = records
                while r.count >= 30 {
                    let t3 = timestamp(r, at: 2)
                    let t4 = timestamp(r, at: 20) - .scaledNanoseconds(int64(r, at: 12))
                    state.delayPaths.append((t4 - t3).nanoseconds)
                    if let last = state.syncs.last {
                        let delay = ((last.t2 - last.t1) + (t4 - t3)) / 2
                        state.delays.append(delay)
                        if state.delays.count > 10 { state.delays.removeFirst() }
                    }
                    r = r.dropFirst(30)
                }
            }
        }
    }
}

/// Percentiles of |x| (nearest rank).
struct OffsetStatistics: CustomStringConvertible {
    let count: Int
    let p50: Int64
    let p95: Int64
    let p99: Int64

    init(_ values: [Int64]) {
        let sorted = values.map { abs($0) }.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Int64 {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
        p50 = rank(0.50)
        p95 = rank(0.95)
        p99 = rank(0.99)
    }

    var description: String { "n=\(count) |offset| p50 \(p50) ns, p95 \(p95) ns, p99 \(p99) ns" }
}

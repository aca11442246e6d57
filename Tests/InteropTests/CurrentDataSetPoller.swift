import Foundation
import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire
import Synchronization

/// Reads a ptp4l slave's own `offsetFromMaster` through its management socket, as `pmc -u 'GET
/// CURRENT_DATA_SET'` would, every `interval` (a fraction of the Sync interval), and keeps each new value:
/// one offset per Sync. This is how a P2P slave's offsets are taken. Its slave_event_monitor reports each
/// Sync's timestamps but not the peer delay, so they cannot be recomputed from that as for E2E. A
/// free-running ptp4l 3.1 updates CURRENT_DATA_SET on every Sync (clock_synchronize) but prints an
/// offset only once per freq_est_interval.
///
/// A value equal to the previous one is taken for the same Sync. Two Syncs with the same offset to the
/// nanosecond are rare (a few hundred ns of spread); one lost now and then changes no percentile. A Sync
/// that comes while a poll is late is missed the same way.
final class CurrentDataSetPoller: SlaveOffsets, @unchecked Sendable {  // state behind `lock`; the socket is used on one thread
    let server: String
    private let socket: UnixDatagramSocket
    private let lock = Mutex<State>(State())
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?
    private let interval: useconds_t
    /// transportSpecific of the requests: ptp4l's UDS port drops management of another one (gPTP.cfg: 1), as
    /// `pmc -t` sets it.
    private let transportSpecific: UInt8

    struct State {
        var offsets: [Int64] = []
        var last: Int64?
        var polls = 0
        var answers = 0
    }

    /// Polls `server` (the slave's uds_address) from a socket bound at `path`.
    init(server: String, path: String, intervalMicroseconds: useconds_t = 8_000, transportSpecific: UInt8 = 0) throws {
        self.server = server
        self.interval = intervalMicroseconds
        self.transportSpecific = transportSpecific
        unlink(path)
        socket = try UnixDatagramSocket.bind(path: path, mode: 0o600)
        let thread = Thread { [weak self] in self?.loop() }
        self.thread = thread
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        usleep(100_000)
        socket.close()
        unlink(socket.path)
    }

    /// Every new offset so far, in ns.
    var offsets: [Int64] { lock.withLock { $0.offsets } }
    /// Requests sent and CURRENT_DATA_SET answers received.
    var counts: (polls: Int, answers: Int) { lock.withLock { ($0.polls, $0.answers) } }

    /// Clears the samples (to drop the settling period).
    func reset() { lock.withLock { $0.offsets.removeAll() } }

    /// Another master follows: the samples go (the last value stays, so that the old master's offset,
    /// still in the data set until the new master's first Sync, is not taken for a new one).
    func forgetPath() { reset() }

    private func loop() {
        var sequence: UInt16 = 0
        let port = UInt16(truncatingIfNeeded: getpid())
        let destination = UnixSocketAddress(path: server)
        while !stopping.load(ordering: .relaxed) {
            var request = ManagementMessages.request(
                action: .get, id: .currentDataSet, data: nil, sequenceId: sequence, sourcePort: port)
            request.header.majorSdoId = transportSpecific
            sequence &+= 1
            lock.withLock { $0.polls += 1 }
            if (try? socket.send(request.encoded(), to: destination)) != nil,
                let reply = try? socket.receive(timeoutMilliseconds: 50),
                let offset = Self.offsetFromMaster(reply.bytes)
            {
                lock.withLock { state in
                    state.answers += 1
                    if offset != state.last {
                        state.offsets.append(offset)
                        state.last = offset
                    }
                }
            }
            usleep(interval)
        }
    }

    /// offsetFromMaster (ns) of a CURRENT_DATA_SET response, or nil for anything else.
    static func offsetFromMaster(_ bytes: [UInt8]) -> Int64? {
        guard let message = try? PTPMessage.decode(bytes), case .management(let body) = message.body,
            body.action == .response
        else { return nil }
        for case .management(let tlv) in message.tlvs where tlv.managementId == .currentDataSet {
            if case .currentDataSet(let ds)? = try? ManagementData.decode(id: tlv.managementId, action: .response, data: tlv.data)
            {
                return ds.offsetFromMaster.duration.nanoseconds
            }
        }
        return nil
    }
}

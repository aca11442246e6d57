import CGPS
import Glibc
import LinuxPlatform
import Synchronization

/// A gpsd client through libgps (gpsd 3.22, API 11): it connects, asks for JSON, PPS and timing
/// reports, and hands each report to `onReport` from its own thread. When gpsd is unreachable or goes
/// away it reconnects by itself with exponential backoff.
///
/// The blocking libgps calls run on a dedicated thread, never on Swift's cooperative pool
/// (DESIGN.md, "Concurrency"). `onReport` must be quick; the daemon forwards reports into an actor.
public final class GPSDClient: Sendable {
    public let host: String
    public let port: String
    private let onReport: @Sendable (GPSDReport) -> Void
    private let stopping = StopFlag()
    private let thread = Mutex<pthread_t?>(nil)
    private let backoff: (initial: Int, maximum: Int)
    private let trust: GPSDPeerTrust

    /// - Parameters:
    ///   - address: `host:port` (gpsd's default port is 2947).
    ///   - initialBackoffMilliseconds, maximumBackoffMilliseconds: reconnection delays, doubling.
    ///   - trust: who may serve a loopback address (``GPSDPeerTrust``; the daemon's `gpsd_user` by default).
    public init(
        host: String, port: String, initialBackoffMilliseconds: Int = 500, maximumBackoffMilliseconds: Int = 30_000,
        trust: GPSDPeerTrust = .configured, onReport: @escaping @Sendable (GPSDReport) -> Void
    ) {
        self.trust = trust
        self.host = host
        self.port = port
        self.onReport = onReport
        self.backoff = (max(1, initialBackoffMilliseconds), max(initialBackoffMilliseconds, maximumBackoffMilliseconds))
    }

    /// Parses `host:port`, `[v6]:port` or `host` (port 2947).
    public static func parseAddress(_ text: String) -> (host: String, port: String)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, "2947") }
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0 else { return nil }
            return (host, String(port))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !text.isEmpty: return (text, "2947")
        case 2 where !parts[0].isEmpty:
            guard let port = UInt16(parts[1]), port > 0 else { return nil }
            return (String(parts[0]), String(port))
        default: return nil
        }
    }

    /// Starts the reader thread. Calling it twice does nothing.
    public func start() {
        thread.withLock { handle in
            guard handle == nil else { return }
            let box = Unmanaged.passRetained(self)
            var newThread = pthread_t()
            let result = pthread_create(
                &newThread, nil,
                { argument in
                    guard let argument else { return nil }
                    let client = Unmanaged<GPSDClient>.fromOpaque(argument).takeRetainedValue()
                    client.runLoop()
                    return nil
                }, box.toOpaque())
            if result == 0 {
                handle = newThread
            } else {
                box.release()
                onReport(
                    .disconnected(
                        reason: "cannot start the gpsd thread: \(String(cString: strerror(result)))", retryAfterMilliseconds: 0))
            }
        }
    }

    /// Stops the reader thread and waits for it (at most about a quarter second plus one read).
    public func stop() {
        stopping.stop()
        let handle = thread.withLock { handle -> pthread_t? in
            defer { handle = nil }
            return handle
        }
        if let handle { pthread_join(handle, nil) }
    }

    private var isStopping: Bool { stopping.isStopped }

    /// Connect, read until the connection ends, wait, repeat; until ``stop()``.
    private func runLoop() {
        let data = UnsafeMutablePointer<gps_data_t>.allocate(capacity: 1)
        data.initialize(to: gps_data_t())
        defer { data.deallocate() }
        var line = [CChar](repeating: 0, count: 8_192)
        var delay = backoff.initial
        while !isStopping {
            errno = 0
            if gps_open(host, port, data) != 0 {
                let reason = "cannot connect to gpsd at \(host):\(port): \(String(cString: gps_errstr(errno)))"
                onReport(.disconnected(reason: reason, retryAfterMilliseconds: delay))
                sleep(milliseconds: delay)
                delay = min(delay * 2, backoff.maximum)
                continue
            }
            // An impostor on gpsd's port (issue #17) is dropped before a word is read from it; the backoff
            // keeps growing, so it costs a connection every 30 s at most.
            if let refusal = trust.refusal(fd: CInt(data.pointee.gps_fd), address: "\(host):\(port)") {
                _ = gps_close(data)
                onReport(.disconnected(reason: refusal, retryAfterMilliseconds: delay))
                sleep(milliseconds: delay)
                delay = min(delay * 2, backoff.maximum)
                continue
            }
            _ = gps_stream(data, UInt32(WATCH_ENABLE | WATCH_JSON | WATCH_PPS | WATCH_TIMING), nil)
            onReport(.connected)
            let reason = readUntilClosed(data, &line)
            _ = gps_close(data)
            if isStopping { break }
            delay = backoff.initial
            onReport(.disconnected(reason: reason, retryAfterMilliseconds: delay))
            sleep(milliseconds: delay)
        }
    }

    /// Reads reports until gpsd closes the connection or ``stop()``; returns why it ended.
    private func readUntilClosed(_ data: UnsafeMutablePointer<gps_data_t>, _ line: inout [CChar]) -> String {
        var readAnything = false
        while !isStopping {
            guard gps_waiting(data, 250_000) else {
                if errno != 0 && errno != EAGAIN && errno != EINTR && readAnything {
                    return "gpsd connection failed: \(String(cString: strerror(errno)))"
                }
                continue
            }
            data.pointee.set = 0  // libgps only clears it for TPV
            let count = line.withUnsafeMutableBufferPointer { buffer -> Int32 in
                buffer[0] = 0
                return cgps_read(data, buffer.baseAddress, Int32(buffer.count))
            }
            if count < 0 { return "gpsd closed the connection" }
            if count == 0 { continue }
            readAnything = true
            let text = line.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeRawBufferPointer(buffer).prefix { $0 != 0 }, as: UTF8.self)
            }
            report(GPSDLine(text: text), data.pointee)
        }
        return "stopped"
    }

    private func report(_ line: GPSDLine, _ data: gps_data_t) {
        let time =
            data.set & TIME_SET != 0
            ? UnixTime(seconds: Int64(data.fix.time.tv_sec), nanoseconds: Int64(data.fix.time.tv_nsec)) : nil
        let decoded = GPSDReportDecoder.decode(
            line.text,
            libgps: .init(
                fixTime: time, mode: Int(data.fix.mode), status: Int(data.fix.status),
                satellitesUsed: Int(data.satellites_used), satellitesVisible: Int(data.satellites_visible)))
        if let decoded { onReport(decoded) }
    }

    /// Sleeps in short steps so ``stop()`` is not held up by a long backoff.
    private func sleep(milliseconds: Int) {
        var left = milliseconds
        while left > 0 && !isStopping {
            let step = min(left, 100)
            var request = timespec(tv_sec: 0, tv_nsec: step * 1_000_000)
            _ = nanosleep(&request, nil)
            left -= step
        }
    }
}

import Glibc
import LinuxPlatform
import Synchronization

/// The daemon's log lines are written by this one thread, never by the thread that logs (issue #17): a clock
/// loop, a management task or the cooperative pool only formats its line and queues it; a slow or blocked
/// standard output (a full pipe, a stalled terminal) or syslog costs them nothing. The queue holds at most
/// ``capacity`` lines; beyond it lines are dropped and counted, and the writer says how many before the next
/// line it writes. ``flush(timeout:)`` waits until everything queued is written (meridiand calls it before it
/// exits).
final class LogWriter: Sendable {
    struct Line: Sendable {
        var standardOutput: String?
        var syslog: (priority: Int32, text: String)?
    }

    static let capacity = 8_192
    static let shared = LogWriter(descriptor: 1)

    private struct State {
        var lines: [Line] = []
        var dropped = 0
        var writing = false
        var started = false
    }
    private let state = Mutex(State())
    private let descriptor: Int32
    /// The writer's doorbell: one byte per wake-up request (non-blocking; a full pipe already rings).
    private let doorbell: (read: Int32, write: Int32)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        } else {
            fds = [-1, -1]
        }
        doorbell = (fds[0], fds[1])
    }

    /// Queues `line`; never blocks on the output.
    func enqueue(_ line: Line) {
        let start = state.withLock { state -> Bool in
            if state.lines.count >= Self.capacity {
                state.dropped += 1
                return false
            }
            state.lines.append(line)
            defer { state.started = true }
            return !state.started
        }
        if start, (try? PlatformThread.spawn(name: "meridian-log", { self.run() })) == nil {
            // No thread: write here rather than lose the log.
            drain()
            return
        }
        var byte: UInt8 = 1
        _ = write(doorbell.write, &byte, 1)
    }

    /// Waits (at most `timeout`) until every queued line is written.
    func flush(timeout: Duration = .seconds(2)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let idle = state.withLock { $0.lines.isEmpty && !$0.writing && $0.dropped == 0 }
            if idle { return }
            if !state.withLock({ $0.started }) {
                drain()
                return
            }
            var byte: UInt8 = 1
            _ = write(doorbell.write, &byte, 1)
            usleep(1_000)
        }
    }

    /// How many lines were dropped since the last report (for tests).
    var droppedSoFar: Int { state.withLock { $0.dropped } }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            drain()
            var ready = pollfd(fd: doorbell.read, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, 1_000)
            _ = buffer.withUnsafeMutableBytes { read(doorbell.read, $0.baseAddress, $0.count) }
        }
    }

    /// Writes everything queued, in order.
    private func drain() {
        while true {
            let (lines, dropped) = state.withLock { state -> ([Line], Int) in
                let taken = (state.lines, state.dropped)
                state.lines.removeAll(keepingCapacity: true)
                state.dropped = 0
                state.writing = !taken.0.isEmpty || taken.1 > 0
                return taken
            }
            if lines.isEmpty && dropped == 0 { return }
            if dropped > 0 {
                writeAll("meridiand: \(dropped) log line(s) dropped: the log writer fell behind\n")
            }
            for line in lines {
                if let text = line.standardOutput { writeAll(text) }
                if let (priority, text) = line.syslog {
                    text.withCString { message in
                        withVaList([message]) { arguments in
                            "%s".withCString { format in vsyslog(priority, format, arguments) }
                        }
                    }
                }
            }
            state.withLock { $0.writing = false }
        }
    }

    private func writeAll(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in write(descriptor, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    usleep(1_000)
                    continue
                }
                return
            }
            offset += written
        }
    }
}

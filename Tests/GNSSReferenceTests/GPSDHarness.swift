import Foundation
import Synchronization
import Testing

/// A real gpsd 3.22 fed by `nmea_feed.py` on a pty, with its own PPS thread driven by `dcd_pulse.so`,
/// on a private port and IPC namespace. Everything it starts is stopped by ``shutDown()``.
final class GPSDHarness: @unchecked Sendable {  // used from one test at a time; processes are thread-safe to signal
    let directory: URL
    let port: Int
    let link: String
    private var feed: Process?
    private var gpsd: Process?
    let pulseOffsetNanoseconds: Int

    init(pulseOffsetNanoseconds: Int = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-gpsd-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        link = directory.appendingPathComponent("ttyGNSS").path
        self.pulseOffsetNanoseconds = pulseOffsetNanoseconds
    }

    static func fixture(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/gpsd/\(name)", withExtension: nil) else {
            throw HarnessError("fixture \(name) missing from the test bundle")
        }
        return url.path
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func tool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw HarnessError("\(name) is not installed: run `make deps`")
    }

    /// A TCP port on loopback with nothing listening right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw HarnessError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Compiles the pulse shim into this harness's directory.
    func buildShim() throws -> String {
        let output = directory.appendingPathComponent("dcd_pulse.so").path
        let cc = try Self.tool("cc")
        let status = try run(cc, ["-O2", "-shared", "-fPIC", "-o", output, Self.fixture("dcd_pulse.c"), "-ldl"])
        guard status == 0 else { throw HarnessError("cc failed building dcd_pulse.so (\(status))") }
        return output
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func startFeed() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.tool("python3"))
        process.arguments = [try Self.fixture("nmea_feed.py"), link]
        process.environment = ["FEED_DELAY_MS": "100", "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        feed = process
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) { usleep(50_000) }
        guard FileManager.default.fileExists(atPath: link) else { throw HarnessError("the NMEA feed did not create \(link)") }
    }

    func startGPSD() throws {
        let shim = try buildShim()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.tool("python3"))
        process.arguments = [try Self.fixture("unblocked.py"), try Self.tool("unshare"), "--ipc", try Self.tool("gpsd"), "-N", "-n", "-b", "-S", String(port), link]
        process.environment = [
            "LD_PRELOAD": shim, "PULSE_TTY": link, "PULSE_WIDTH_MS": "20",
            "PULSE_OFFSET_NS": String(pulseOffsetNanoseconds), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        gpsd = process
        // Ready when the port accepts connections (bounded: 5 s).
        for _ in 0..<100 {
            if accepts() { return }
            usleep(50_000)
        }
        throw HarnessError("gpsd did not listen on port \(port)")
    }

    func stopGPSD() {
        if let gpsd, gpsd.isRunning {
            gpsd.terminate()
            // Bounded: SIGKILL if it has not gone within 3 s.
            for _ in 0..<60 where gpsd.isRunning { usleep(50_000) }
            if gpsd.isRunning { kill(gpsd.processIdentifier, SIGKILL) }
            gpsd.waitUntilExit()
        }
        gpsd = nil
    }

    /// Sends a signal to the feed: SIGUSR1 silence, SIGUSR2 loss of fix, SIGHUP time-of-day error.
    func signalFeed(_ signal: Int32) {
        if let feed, feed.isRunning { kill(feed.processIdentifier, signal) }
    }

    func accepts() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    func shutDown() {
        stopGPSD()
        if let feed, feed.isRunning {
            feed.terminate()
            for _ in 0..<60 where feed.isRunning { usleep(50_000) }
            if feed.isRunning { kill(feed.processIdentifier, SIGKILL) }
            feed.waitUntilExit()
        }
        feed = nil
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Reports collected from a client's thread, with a bounded wait.
final class ReportLog: Sendable {
    private let entries = Mutex<[(at: ContinuousClock.Instant, report: GPSDReportBox)]>([])

    struct GPSDReportBox: Sendable { let value: Any & Sendable }

    func append(_ value: any Sendable) {
        entries.withLock { $0.append((ContinuousClock.now, GPSDReportBox(value: value))) }
    }

    func all<T>(_: T.Type = T.self) -> [T] {
        entries.withLock { $0.compactMap { $0.report.value as? T } }
    }

    func count() -> Int { entries.withLock { $0.count } }

    /// Polls every 50 ms until `condition` holds or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

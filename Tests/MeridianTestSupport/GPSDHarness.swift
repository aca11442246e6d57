import Foundation
import LinuxPlatform
import MeridianLab

/// A real gpsd 3.22 fed by `nmea_feed.py` on a pty, with its own PPS thread driven by `dcd_pulse.so`,
/// on a private port and IPC namespace. Everything it starts is stopped by ``shutDown()``.
///
/// With a `namespace`, gpsd runs inside that network namespace (`ip netns exec`), so a daemon started in
/// the same namespace reaches it at 127.0.0.1:``port`` (the namespace's loopback must be up: `VethLab`
/// brings it up). The feed needs no network: its pty is a file, which gpsd opens from any namespace.
/// Shared by the in-process tests (GNSSReferenceTests) and the daemon-level ones (InteropTests).
public final class GPSDHarness: @unchecked Sendable {  // used from one test at a time; processes are thread-safe to signal
    public let directory: URL
    public let port: Int
    public let link: String
    public let namespace: String?
    public let pulseOffsetNanoseconds: Int
    private var feed: Process?
    private var gpsd: Process?

    public init(pulseOffsetNanoseconds: Int = 0, namespace: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meridian-gpsd-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.namespace = namespace
        // A fresh namespace has no listeners at all; the host's loopback is where a clash could happen.
        port = namespace == nil ? try Self.freePort() : 29_470
        link = directory.appendingPathComponent("ttyGNSS").path
        self.pulseOffsetNanoseconds = pulseOffsetNanoseconds
    }

    public static func fixture(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/gpsd/\(name)", withExtension: nil) else {
            throw HarnessError("fixture \(name) missing from the test bundle")
        }
        return url.path
    }

    public struct HarnessError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public static func tool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw HarnessError("\(name) is not installed: run `make deps`")
    }

    /// A TCP port on loopback with nothing listening right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw HarnessError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    /// Compiles the pulse shim into this harness's directory.
    func buildShim() throws -> String {
        let output = directory.appendingPathComponent("dcd_pulse.so").path
        if FileManager.default.fileExists(atPath: output) { return output }
        let cc = try Self.tool("cc")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cc)
        process.arguments = ["-O2", "-shared", "-fPIC", "-o", output, try Self.fixture("dcd_pulse.c"), "-ldl"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("cc failed building dcd_pulse.so (\(process.terminationStatus))")
        }
        return output
    }

    public func startFeed() throws {
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

    /// Starts gpsd (in ``namespace`` when set) and waits until it listens (bounded: 5 s).
    public func startGPSD() throws {
        let shim = try buildShim()
        let command = [
            try Self.fixture("unblocked.py"), try Self.tool("unshare"), "--ipc", try Self.tool("gpsd"), "-N", "-n", "-b", "-S",
            String(port), link,
        ]
        let process = Process()
        if let namespace {
            process.executableURL = URL(fileURLWithPath: try Self.tool("ip"))
            process.arguments = ["netns", "exec", namespace, try Self.tool("python3")] + command
        } else {
            process.executableURL = URL(fileURLWithPath: try Self.tool("python3"))
            process.arguments = command
        }
        process.environment = [
            "LD_PRELOAD": shim, "PULSE_TTY": link, "PULSE_WIDTH_MS": "20",
            "PULSE_OFFSET_NS": String(pulseOffsetNanoseconds), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        gpsd = process
        for _ in 0..<100 {
            if accepts() { return }
            usleep(50_000)
        }
        throw HarnessError("gpsd did not listen on port \(port)")
    }

    public func stopGPSD() {
        // `ip netns exec`, unblocked.py and unshare each exec the next program: the process is gpsd itself.
        stop(gpsd)
        gpsd = nil
    }

    /// Sends a signal to the feed: SIGUSR1 silence, SIGUSR2 loss of fix, SIGHUP time-of-day error.
    public func signalFeed(_ signal: Int32) {
        if let feed, feed.isRunning { kill(feed.processIdentifier, signal) }
    }

    /// Whether gpsd accepts a connection on 127.0.0.1:``port`` (in ``namespace`` when set).
    public func accepts() -> Bool {
        let port = port
        let attempt: @Sendable () -> Bool = {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var address = Self.loopback(port: port)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
        guard let namespace else { return attempt() }
        return (try? NetworkNamespace.withNamespace(namespace, attempt)) ?? false
    }

    /// SIGTERM, then SIGKILL if it has not gone within 3 s.
    private func stop(_ process: Process?) {
        guard let process, process.isRunning else { return }
        process.terminate()
        for _ in 0..<60 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public func shutDown() {
        stopGPSD()
        stop(feed)
        feed = nil
        try? FileManager.default.removeItem(at: directory)
    }
}

import Foundation
import LinuxPlatform
import MeridianLab
import Testing

/// A veth pair between two namespaces, with daemons started inside them and their output in log files.
/// Everything is stopped and removed by ``tearDown()``.
final class InteropLab: @unchecked Sendable {  // used by one test at a time
    let lab: VethLab
    let directory: URL
    private var processes: [Process] = []

    init() throws {
        lab = try VethLab.create()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meridian-interop-\(getpid())-\(lab.a.interface)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(to: file(name), atomically: true, encoding: .utf8)
        return file(name).path
    }

    /// Starts `program` inside `namespace`, its output appended to `log`.
    @discardableResult
    func start(in namespace: String, _ program: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, program] + arguments
        _ = FileManager.default.createFile(atPath: file(log).path, contents: nil)
        let handle = try FileHandle(forWritingTo: file(log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append(process)
        return process
    }

    /// A meridiand configuration for a lab: virtual clock, software stamps, the PI gains and step threshold
    /// that lock in seconds, 16 Sync/s, its own management sockets, `extra` lines, one port `interface`
    /// with its own `port` lines.
    func meridianConfig(_ name: String, interface: String, _ extra: String, port: String = "") throws -> String {
        try write(
            "\(name).conf",
            """
            [global]
            clock_device virtual
            time_stamping software
            pi_proportional_scale 0.7
            pi_integral_scale 0.3
            step_threshold 0.001
            logSyncInterval -4
            summary_interval -4
            verbose 1
            use_syslog 0
            uds_address \(file("\(name).sock").path)
            uds_ro_address \(file("\(name)-ro.sock").path)
            \(extra)
            [\(interface)]
            \(port)
            """)
    }

    /// Runs `arguments` inside `namespace` to the end (pmc, meridianctl: they answer within their timeout) and
    /// returns its standard output and error.
    /// The frame numbers tshark (`tshark`, the binary's path) calls malformed or error-level in `pcap`, read in
    /// the second namespace: what every capture test checks is empty.
    func malformedFrames(_ tshark: String, pcap: String) -> [Substring] {
        run(
            in: lab.b.namespace,
            [
                tshark, "-Q", "-r", pcap, "-Y", "_ws.malformed || _ws.expert.severity >= 0x00600000", "-T", "fields", "-e",
                "frame.number",
            ]
        ).split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }
    }

    func run(in namespace: String, _ arguments: [String], stdin: String? = nil) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        process.standardInput = input
        guard (try? process.run()) != nil else { return "" }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of field `name` in pmc's output (the last word of the first line that starts with it).
    static func field(_ text: String, _ name: String) -> String? {
        text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + " ") }
            .map { String($0.split(separator: " ").last ?? "") }
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: file(name), encoding: .utf8)) ?? ""
    }

    /// Polls every 100 ms until `condition` holds or `seconds` pass.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// SIGTERM, then SIGKILL after 3 s; returns the exit status.
    @discardableResult
    func stop(_ process: Process) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<30 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func tearDown() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // `ip netns exec` leaves the daemon as its child; kill whatever still runs in the namespaces.
        for namespace in [lab.a.namespace, lab.b.namespace] {
            _ = try? LabCommand.run("ip", ["netns", "pids", namespace]).split(separator: "\n").compactMap { Int32($0) }.map {
                kill($0, SIGKILL)
            }
        }
        lab.remove()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The cases of a parameterised interop test that `MERIDIAN_INTEROP_TRANSPORTS` names (a comma-separated
    /// list of case names such as `L2/P2P`, to re-run one transport while working on it); all when unset.
    /// A name that is no case, or a value that selects none, throws: the test then fails with the reason
    /// instead of running nothing and passing.
    static func selected<Case: CustomStringConvertible>(_ cases: [Case]) throws -> [Case] {
        guard let names = ProcessInfo.processInfo.environment["MERIDIAN_INTEROP_TRANSPORTS"] else { return cases }
        let wanted = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = cases.map(\.description)
        let unknown = wanted.filter { !known.contains($0) }
        guard unknown.isEmpty, !wanted.isEmpty else {
            throw SlaveEventMonitor.MonitorError(
                "MERIDIAN_INTEROP_TRANSPORTS=\"\(names)\" selects no case\(unknown.isEmpty ? "" : " named \(unknown.joined(separator: ", "))"); the cases are \(known.joined(separator: ", "))"
            )
        }
        return cases.filter { wanted.contains($0.description) }
    }

    /// A product of this package. `meridiand` is the one `MERIDIAND` names when it is set (`make test` sets
    /// it to the release build: the interop tests measure the daemon as it ships), and then it must be
    /// there; otherwise, and for the other products, the one next to the test runner, else in `.build/debug`.
    static func binary(_ name: String) -> String? {
        if name == "meridiand", let path = ProcessInfo.processInfo.environment["MERIDIAND"] {
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return [
            runner.deletingLastPathComponent().appendingPathComponent(name), root.appendingPathComponent(".build/debug/\(name)"),
        ]
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }

    /// The repository's root (this file is Tests/InteropTests/InteropLab.swift): scripts and deploy files.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The meridiand the tests run, found once and printed once (see ``binary(_:)``).
    private static let resolvedMeridiand: String? = {
        let path = binary("meridiand")
        print("InteropTests run meridiand \(path ?? "(none found)")")
        return path
    }()

    /// The meridiand the tests run (see ``binary(_:)``); throws, naming where it looked, when there is none.
    static func meridiand() throws -> String {
        if let path = resolvedMeridiand { return path }
        let named = ProcessInfo.processInfo.environment["MERIDIAND"]
        throw SlaveEventMonitor.MonitorError(
            named.map { "MERIDIAND=\($0) is not an executable: run `swift build -c release --product meridiand`" }
                ?? "meridiand is not built: run `swift build --build-tests`")
    }

    static func tool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw SlaveEventMonitor.MonitorError("\(name) is not installed: run `make deps`")
    }

    /// The `true error N` values meridiand printed on its offset lines.
    static func trueErrors(_ log: String) -> [Int64] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "true error ") else { return nil }
            return Int64(line[range.upperBound...].prefix { $0 == "-" || $0.isNumber })
        }
    }
}

/// Reading the daemons' logs: ptp4l and meridiand print the same shapes.
extension InteropLab {
    /// The clock identity (`xxxxxx.fffe.xxxxxx`) on the last line of `log` that contains `pattern`.
    static func identity(_ log: String, _ pattern: String) -> String? {
        log.split(separator: "\n").last { $0.contains(pattern) }.map { line in
            String(line.split(separator: " ").first { $0.contains(".fffe.") } ?? "").trimmingCharacters(
                in: CharacterSet(charactersIn: ":,"))
        }
    }

    /// The `[mono]` time a ptp4l or meridiand log line carries (both print CLOCK_MONOTONIC seconds).
    static func monotonic(_ line: Substring) -> Double? {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        return Double(line[line.index(after: open)..<close])
    }

    /// The first line of `log` that contains `text` and is stamped after `after` (CLOCK_MONOTONIC seconds).
    static func firstLine(_ log: String, after: Double = 0, containing text: String) -> Substring? {
        log.split(separator: "\n").first { $0.contains(text) && (monotonic($0) ?? 0) > after }
    }

    /// CLOCK_MONOTONIC now, in seconds, as the logs stamp their lines.
    static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension InteropLab {
    /// A meridiand slave logging to `log`: waits up to 40 s for UNCALIBRATED to SLAVE and 80 true errors after
    /// it (5 s at 16 Sync/s: the PI's pull-in after the first frequency estimate, which declares the lock about
    /// 4 s after the first sample, still has tens of µs to remove), then up to 9 s for the next `count`. Nil when it did not lock; otherwise the true errors of that
    /// window (fewer than `count` if they did not all come), with the logs to print when a bound fails.
    func trueErrorsOnceLocked(log: String, masterLog: String, count: Int) -> (window: [Int64], dump: String)? {
        let locked = wait(seconds: 40) {
            let text = self.log(log)
            guard let slave = text.range(of: "UNCALIBRATED to SLAVE") else { return false }
            return Self.trueErrors(String(text[slave.upperBound...])).count >= 80
        }
        let dump = "\(self.log(log).suffix(2500))\n--- master:\n\(self.log(masterLog).suffix(1500))"
        guard locked else { return nil }
        let before = Self.trueErrors(self.log(log)).count
        _ = wait(seconds: 9) { Self.trueErrors(self.log(log)).count >= before + count }
        return (Array(Self.trueErrors(self.log(log)).dropFirst(before).prefix(count)), dump)
    }
}

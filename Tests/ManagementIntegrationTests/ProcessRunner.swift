import Foundation
import Synchronization

/// Runs a real program (linuxptp's pmc, our meridianctl) and collects what it printed, without
/// blocking a thread of the cooperative pool while it runs.
struct ProcessRunner {
    struct Output {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    static let pmc = "/usr/sbin/pmc"

    /// Fails with a clear message when `path` is not an executable (never skips).
    static func requireExecutable(_ path: String) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(path: path)
        }
    }

    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing: install linuxptp 3.1 (make deps) to run the pmc tests" }
    }

    /// A process for `path` with `arguments`, its standard output and error on pipes (not started).
    static func prepare(_ path: String, _ arguments: [String]) throws -> (Process, stdout: Pipe, stderr: Pipe) {
        try requireExecutable(path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        return (process, stdout, stderr)
    }

    /// Runs `path` with `arguments`; `input` lines are written to stdin one by one, each after the
    /// previous `pause`, then `whileOpen` runs with stdin still open, then stdin is closed.
    static func run(
        _ path: String, _ arguments: [String], input: [String] = [], pause: Duration = .milliseconds(300),
        whileOpen: (@Sendable () async -> Void)? = nil
    ) async throws -> Output {
        let (process, stdout, stderr) = try prepare(path, arguments)
        let stdin = Pipe()
        process.standardInput = stdin
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            finished.continuation.yield($0.terminationStatus)
            finished.continuation.finish()
        }
        try process.run()
        for line in input {
            stdin.fileHandleForWriting.write(Data((line + "\n").utf8))
            try await Task.sleep(for: pause)
        }
        if let whileOpen { await whileOpen() }
        try stdin.fileHandleForWriting.close()
        // A stuck program must not hang the suite; SIGKILL because a launcher may hand it SIGTERM blocked.
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            kill(pid, SIGKILL)
        }
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        watchdog.cancel()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Output(stdout: out, stderr: err, status: status)
    }

    /// What ``runUntil(_:_:deadline:whileRunning:done:)`` saw.
    struct Stopped {
        var stdout: String
        var stderr: String
        /// Whether the standard output satisfied `done` before the deadline.
        var satisfied: Bool
        /// Whether the program had ended by itself before it was stopped.
        var exitedByItself: Bool
    }

    /// Runs `path` (a program that runs until stopped: `meridianctl watch`, `events`) until what it printed
    /// satisfies `done` or `deadline` passes, polling every 50 ms, and `linger` longer once it did, then stops
    /// it with SIGTERM (SIGKILL a second later). `whileRunning` runs meanwhile, once the program started. A
    /// wait for output, not a fixed sleep: on a loaded machine starting the program alone can take seconds.
    static func runUntil(
        _ path: String, _ arguments: [String], deadline: Duration = .seconds(15), linger: Duration = .zero,
        whileRunning: (@Sendable () async -> Void)? = nil, done: @escaping @Sendable (String) -> Bool
    ) async throws -> Stopped {
        let (process, stdout, stderr) = try prepare(path, arguments)
        process.standardInput = FileHandle.nullDevice
        let printed = Mutex(Data())
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLock { $0.append(data) }
        }
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            finished.continuation.yield($0.terminationStatus)
            finished.continuation.finish()
        }
        try process.run()
        let text = { String(decoding: printed.withLock { $0 }, as: UTF8.self) }
        let end = ContinuousClock.now + deadline
        let side = Task { await whileRunning?() }
        var satisfied = done(text())
        while !satisfied && process.isRunning && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(50))
            satisfied = done(text())
        }
        await side.value
        if satisfied && process.isRunning { try await Task.sleep(for: linger) }
        let exitedByItself = !process.isRunning
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(1))
            kill(pid, SIGKILL)
        }
        for await _ in finished.stream {}
        watchdog.cancel()
        stdout.fileHandleForReading.readabilityHandler = nil
        let rest = stdout.fileHandleForReading.readDataToEndOfFile()
        printed.withLock { $0.append(rest) }
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Stopped(stdout: text(), stderr: err, satisfied: satisfied || done(text()), exitedByItself: exitedByItself)
    }
}

/// pmc's printed replies, split into blocks: the header line and its indented field lines.
struct PrintedReply: Equatable {
    var header: String
    var fields: [String]

    static func parse(_ text: String) -> [PrintedReply] {
        var replies: [PrintedReply] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("\t\t"), !replies.isEmpty {
                replies[replies.count - 1].fields.append(String(line))
            } else if line.hasPrefix("\t") {
                replies.append(PrintedReply(header: String(line), fields: []))
            }
        }
        return replies
    }

    /// The word after `MANAGEMENT` (the ID), or nil for error statuses.
    var managementID: String? {
        let words = header.split(separator: " ")
        guard let index = words.firstIndex(of: "MANAGEMENT"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }
}

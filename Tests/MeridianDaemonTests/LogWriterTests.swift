import Foundation
import Glibc
import Testing

@testable import MeridianDaemon

/// Issue #17: log writes are off the logging thread. A writer stuck on an output nobody reads (a full pipe)
/// costs the threads that log nothing: their lines queue up to the capacity, the rest are dropped and counted,
/// and once the output drains every line kept is written, in order, after a line saying how many were dropped.
struct LogWriterTests {
    @Test func aBlockedOutputNeitherBlocksTheLoggerNorLosesTrackOfLines() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let writer = LogWriter(descriptor: fds[1])
        // More than the writer can hold, so some must drop: the pipe (64 KiB: at most 9,363 lines of 7 bytes or
        // more), the batch the writer took and is blocked writing (up to the capacity, 8,192) and the queue
        // behind it (8,192 again): 25,747 at most. 20,000 fitted when the writer had taken a full batch.
        let total = 40_000
        let started = ContinuousClock.now
        for index in 0..<total { writer.enqueue(LogWriter.Line(standardOutput: "line \(index)\n")) }
        let enqueueing = ContinuousClock.now - started
        // Nobody reads the pipe (64 KiB): the writer is stuck, the callers are not.
        #expect(enqueueing < .seconds(1), "enqueueing took \(enqueueing)")
        // Now drain the pipe on another thread and flush.
        let reader = fds[0]
        let collected = Collected()
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                collected.append(buffer[..<count])
            }
        }
        thread.start()
        writer.flush(timeout: .seconds(60))
        close(fds[1])
        for _ in 0..<1000 where !collected.closed(reader: thread) { usleep(20_000) }
        let text = collected.text
        let lines = text.split(separator: "\n")
        let numbered = lines.compactMap { $0.hasPrefix("line ") ? Int($0.dropFirst(5)) : nil }
        // What was dropped is said in the output (one line or several: the writer reports at each drain).
        let dropped = lines.compactMap { line -> Int? in
            guard line.hasPrefix("meridiand: "), line.hasSuffix(" log line(s) dropped: the log writer fell behind") else {
                return nil
            }
            return Int(line.dropFirst("meridiand: ".count).prefix { $0.isNumber })
        }.reduce(0, +)
        #expect(dropped > 0 && dropped < total, "dropped \(dropped): \(lines.prefix(3))")
        #expect(numbered == numbered.sorted() && Set(numbered).count == numbered.count)
        #expect(numbered.count + dropped == total, "written \(numbered.count), dropped \(dropped)")
        #expect(numbered.first == 0)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ more: ArraySlice<UInt8>) { lock.withLock { bytes += more } }
        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
        func closed(reader: Thread) -> Bool { reader.isFinished }
    }
}

import Glibc
import LinuxPlatform
import Synchronization
import SystemPackage
import Testing

@Suite("PlatformThread")
struct PlatformThreadTests {
    /// The calling thread's `Cpus_allowed_list` from /proc/thread-self/status.
    static func allowedCPUs() -> String? {
        let fd = open("/proc/thread-self/status", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        return line.map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: " \t") }
    }

    @Test("a spawned thread runs, can be pinned to one CPU without touching the caller, and is joined")
    func pinning() throws {
        let before = Self.allowedCPUs()
        let seen = Mutex<String?>(nil)
        let failure = Mutex<String?>(nil)
        let thread = try PlatformThread.spawn {
            do {
                try PlatformThread.pinCurrentThread(toCPU: 0)
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            let cpus = PlatformThreadTests.allowedCPUs()
            seen.withLock { $0 = cpus }
        }
        thread.join()
        #expect(failure.withLock { $0 } == nil)
        #expect(seen.withLock { $0 } == "0")
        #expect(Self.allowedCPUs() == before)
        #expect(throws: Errno.invalidArgument) { try PlatformThread.pinCurrentThread(toCPU: -1) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

import Glibc
import LinuxPlatform
import Synchronization
import SystemPackage
import Testing

@Suite("PlatformThread")
struct PlatformThreadTests {
    /// The text of one of the calling thread's files in /proc/thread-self (up to 8 KiB).
    static func threadFile(_ name: String) -> String? {
        let fd = open("/proc/thread-self/" + name, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// The calling thread's `Cpus_allowed_list` from /proc/thread-self/status.
    static func allowedCPUs() -> String? {
        guard let text = threadFile("status") else { return nil }
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

    /// The calling thread's name from /proc/thread-self/comm.
    static func threadName() -> String? {
        threadFile("comm")?.split(separator: "\n").first.map(String.init)
    }

    @Test("a named thread shows its name (cut to Linux's 15 bytes) where top -H and /proc look")
    func naming() throws {
        let named = Mutex(false)
        let seen = Mutex<String?>(nil)
        let thread = try PlatformThread.spawn(name: "meridian-clock-loop") {
            // The name is set by the spawning thread once pthread_create returns: wait for it (bounded).
            for _ in 0..<2_000 where !named.withLock({ $0 }) { usleep(1_000) }
            let name = PlatformThreadTests.threadName()
            seen.withLock { $0 = name }
        }
        named.withLock { $0 = true }
        thread.join()
        #expect(seen.withLock { $0 } == "meridian-clock-")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

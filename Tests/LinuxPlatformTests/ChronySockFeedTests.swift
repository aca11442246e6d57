import Foundation
import PTPCore
import SystemPackage
import Testing

@testable import LinuxPlatform

@Suite("chrony SOCK refclock samples")
struct ChronySockFeedTests {
    @Test("struct sock_sample: 40 bytes, timeval, offset, pulse, leap, pad, magic 0x534f434b")
    func layout() {
        let sample = ChronySockSample(
            systemTime: PTPInstant(seconds: 1_800_000_000, nanoseconds: 123_456_789), offset: -2.5e-6, leap: .insert)
        let bytes = sample.bytes
        #expect(bytes.count == ChronySockSample.size)
        func word<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
            bytes[offset..<offset + MemoryLayout<T>.size].withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }
        #expect(word(Int64.self, at: 0) == 1_800_000_000)
        #expect(word(Int64.self, at: 8) == 123_456)
        #expect(Double(bitPattern: word(UInt64.self, at: 16)) == -2.5e-6)
        #expect(word(Int32.self, at: 24) == 0)
        #expect(word(Int32.self, at: 28) == 1)
        #expect(word(Int32.self, at: 32) == 0)
        #expect(word(Int32.self, at: 36) == 0x534f_434b)
        #expect(ChronySockSample(systemTime: PTPInstant(seconds: 0), offset: 0, leap: .delete, pulse: true).bytes[24] == 1)
    }

    @Test("a datagram reaches a socket bound at the path; no listener is an error to count, not a crash")
    func sends() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rack-chrony-\(getpid()).sock").path
        let feed = try ChronySockFeed(path: path)
        defer { feed.close() }
        #expect(throws: Errno.self) { try feed.send(ChronySockSample(systemTime: PTPInstant(seconds: 0), offset: 0)) }
        let listener = try UnixDatagramSocket.bind(path: path)
        defer { listener.close() }
        try feed.send(ChronySockSample(systemTime: PTPInstant(seconds: 5), offset: 1e-6))
        let received = try listener.receive(timeoutMilliseconds: 1000)
        #expect(received?.bytes.count == 40)
        #expect(throws: UnixSocketError.self) { try ChronySockFeed(path: String(repeating: "x", count: 200)) }
    }
}

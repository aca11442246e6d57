import CLinuxShims
import Foundation
import Glibc
import LinuxPlatform
import Synchronization
import Testing

@testable import GNSSReference

/// Issue #17, the gpsd client against a hostile server on gpsd's kind of port: an impostor (a local user who
/// bound the port while gpsd was down) is dropped before a word is read from it, and a server that is believed
/// but speaks garbage (oversized lines, binary, extreme values, a line trickled a byte at a time) costs
/// rejected reports and reconnections, never a crash or a stuck client.
@Suite(.serialized)
struct HostileGPSDServerTests {
    /// A TCP server on 127.0.0.1 (a free port) that plays `script` to each connection, up to `connections`, as
    /// user `uid` (its sockets are made and accepted with that filesystem uid, which is what the kernel's socket
    /// table shows as their owner).
    final class FakeGPSD: Sendable {
        enum Step: Sendable {
            case send([UInt8])
            /// Sends the bytes one at a time, `milliseconds` apart.
            case trickle([UInt8], milliseconds: Int)
            case pause(milliseconds: Int)
        }

        let port: UInt16
        final class Counter: Sendable { let value = Atomic<Int>(0) }
        let accepted = Counter()
        private let listener: CInt
        private let stopping = StopFlag()
        private let thread: Mutex<PlatformThread?> = Mutex(nil)

        init(uid: uid_t, connections: Int, script: [Step]) throws {
            let previous = CLinuxShims_set_thread_fsuid(uid)
            defer { _ = CLinuxShims_set_thread_fsuid(UInt32(bitPattern: previous)) }
            let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = 0
            var one: CInt = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard fd >= 0, bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: address.sin_port)
            listener = fd
            let stopping = self.stopping
            let accepted = self.accepted
            let spawned = try PlatformThread.spawn {
                _ = CLinuxShims_set_thread_fsuid(uid)
                for _ in 0..<connections where !stopping.isStopped {
                    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    var waited = 0
                    while poll(&ready, 1, 100) == 0 && !stopping.isStopped && waited < 100 { waited += 1 }
                    guard !stopping.isStopped, ready.revents & Int16(POLLIN) != 0 else { return }
                    let client = accept(fd, nil, nil)
                    guard client >= 0 else { continue }
                    accepted.value.add(1, ordering: .relaxed)
                    Self.play(script, on: client, stopping: stopping)
                    close(client)
                }
            }
            thread.withLock { $0 = spawned }
        }

        private static func play(_ script: [Step], on fd: CInt, stopping: StopFlag) {
            func send(_ bytes: [UInt8]) -> Bool {
                var offset = 0
                while offset < bytes.count && !stopping.isStopped {
                    let sent = bytes.withUnsafeBytes {
                        Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, CInt(MSG_NOSIGNAL))
                    }
                    if sent <= 0 { return false }
                    offset += sent
                }
                return true
            }
            for step in script where !stopping.isStopped {
                switch step {
                case .send(let bytes): if !send(bytes) { return }
                case .trickle(let bytes, let milliseconds):
                    for byte in bytes where !stopping.isStopped {
                        if !send([byte]) { return }
                        usleep(useconds_t(milliseconds * 1000))
                    }
                case .pause(let milliseconds):
                    var left = milliseconds
                    while left > 0 && !stopping.isStopped {
                        usleep(10_000)
                        left -= 10
                    }
                }
            }
        }

        func stop() {
            stopping.stop()
            thread.withLock { $0?.join() }
            close(listener)
        }
    }

    static func line(_ text: String) -> [UInt8] { Array((text + "\r\n").utf8) }
    static let version = line(#"{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}"#)

    @Test func anImpostorOnGpsdsPortIsDroppedUnheard() throws {
        // The impostor runs as nobody and sends a believable fix; the client trusts root and gpsd's user only.
        let fake = try FakeGPSD(
            uid: 65534, connections: 10,
            script: [
                .send(Self.version),
                .send(Self.line(#"{"class":"TPV","mode":3,"time":"2026-01-01T00:00:00.000Z","leapseconds":18}"#)),
                .pause(milliseconds: 2_000),
            ])
        defer { fake.stop() }
        let log = ReportLog()
        let client = GPSDClient(
            host: "127.0.0.1", port: String(fake.port), initialBackoffMilliseconds: 50, maximumBackoffMilliseconds: 200,
            trust: GPSDPeerTrust(user: "gpsd")
        ) { log.append($0) }
        client.start()
        #expect(log.wait(seconds: 5) { self.disconnections(log).count >= 3 })
        client.stop()
        let reasons = disconnections(log)
        #expect(reasons.allSatisfy { $0.contains("runs as nobody (uid 65534)") && $0.contains("not believed") }, "\(reasons)")
        #expect(!log.all(GPSDReport.self).contains { if case .connected = $0 { true } else { false } })
        #expect(!log.all(GPSDReport.self).contains { if case .fix = $0 { true } else { false } })
        // (Whether the server got to accept a connection before the client dropped it is scheduling: the client
        // judges the listening socket's owner and may refuse first, but under load the server's accept can come
        // first. Either way nothing was read, which the two checks above show.)

        // The same server is believed when its user is the one configured.
        let trusting = ReportLog()
        let believer = GPSDClient(
            host: "127.0.0.1", port: String(fake.port), initialBackoffMilliseconds: 50, maximumBackoffMilliseconds: 200,
            trust: GPSDPeerTrust(user: "65534")
        ) { trusting.append($0) }
        believer.start()
        #expect(
            trusting.wait(seconds: 5) {
                trusting.all(GPSDReport.self).contains { if case .connected = $0 { true } else { false } }
            })
        believer.stop()
    }

    func disconnections(_ log: ReportLog) -> [String] {
        log.all(GPSDReport.self).compactMap { if case .disconnected(let reason, _) = $0 { reason } else { nil } }
    }

    @Test func garbageOversizedAndTrickledLinesCostReconnectionsNotACrash() throws {
        let oversized = [UInt8](repeating: UInt8(ascii: "A"), count: 200_000) + [13, 10]
        var binary = [UInt8](repeating: 0, count: 4096)
        for index in binary.indices { binary[index] = UInt8(truncatingIfNeeded: index &* 131 &+ 7) }
        let extreme = [
            #"{"class":"TPV","mode":3,"leapseconds":9223372036854775807}"#,
            #"{"class":"PPS","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#,
            #"{"class":"SKY","uSat":-9223372036854775808,"nSat":3}"#,
            #"{"class":"TPV","mode":3,"time":"99999-99-99T99:99:99Z"}"#,
            #"{"class":"TOFF","real_sec":1e400,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#,
            #"{"class":"#, "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
        ].flatMap(Self.line)
        // Running as root: believed by the default trust, as a real gpsd started as root would be.
        let fake = try FakeGPSD(
            uid: 0, connections: 4,
            script: [
                .send(Self.version), .send(extreme), .send(binary + [10]),
                // Slow-loris: a line a byte at a time (40 bytes, 25 ms apart), then one line beyond any buffer.
                .trickle(Array(#"{"class":"TPV","mode":3,"leapseconds":18}"#.utf8), milliseconds: 25),
                .send(oversized), .pause(milliseconds: 300),
            ])
        defer { fake.stop() }
        let log = ReportLog()
        let client = GPSDClient(
            host: "127.0.0.1", port: String(fake.port), initialBackoffMilliseconds: 50, maximumBackoffMilliseconds: 200,
            trust: GPSDPeerTrust(user: "gpsd")
        ) { log.append($0) }
        client.start()
        let connections = { log.all(GPSDReport.self).filter { if case .connected = $0 { true } else { false } }.count }
        #expect(
            log.wait(seconds: 15) { connections() >= 3 && self.disconnections(log).count >= 2 }, "\(log.all(GPSDReport.self))")
        // Stopping in the middle of the third connection's trickle returns promptly (the reader waits at most
        // 250 ms per poll).
        usleep(400_000)
        let start = ContinuousClock.now
        client.stop()
        #expect(ContinuousClock.now - start < .seconds(1))
        let reports = log.all(GPSDReport.self)
        let rejected = reports.filter { if case .rejected = $0 { true } else { false } }.count
        print(
            "hostile gpsd: \(connections()) connections, \(rejected) rejected reports, disconnections: \(Set(disconnections(log)))"
        )
        #expect(rejected >= 2, "\(reports)")
        // Nothing extreme got through as a usable report.
        #expect(
            !reports.contains { if case .fix(let fix) = $0 { fix.leapSeconds.map { abs($0) > 100 } ?? false } else { false } })
        #expect(!reports.contains { if case .pps = $0 { true } else { false } })
    }
}

import Glibc
import MeridianHTTP
import Synchronization
import Testing

/// The HTTP edge alone, on loopback with a kernel-chosen port: what it answers, what it refuses, and that a
/// refused request leaves it serving. (The daemon's routes are tested against real tools in InteropTests.)
struct HTTPEndpointTests {
    /// A TCP connection to 127.0.0.1:`port` with a receive timeout, or -1.
    static func connection(_ port: Int, seconds: Int = 5) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    /// A blocking TCP client: sends `request`, reads until the server closes or `seconds` pass.
    static func exchange(_ port: Int, _ request: [UInt8], seconds: Int = 5) -> String {
        let fd = connection(port, seconds: seconds)
        guard fd >= 0 else { return "connect failed" }
        defer { close(fd) }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    final class Calls: Sendable {
        let count = Mutex(0)
    }

    static func start(_ calls: Calls = Calls(), statistics: HTTPStatistics = HTTPStatistics()) async throws -> HTTPEndpoint {
        try await HTTPEndpoint.start(host: "127.0.0.1", port: 0, statistics: statistics) { request in
            calls.count.withLock { $0 += 1 }
            if request.path == "/hello" { return HTTPReply(text: "hello \(request.query)\n") }
            return HTTPReply(status: 404, text: "no\n")
        }
    }

    @Test func answersGetAndHeadAndRefusesWhatAReadOnlyEndpointMust() async throws {
        let calls = Calls()
        let statistics = HTTPStatistics()
        let endpoint = try await Self.start(calls, statistics: statistics)
        let port = endpoint.boundPort
        #expect(port > 0)
        let get = Self.exchange(port, Array("GET /hello?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
        #expect(get.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(get)")
        #expect(get.contains("Content-Length: 10\r\n") && get.hasSuffix("\r\n\r\nhello x=1\n"), "\(get)")
        let head = Self.exchange(port, Array("HEAD /hello HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n"), "\(head)")
        #expect(Self.exchange(port, Array("GET /nothing HTTP/1.0\r\n\r\n".utf8)).hasPrefix("HTTP/1.0 404"))
        let post = Self.exchange(port, Array("POST /hello HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("Allow: GET, HEAD\r\n"), "\(post)")
        let body = Self.exchange(port, Array("PUT /hello HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".utf8))
        #expect(body.hasPrefix("HTTP/1.1 413"), "\(body)")
        #expect(Self.exchange(port, Array("\u{0}\u{1}garbage\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400"))
        let huge = Array("GET /hello HTTP/1.1\r\nX: ".utf8) + [UInt8](repeating: 0x61, count: 200_000) + Array("\r\n\r\n".utf8)
        #expect(Self.exchange(port, huge).hasPrefix("HTTP/1.1 400"))
        // Two pipelined requests on one connection: two answers, in order.
        let pipelined = Self.exchange(
            port, Array("GET /hello?1 HTTP/1.1\r\n\r\nGET /hello?2 HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(pipelined.components("HTTP/1.1 200 OK") == 2 && pipelined.hasSuffix("hello 2\n"), "\(pipelined)")
        // Refused requests never reached the responder; the endpoint still serves.
        #expect(calls.count.withLock { $0 } == 5)
        #expect(Self.exchange(port, Array("GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 200"))
        // Every answer counted by status, the parser's refusals as 400.
        #expect(statistics.byStatus == [200: 5, 404: 1, 405: 1, 413: 1, 400: 2], "\(statistics.byStatus)")
        await endpoint.stop()
    }

    @Test func idleConnectionsBeyondTheLimitCannotLockAScraperOut() async throws {
        let endpoint = try await Self.start()
        // Twice the limit of connections that send nothing, held open.
        let idle = (0..<(2 * HTTPEndpoint.maximumConnections)).map { _ in Self.connection(endpoint.boundPort) }
        defer { for fd in idle where fd >= 0 { close(fd) } }
        #expect(idle.allSatisfy { $0 >= 0 })
        // A scraper connecting now is served: the oldest idle connections made room for it.
        let answer = Self.exchange(endpoint.boundPort, Array("GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer)")
        // The first idle connection was closed by the server (a read sees the end, not the timeout).
        var byte: UInt8 = 0
        #expect(recv(idle[0], &byte, 1, 0) == 0)
        await endpoint.stop()
    }

    @Test func anAddressInUseOrNotLocalIsRefusedWithTheReason() async throws {
        let endpoint = try await Self.start()
        do {
            _ = try await HTTPEndpoint.start(host: "127.0.0.1", port: endpoint.boundPort) { _ in HTTPReply(text: "") }
            Issue.record("bound a port in use")
        } catch {
            #expect(error is HTTPEndpointError)
            #expect("\(error)".contains("Address already in use"), "\(error)")
        }
        do {
            _ = try await HTTPEndpoint.start(host: "192.0.2.1", port: 9319) { _ in HTTPReply(text: "") }
            Issue.record("bound 192.0.2.1")
        } catch {
            #expect("\(error)".contains("cannot listen on 192.0.2.1:9319"), "\(error)")
        }
        await endpoint.stop()
    }
}

extension String {
    fileprivate func components(_ separator: String) -> Int { ranges(of: separator).count }
}

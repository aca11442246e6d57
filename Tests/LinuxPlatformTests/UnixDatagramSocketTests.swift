import Foundation
import LinuxPlatform
import Testing

/// The Unix datagram socket ptp4l-style management runs on: modes, stale paths, replies to the sender.
struct UnixDatagramSocketTests {
    static func directory() throws -> String {
        let path = "/tmp/uds-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test
    func bindsWithTheModeAndRepliesToTheSender() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try UnixDatagramSocket.bind(path: dir + "/server", mode: 0o660)
        let client = try UnixDatagramSocket.bind(path: dir + "/client", mode: 0o600)
        var info = stat()
        #expect(stat(dir + "/server", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK && info.st_mode & 0o777 == 0o660)
        #expect(try server.receive(timeoutMilliseconds: 0) == nil)
        try client.send([1, 2, 3], to: UnixSocketAddress(path: dir + "/server"))
        let request = try #require(try server.receive(timeoutMilliseconds: 1000))
        #expect(request.bytes == [1, 2, 3])
        #expect(request.sender == UnixSocketAddress(path: dir + "/client"))
        try server.send([4, 5], to: request.sender)
        #expect(try client.receive(timeoutMilliseconds: 1000)?.bytes == [4, 5])
        server.close()
        #expect(!FileManager.default.fileExists(atPath: dir + "/server"), "close removes the path")
        #expect(throws: UnixSocketError.closed) { try server.receive(timeoutMilliseconds: 0) }
        client.close()
    }

    @Test
    func staleSocketsAreReplacedButOtherFilesAreNot() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A socket left behind by a process that died without closing it.
        let stale = try UnixDatagramSocket.bind(path: dir + "/ptp4l", mode: 0o660)
        let replacement = try UnixDatagramSocket.bind(path: dir + "/ptp4l", mode: 0o666)
        var info = stat()
        #expect(stat(dir + "/ptp4l", &info) == 0 && info.st_mode & 0o777 == 0o666)
        // The old socket closing later must not remove the new server's path.
        stale.close()
        #expect(FileManager.default.fileExists(atPath: dir + "/ptp4l"))
        replacement.close()
        #expect(!FileManager.default.fileExists(atPath: dir + "/ptp4l"))
        #expect(FileManager.default.createFile(atPath: dir + "/file", contents: Data("keep".utf8)))
        #expect(throws: UnixSocketError.pathInUse(dir + "/file")) {
            try UnixDatagramSocket.bind(path: dir + "/file", mode: 0o660)
        }
        #expect(FileManager.default.contents(atPath: dir + "/file") == Data("keep".utf8))
        let long = dir + "/" + String(repeating: "x", count: 120)
        #expect(throws: UnixSocketError.pathTooLong(long)) { try UnixDatagramSocket.bind(path: long, mode: 0o660) }
    }

    @Test
    func sendingToAMissingPeerIsAnErrorNotACrash() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let socket = try UnixDatagramSocket.bind(path: dir + "/a", mode: 0o600)
        defer { socket.close() }
        #expect(throws: UnixSocketError.self) { try socket.send([1], to: UnixSocketAddress(path: dir + "/gone")) }
        #expect(throws: UnixSocketError.unnamedPeer) { try socket.send([1], to: UnixSocketAddress(pathBytes: [])) }
        #expect(try socket.receive(timeoutMilliseconds: 10) == nil)
    }
}

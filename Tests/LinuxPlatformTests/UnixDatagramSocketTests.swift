import CLinuxShims
import Foundation
import Glibc
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
        // A socket file left behind by a process that died without removing it: nothing listens on it.
        Self.leaveStaleSocket(at: dir + "/ptp4l")
        var info = stat()
        #expect(lstat(dir + "/ptp4l", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK)
        let replacement = try UnixDatagramSocket.bind(path: dir + "/ptp4l", mode: 0o666)
        #expect(stat(dir + "/ptp4l", &info) == 0 && info.st_mode & 0o777 == 0o666)
        // A socket whose path was replaced since must not remove the new server's path when it closes.
        let older = try UnixDatagramSocket.bind(path: dir + "/older", mode: 0o660)
        #expect(unlink(dir + "/older") == 0)
        let newer = try UnixDatagramSocket.bind(path: dir + "/older", mode: 0o660)
        older.close()
        #expect(FileManager.default.fileExists(atPath: dir + "/older"))
        newer.close()
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

    /// Binds a socket at `path` with the raw calls and closes it without removing the file, as a killed
    /// daemon leaves it.
    static func leaveStaleSocket(at path: String) {
        // SOCK_DGRAM | SOCK_CLOEXEC: a process another test spawns meanwhile must not inherit the descriptor, or
        // the socket stays bound in that child after the close below and is live, not stale.
        let fd = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
    }

    /// Issue #17: a socket a live server still listens on (a running ptp4l's `/var/run/ptp4l`) is never taken
    /// over: the bind is refused with the reason, and the server keeps its path and keeps receiving.
    @Test
    func aLiveServersSocketIsNotTakenOver() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let live = try UnixDatagramSocket.bind(path: dir + "/ptp4l", mode: 0o660)
        defer { live.close() }
        #expect(throws: UnixSocketError.liveServer(dir + "/ptp4l")) {
            try UnixDatagramSocket.bind(path: dir + "/ptp4l", mode: 0o660)
        }
        #expect(UnixSocketError.liveServer("/var/run/ptp4l").description.contains("in use by a running server"))
        let client = try UnixDatagramSocket.bind(path: dir + "/client", mode: 0o600)
        defer { client.close() }
        try client.send([7], to: UnixSocketAddress(path: dir + "/ptp4l"))
        #expect(try live.receive(timeoutMilliseconds: 1000)?.bytes == [7])
    }

    /// `uds_group`: the socket gets the group asked for (here a group this process is not in, which root may give).
    @Test
    func theGroupIsSetWhenAsked() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = try #require(UnixGroup.id("nogroup") ?? UnixGroup.id("daemon"))
        #expect(UnixGroup.id("\(group)") == group)
        #expect(UnixGroup.id("meridian-no-such-group-\(getpid())") == nil)
        let socket = try UnixDatagramSocket.bind(path: dir + "/rw", mode: 0o660, group: group)
        defer { socket.close() }
        var info = stat()
        #expect(lstat(dir + "/rw", &info) == 0)
        #expect(info.st_gid == group && info.st_mode & 0o777 == 0o660)
    }
}

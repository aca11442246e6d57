import CGPS
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The libgps system library links and behaves as gpsd 3.22's documentation says, without a gpsd running.
struct CGPSTests {
    @Test func apiVersionIsTheOneWeTarget() {
        // gpsd 3.22 is libgps API 11; later APIs are guarded in shim.h.
        #expect(GPSD_API_MAJOR_VERSION >= 11)
    }

    @Test func errorStringsComeFromTheLibrary() throws {
        let text = try #require(gps_errstr(-1))
        #expect(!String(cString: text).isEmpty)
    }

    @Test func openingAPortWithNothingListeningFailsWithAnError() throws {
        // Find a loopback TCP port with nothing listening: bind, read the port, close.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        let port = UInt16(bigEndian: address.sin_port)
        close(fd)
        try #require(bound && port != 0)

        let data = UnsafeMutablePointer<gps_data_t>.allocate(capacity: 1)
        defer { data.deallocate() }
        let result = gps_open("127.0.0.1", String(port), data)
        #expect(result != 0, "gps_open must report the refused connection")
        #expect(errno != 0 || result < 0)
        let message = try #require(gps_errstr(errno))
        #expect(!String(cString: message).isEmpty)
    }
}

import CLinuxShims
import Glibc
import LinuxPlatform

/// Holds the kernel's software receive stamping on while a lab test runs.
///
/// Linux stamps received packets only while some socket has asked for stamps (the `netstamp_needed_key` static
/// key, shared by every namespace). The first socket to ask does not switch it on itself: `net_enable_timestamp`
/// (net/core/dev.c) leaves that to a work queue, so a message sent right after the first stamping socket opened
/// can arrive with no stamp — on this 2-core machine under a parallel build, once, a test's only message did. A
/// transport pair opened in a fresh lab is exactly that first socket when no other test holds one open.
///
/// This guard opens a UDP socket on the loopback interface of the current namespace with software receive stamps
/// (`SO_TIMESTAMPING`, which unlike `SO_TIMESTAMPNS` never stamps at `recvmsg` time, so a stamp proves the switch
/// is on), sends itself datagrams until one comes back stamped (at most `attempts`, 100 ms each), and keeps the
/// socket, and with it the switch, until ``close()``.
final class ReceiveStampingGuard {
    private let descriptor: CInt
    /// Whether a datagram came back stamped.
    let isOn: Bool

    init(attempts: Int = 50) {
        descriptor = socket(AF_INET, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        isOn = Self.confirm(descriptor, attempts: attempts)
    }

    private static func confirm(_ fd: CInt, attempts: Int) -> Bool {
        guard fd >= 0 else { return false }
        var flags = TimestampingFlags([.receiveSoftware, .software]).rawValue
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let configured =
            setsockopt(fd, SOL_SOCKET, CLinuxShims_SO_TIMESTAMPING, &flags, socklen_t(MemoryLayout<UInt32>.size)) == 0
            && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
            && withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
        guard configured else { return false }
        var payload: UInt8 = 0x5A
        var buffer = [UInt8](repeating: 0, count: 16)
        for _ in 0..<attempts {
            let sent = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { CLinuxShims_send(fd, &payload, 1, $0, length, 0, 0) }
            }
            guard sent == 1 else { continue }
            var info = CLinuxShims_ControlInfo()
            let received = buffer.withUnsafeMutableBytes {
                CLinuxShims_recv(fd, $0.baseAddress, $0.count, 0, nil, nil, &info)
            }
            if received == 1, info.has_timestamping != 0, info.timestamping.0.tv_sec != 0 || info.timestamping.0.tv_nsec != 0 {
                return true
            }
        }
        return false
    }

    /// Closes the socket: the kernel may switch stamping off again once no socket asks for it.
    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }
}

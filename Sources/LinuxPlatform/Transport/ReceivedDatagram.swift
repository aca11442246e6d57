import Glibc
import PTPCore

/// One datagram or frame as `recvmsg` returned it.
struct ReceivedDatagram: Sendable {
    var bytes: [UInt8]
    var timestamp: PTPInstant?
    var source: sockaddr_storage
}

import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// One sample for chrony's SOCK refclock (`refclock SOCK /path`, chrony's `refclock_sock.c`): at system time
/// ``systemTime`` (CLOCK_REALTIME), true time − system time was ``offset`` seconds.
///
/// The datagram is chrony's `struct sock_sample` in the host's byte order: `struct timeval tv` (two 64-bit
/// words on LP64), `double offset`, `int pulse`, `int leap` (0 none, 1 insert, 2 delete), `int _pad`,
/// `int magic` (0x534f434b, "SOCK"): 40 bytes. chrony drops a datagram of another length or magic.
public struct ChronySockSample: Sendable, Hashable {
    public enum Leap: Int32, Sendable, Hashable {
        case none = 0
        case insert = 1
        case delete = 2
    }

    public static let magic: Int32 = 0x534f_434b
    public static let size = 40

    public var systemTime: PTPInstant
    public var offset: Double
    public var leap: Leap
    /// A pulse without a time of day (chrony then needs another source for the seconds). Meridian's
    /// samples always carry the time.
    public var pulse: Bool

    public init(systemTime: PTPInstant, offset: Double, leap: Leap = .none, pulse: Bool = false) {
        self.systemTime = systemTime
        self.offset = offset
        self.leap = leap
        self.pulse = pulse
    }

    /// `struct sock_sample` as chrony reads it (LP64, host byte order).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value) { out.append(contentsOf: $0) }
        }
        append(systemTime.seconds)
        append(Int64(systemTime.nanoseconds / 1000))  // tv_usec, a 64-bit long
        append(offset.bitPattern)
        append(Int32(pulse ? 1 : 0))
        append(leap.rawValue)
        append(Int32(0))
        append(Self.magic)
        return out
    }
}

/// Sends ``ChronySockSample``s to chrony's socket (`refclock_sock_address`, linuxptp 4's option). chrony binds
/// the path; Meridian sends each datagram to it unconnected, so a chronyd that starts, stops or restarts later
/// is simply found (or missed) at the next sample. Sends never block.
public final class ChronySockFeed: Sendable {
    private let sender: UnixDatagramSender
    public var path: String { sender.path }

    /// The corresponding C function is `socket`.
    public init(path: String) throws(UnixSocketError) {
        sender = try UnixDatagramSender(path: path)
    }

    public func close() { sender.close() }

    /// Sends one sample; the error (no chronyd listening: `ENOENT`/`ECONNREFUSED`; its queue full: `EAGAIN`)
    /// is the caller's to count.
    ///
    /// The corresponding C function is `sendto`.
    public func send(_ sample: ChronySockSample) throws(Errno) {
        try sender.send(sample.bytes)
    }
}

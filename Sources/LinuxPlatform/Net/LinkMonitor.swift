import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// Watches one interface through rtnetlink (`RTMGRP_LINK`), like ptp4l's `FD_RTNL`, so a port can go FAULTY
/// when its link goes down and recover when it comes back. Opened in the calling thread's network namespace.
///
/// Only changes are reported: repeated notifications of the same state are absorbed.
public final class LinkMonitor: Sendable {
    public let interfaceName: String
    public let interfaceIndex: Int32
    let descriptor: FileDescriptor
    private let state: Mutex<Bool>
    private let closed = Atomic<Bool>(false)

    /// Opens the netlink socket and records the interface's current state.
    ///
    /// The corresponding C functions are `socket(AF_NETLINK)`, `bind` and `ioctl(SIOCGIFFLAGS)`.
    public init(interfaceName: String) throws(TransportError) {
        let index = if_nametoindex(interfaceName)
        guard index != 0 else { throw .noSuchInterface(interfaceName) }
        let fd = CLinuxShims_netlink_link_socket()
        guard fd >= 0 else {
            throw .system(operation: "socket(AF_NETLINK)", interface: interfaceName, errno: Errno(rawValue: errno))
        }
        self.descriptor = FileDescriptor(rawValue: fd)
        self.interfaceName = interfaceName
        self.interfaceIndex = Int32(index)
        do {
            self.state = Mutex(try NetworkInterface.isLinkUp(interfaceName))
        } catch {
            try? FileDescriptor(rawValue: fd).close()
            throw error
        }
    }

    deinit {
        close()
    }

    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? descriptor.close()
        }
    }

    /// The last state seen.
    public var isUp: Bool {
        state.withLock { $0 }
    }

    /// Reads what netlink has queued and returns the change it makes, if any. Never blocks.
    ///
    /// The corresponding C function is `recv` with `MSG_DONTWAIT`.
    func readPending() -> LinkEvent? {
        var result: LinkEvent?
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var events = [CLinuxShims_LinkEvent](repeating: CLinuxShims_LinkEvent(), count: 64)
        for _ in 0..<64 {
            let n = buffer.withUnsafeMutableBytes { recv(descriptor.rawValue, $0.baseAddress, $0.count, CInt(MSG_DONTWAIT)) }
            if n < 0 {
                let error = Errno(rawValue: errno)
                if error == .interrupted { continue }
                if error == .noBufferSpace, let up = try? NetworkInterface.isLinkUp(interfaceName) {
                    // Notifications were lost: ask the interface directly.
                    result = apply(up) ?? result
                    continue
                }
                break
            }
            if n == 0 { break }
            let count = buffer.withUnsafeBytes { raw in
                events.withUnsafeMutableBufferPointer {
                    CLinuxShims_parse_link_messages(raw.baseAddress, n, $0.baseAddress, CInt($0.count))
                }
            }
            for event in events.prefix(Int(count)) where event.ifindex == interfaceIndex {
                let up =
                    event.deleted == 0 && event.flags & CLinuxShims_IFF_UP != 0
                    && event.flags & CLinuxShims_IFF_RUNNING != 0
                result = apply(up) ?? result
            }
        }
        return result
    }

    private func apply(_ up: Bool) -> LinkEvent? {
        let changed = state.withLock { state in
            defer { state = up }
            return state != up
        }
        return changed ? LinkEvent(interfaceName: interfaceName, interfaceIndex: interfaceIndex, isUp: up) : nil
    }

    /// Waits up to `timeout` for the link to change; `nil` when it did not.
    ///
    /// The corresponding C function is `poll`.
    public func next(timeout: PTPDuration) -> LinkEvent? {
        let deadline = monotonicNanoseconds() + max(0, timeout.nanoseconds)
        for _ in 0..<100_000 {
            if let event = readPending() { return event }
            let remaining = deadline - monotonicNanoseconds()
            if remaining <= 0 || closed.load(ordering: .acquiring) { return nil }
            var pfd = pollfd(fd: descriptor.rawValue, events: CShort(POLLIN), revents: 0)
            _ = poll(&pfd, 1, CInt(clamping: min(100, (remaining + 999_999) / 1_000_000)))
        }
        return nil
    }
}

import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A socket with kernel timestamps: the shared core of every transport (linuxptp's sk.c).
///
/// Sends, receives with the receive stamp, and reads transmit stamps back from the error queue, pairing each
/// with its message through ``TransmitTimestampQueue``. Thread-safe: one thread may receive while another sends
/// and waits for its stamp; either one drains the error queue into the shared pairing table.
final class TimestampingSocket: Sendable {
    let descriptor: FileDescriptor
    let interfaceName: String
    /// `nil` for sockets without timestamps (the general UDP socket).
    let timestamping: TimestampingMode?
    private let queue: Mutex<TransmitTimestampQueue>
    private let closed = Atomic<Bool>(false)

    /// Opens the socket.
    ///
    /// The corresponding C function is `socket`.
    init(
        domain: CInt, type: CInt, protocol proto: CInt, interfaceName: String,
        timestamping: TimestampingMode?, maxConsecutiveMisses: Int
    ) throws(TransportError) {
        let fd: CInt
        do {
            fd = try retryingSyscall { socket(domain, type | CInt(SOCK_CLOEXEC.rawValue), proto) }
        } catch {
            throw .system(operation: "socket", interface: interfaceName, errno: error)
        }
        self.descriptor = FileDescriptor(rawValue: fd)
        self.interfaceName = interfaceName
        self.timestamping = timestamping
        self.queue = Mutex(TransmitTimestampQueue(maxConsecutiveMisses: maxConsecutiveMisses))
    }

    deinit {
        close()
    }

    /// Closes the descriptor once; later calls do nothing.
    ///
    /// The corresponding C function is `close`.
    func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? descriptor.close()
        }
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// The pairing counters.
    var statistics: TransmitTimestampStatistics {
        queue.withLock { $0.statistics }
    }

    private func failure(_ operation: String, _ error: Errno) -> TransportError {
        .system(operation: operation, interface: interfaceName, errno: error)
    }

    /// Sets a socket option to a plain value.
    ///
    /// The corresponding C function is `setsockopt`.
    func setOption<Value>(level: CInt, name: CInt, value: Value, operation: String) throws(TransportError) {
        do {
            _ = try withUnsafeBytes(of: value) { raw throws(Errno) in
                try retryingSyscall { setsockopt(descriptor.rawValue, level, name, raw.baseAddress, socklen_t(raw.count)) }
            }
        } catch {
            throw failure(operation, error)
        }
    }

    /// Runs a shim that returns -1 with `errno`, naming the operation in the error.
    func shim(_ operation: String, _ body: (CInt) -> CInt) throws(TransportError) {
        do {
            _ = try retryingSyscall { body(descriptor.rawValue) }
        } catch {
            throw failure(operation, error)
        }
    }

    /// Binds the socket to its interface, so it sends and receives there only.
    ///
    /// The corresponding C function is `setsockopt` with `SO_BINDTODEVICE`.
    func bindToDevice() throws(TransportError) {
        let name = Array(interfaceName.utf8CString)
        let result = name.withUnsafeBytes { raw in
            Result { () throws(Errno) in
                try retryingSyscall {
                    setsockopt(
                        descriptor.rawValue, SOL_SOCKET, CLinuxShims_SO_BINDTODEVICE, raw.baseAddress, socklen_t(raw.count))
                }
            }
        }
        if case .failure(let error) = result {
            throw failure("setsockopt(SO_BINDTODEVICE)", error)
        }
    }

    /// Turns on `SO_TIMESTAMPING` with the flags of the socket's mode.
    func enableTimestamping() throws(TransportError) {
        guard let timestamping else { return }
        let flags = CInt(bitPattern: timestamping.socketFlags.rawValue)
        try setOption(
            level: SOL_SOCKET, name: CLinuxShims_SO_TIMESTAMPING, value: flags, operation: "setsockopt(SO_TIMESTAMPING)")
    }

    /// Asks for a receive buffer of `size` bytes, beyond `rmem_max` when permitted (`SO_RCVBUFFORCE`).
    /// SO_PRIORITY, when above 0 (linuxptp udp.c/raw.c set it only then).
    func setPriority(_ priority: Int) throws(TransportError) {
        guard priority > 0 else { return }
        try setOption(level: SOL_SOCKET, name: SO_PRIORITY, value: CInt(clamping: priority), operation: "setsockopt(SO_PRIORITY)")
    }

    func setReceiveBuffer(_ size: Int) {
        let value = CInt(clamping: size)
        if (try? setOption(level: SOL_SOCKET, name: SO_RCVBUFFORCE, value: value, operation: "SO_RCVBUFFORCE")) == nil {
            try? setOption(level: SOL_SOCKET, name: SO_RCVBUF, value: value, operation: "SO_RCVBUF")
        }
    }

    /// Sends one datagram without blocking. With `stamped` on a timestamping socket, returns the token of its
    /// transmit stamp; otherwise asks the kernel for no transmit stamp and returns `nil`.
    ///
    /// The corresponding C function is `sendmsg` with `MSG_DONTWAIT`.
    func send(
        _ bytes: [UInt8], to address: UnsafePointer<sockaddr>?, length: socklen_t, stamped: Bool
    ) throws(TransportError) -> TransmitStampHandle? {
        guard !isClosed else { throw .closed }
        let wantsStamp = stamped && timestamping != nil
        // Per-message SO_TIMESTAMPING cmsg: 0 suppresses the transmit stamp of a general message.
        let override: CInt = timestamping != nil && !wantsStamp ? 1 : 0
        // The pairing lock is held across sendmsg: on veth and many drivers the stamp is queued before sendmsg
        // returns, and a receive thread draining it must find the send already recorded.
        let result: Result<TransmitStampHandle?, Errno> = queue.withLock { queue in
            let sent = bytes.withUnsafeBytes { raw in
                Result { () throws(Errno) in
                    try retryingSyscall {
                        CLinuxShims_send(descriptor.rawValue, raw.baseAddress, raw.count, address, length, override, 0)
                    }
                }
            }
            switch sent {
            case .success:
                return .success(wantsStamp ? queue.recordSend(payload: bytes) : nil)
            case .failure(let error):
                return .failure(error)
            }
        }
        switch result {
        case .success(let token):
            return token
        case .failure(let error):
            if error == .networkDown || error == .noSuchAddressOrDevice || error == .networkUnreachable {
                throw .linkDown(interface: interfaceName)
            }
            if error == .wouldBlock || error == .noBufferSpace {
                // Never block a port on a stuck queue: the message is not sent and the caller counts it.
                throw failure("sendmsg (send queue full)", error)
            }
            throw failure("sendmsg", error)
        }
    }

    /// Receives one datagram if one is waiting, with its receive stamp.
    ///
    /// The corresponding C function is `recvmsg` with `MSG_DONTWAIT`.
    func receiveNow(capacity: Int = 2048) throws(TransportError) -> ReceivedDatagram? {
        var source = sockaddr_storage()
        var sourceLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var info = CLinuxShims_ControlInfo()
        var failure: Errno?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let result = Result { () throws(Errno) in
                try retryingSyscall {
                    CLinuxShims_recv(
                        descriptor.rawValue, buffer.baseAddress, buffer.count, CInt(MSG_DONTWAIT),
                        &source, &sourceLength, &info)
                }
            }
            switch result {
            case .success(let n):
                count = n
            case .failure(let error):
                failure = error
                count = 0
            }
        }
        if let failure {
            if failure == .wouldBlock { return nil }
            throw self.failure("recvmsg", failure)
        }
        return ReceivedDatagram(bytes: bytes, timestamp: stamp(from: info), source: source)
    }

    /// The stamp the socket's mode asks for: `ts[0]` software, `ts[2]` raw hardware; zero means none.
    func stamp(from info: CLinuxShims_ControlInfo) -> PTPInstant? {
        guard info.has_timestamping != 0, let timestamping else { return nil }
        let ts = timestamping == .software ? info.timestamping.0 : info.timestamping.2
        guard ts.tv_sec != 0 || ts.tv_nsec != 0 else { return nil }
        return PTPInstant(ts)
    }

    /// Reads the messages waiting on the error queue into the pairing table: all of them, or, with `awaited`,
    /// until that send's stamp is paired (the rest stay queued for the next reader, so a sender waiting for
    /// its stamp makes no `recvmsg` that finds the queue empty).
    ///
    /// The corresponding C function is `recvmsg` with `MSG_ERRQUEUE`.
    func drainErrorQueue(until awaited: TransmitStampHandle? = nil) {
        for attempt in 0..<4096 {
            var info = CLinuxShims_ControlInfo()
            var failed = false
            let packet = [UInt8](unsafeUninitializedCapacity: 2048) { buffer, count in
                let n = try? retryingSyscall {
                    CLinuxShims_recv(
                        descriptor.rawValue, buffer.baseAddress, buffer.count,
                        CLinuxShims_MSG_ERRQUEUE | CInt(MSG_DONTWAIT), nil, nil, &info)
                }
                count = n ?? 0
                failed = n == nil
            }
            if failed {
                if attempt == 0 { clearPendingError() }
                return
            }
            guard info.has_extended_error != 0, Int32(info.ee_errno) == CLinuxShims_ENOMSG,
                Int32(info.ee_origin) == CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING, let stamp = stamp(from: info)
            else { continue }
            let paired = queue.withLock { $0.offer(kernelKey: info.ee_data, returnedPacket: packet, stamp: stamp) }
            if let awaited, paired == awaited { return }
        }
    }

    /// Reads and so clears a pending socket error (`sk_err`, e.g. `ENETDOWN` on a packet socket when its
    /// interface goes down). Poll reports `POLLERR` while it is set, so leaving it would make every receive
    /// loop spin; the link monitor reports the link change itself.
    ///
    /// The corresponding C function is `getsockopt` with `SO_ERROR`.
    private func clearPendingError() {
        var error: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        _ = getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &error, &length)
    }

    /// Waits up to `timeout` for the transmit stamp of `token` (ptp4l's `tx_timestamp_timeout`).
    ///
    /// A stamp that does not come is given up and counted; only a run of misses reports ``TransmitTimestampOutcome/fault(consecutive:)``.
    /// The corresponding C function is `poll` on the error queue.
    func transmitTimestamp(for token: TransmitStampHandle, timeout: PTPDuration) -> TransmitTimestampOutcome {
        let deadline = monotonicNanoseconds() + max(0, timeout.nanoseconds)
        // A software stamp is taken in the driver's transmit routine, within the sendmsg that queued the frame
        // (on veth and most NICs): read it straight away, with no poll that would find it there already.
        if timestamping == .software {
            drainErrorQueue(until: token)
        }
        // Bounded: each pass polls at most 1 ms until the deadline, or returns.
        while true {
            let settled = queue.withLock { queue -> TransmitTimestampOutcome? in
                if let stamp = queue.take(token) { return .stamped(stamp) }
                return queue.isPending(token) ? nil : queue.giveUp(token)
            }
            if let settled { return settled }
            let remaining = deadline - monotonicNanoseconds()
            if remaining <= 0 || isClosed {
                drainErrorQueue()
                return queue.withLock { queue in
                    if let stamp = queue.take(token) { return .stamped(stamp) }
                    return queue.giveUp(token)
                }
            }
            // POLLERR is reported whatever the events; slices of at most 1 ms also catch a stamp that the
            // receiving thread drained into the table.
            var pfd = pollfd(fd: descriptor.rawValue, events: 0, revents: 0)
            let sliceMilliseconds = CInt(min(1, max(0, (remaining + 999_999) / 1_000_000)))
            let ready = poll(&pfd, 1, sliceMilliseconds)
            if ready > 0 && pfd.revents & CShort(POLLERR) != 0 {
                drainErrorQueue(until: token)
            }
        }
    }
}

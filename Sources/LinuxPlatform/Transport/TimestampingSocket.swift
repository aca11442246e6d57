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
    /// ``receiveWaiting(limit:_:)``'s slots, kept from one read to the next (a server port reads thousands a
    /// second, most of them one message): allocated at the first read, taken out while one is in progress.
    private let receiveSlots = KeptSlots<ReceiveSlots>()
    /// ``drainErrorQueue(until:)``'s buffers, kept the same way.
    private let errorQueueSlots = KeptSlots<ErrorQueueSlots>()

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
            throw Self.sendFailure(error, interface: interfaceName)
        }
    }

    /// Sends `payloads[i]` to `addresses[i]` for every `i` with as few `sendmmsg` calls as fit (64 a call),
    /// never blocking; one result per payload, in order, as ``send(_:to:length:stamped:)`` gives it.
    ///
    /// The pairing lock is held across the whole batch, as for one send. A datagram the kernel refuses fails
    /// alone, and the rest go on; a full send queue (or a link gone down) fails it and every one after it,
    /// with no system call each.
    ///
    /// The corresponding C function is `sendmmsg` with `MSG_DONTWAIT`.
    func send<Address>(batch payloads: [[UInt8]], to addresses: [Address], stamped: Bool)
        -> [Result<TransmitStampHandle?, TransportError>]
    {
        guard !isClosed else { return payloads.map { _ in .failure(.closed) } }
        guard payloads.count == addresses.count, !payloads.isEmpty else { return [] }
        let wantsStamp = stamped && timestamping != nil
        let override: CInt = timestamping != nil && !wantsStamp ? 1 : 0
        // One contiguous copy of the payloads: every datagram's bytes stay put for the whole call.
        var offsets: [Int] = []
        offsets.reserveCapacity(payloads.count + 1)
        var joined: [UInt8] = []
        joined.reserveCapacity(payloads.reduce(0) { $0 + $1.count })
        for payload in payloads {
            offsets.append(joined.count)
            joined.append(contentsOf: payload)
        }
        offsets.append(joined.count)
        var results: [Result<TransmitStampHandle?, TransportError>] = []
        results.reserveCapacity(payloads.count)
        var failure: Errno?
        queue.withLock { queue in
            joined.withUnsafeBytes { bytes in
                addresses.withUnsafeBufferPointer { to in
                    let length = socklen_t(MemoryLayout<Address>.size)
                    var datagrams = [CLinuxShims_OutgoingDatagram](
                        repeating: CLinuxShims_OutgoingDatagram(), count: min(payloads.count, Int(CLINUXSHIMS_BATCH_MAX)))
                    var next = 0
                    // Bounded: each pass either sends at least one datagram or fails at least one.
                    while next < payloads.count {
                        if let failure {
                            results.append(.failure(Self.sendFailure(failure, interface: interfaceName)))
                            next += 1
                            continue
                        }
                        let count = min(payloads.count - next, datagrams.count)
                        for i in 0..<count {
                            let k = next + i
                            datagrams[i] = CLinuxShims_OutgoingDatagram(
                                buffer: bytes.baseAddress.map { $0 + offsets[k] }, length: offsets[k + 1] - offsets[k],
                                to: UnsafeRawPointer(to.baseAddress.map { $0 + k })?.assumingMemoryBound(to: sockaddr.self),
                                to_length: length, override_tsflags: override, tsflags: 0)
                        }
                        let sent = datagrams.withUnsafeBufferPointer { pointer in
                            Result { () throws(Errno) in
                                try retryingSyscall {
                                    CLinuxShims_send_batch(descriptor.rawValue, pointer.baseAddress, CUnsignedInt(count))
                                }
                            }
                        }
                        switch sent {
                        case .success(let n) where n > 0:
                            for k in next..<(next + Int(n)) {
                                results.append(.success(wantsStamp ? queue.recordSend(payload: payloads[k]) : nil))
                            }
                            next += Int(n)
                        case .success:
                            failure = .wouldBlock
                        case .failure(let error):
                            results.append(.failure(Self.sendFailure(error, interface: interfaceName)))
                            next += 1
                            // The queue is full or the link is gone: the rest would fail alike.
                            if error == .wouldBlock || error == .noBufferSpace || Self.isLinkDown(error) { failure = error }
                        }
                    }
                }
            }
        }
        return results
    }

    private static func isLinkDown(_ error: Errno) -> Bool {
        error == .networkDown || error == .noSuchAddressOrDevice || error == .networkUnreachable
    }

    /// What a failed `sendmsg` or `sendmmsg` means for the port.
    private static func sendFailure(_ error: Errno, interface: String) -> TransportError {
        if isLinkDown(error) { return .linkDown(interface: interface) }
        if error == .wouldBlock || error == .noBufferSpace {
            // Never block a port on a stuck queue: the message is not sent and the caller counts it.
            return .system(operation: "sendmsg (send queue full)", interface: interface, errno: error)
        }
        return .system(operation: "sendmsg", interface: interface, errno: error)
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

    /// Receives the datagrams waiting, up to `limit`, with one `recvmmsg`, each with its receive stamp, in
    /// arrival order; how many were read (zero when none was waiting). A server port with many unicast clients
    /// finds several Delay_Reqs waiting at a poll; one read takes them all, and the clock answers them together.
    ///
    /// The corresponding C function is `recvmmsg` with `MSG_DONTWAIT`.
    func receiveWaiting(limit: Int, _ each: (ReceivedDatagram) -> Void) throws(TransportError) -> Int {
        let count = max(1, min(limit, ReceiveSlots.count))
        // No lock is held while the caller handles a message (which may read this socket again: that read then
        // uses slots of its own).
        return try receiveSlots.lend { slots throws(TransportError) -> Int in
            let result = Result { () throws(Errno) in
                try retryingSyscall {
                    slots.buffer.withUnsafeMutableBytes { buffer in
                        CLinuxShims_recv_batch_from(
                            descriptor.rawValue, buffer.baseAddress, ReceiveSlots.capacity, CUnsignedInt(count),
                            CInt(MSG_DONTWAIT), &slots.lengths, &slots.infos, &slots.sources, &slots.sourceLengths)
                    }
                }
            }
            switch result {
            case .success(let n):
                let read = min(count, max(0, Int(n)))
                for i in 0..<read {
                    let start = i * ReceiveSlots.capacity
                    let length = min(max(0, slots.lengths[i]), ReceiveSlots.capacity)
                    each(
                        ReceivedDatagram(
                            bytes: Array(slots.buffer[start..<(start + length)]), timestamp: stamp(from: slots.infos[i]),
                            source: slots.sources[i]))
                }
                return read
            case .failure(let error):
                if error == .wouldBlock { return 0 }
                throw failure("recvmmsg", error)
            }
        }
    }

    /// The stamp the socket's mode asks for: `ts[0]` software, `ts[2]` raw hardware; zero means none.
    func stamp(from info: CLinuxShims_ControlInfo) -> PTPInstant? {
        guard info.has_timestamping != 0, let timestamping else { return nil }
        let ts = timestamping == .software ? info.timestamping.0 : info.timestamping.2
        guard ts.tv_sec != 0 || ts.tv_nsec != 0 else { return nil }
        return PTPInstant(ts)
    }

    /// Reads the messages waiting on the error queue into the pairing table: all of them, or, with `awaited`,
    /// until that send's stamp is paired. Several at a time (`recvmmsg`) when several sends wait for theirs
    /// (a batch of unicast Syncs); one at a time otherwise, so a sender waiting for its one stamp makes no
    /// read that finds the queue empty and reads into no larger buffer than before.
    ///
    /// The corresponding C function is `recvmmsg` with `MSG_ERRQUEUE`.
    func drainErrorQueue(until awaited: TransmitStampHandle? = nil) {
        // Bounded: at most 4,096 reads, each of at least one message.
        for attempt in 0..<4096 {
            let waiting = queue.withLock { $0.pendingCount }
            let read =
                waiting > 1
                ? readErrorQueueBatch(min(Self.errorQueueBatch, waiting), until: awaited) : readErrorQueueOne(until: awaited)
            switch read {
            case .empty:
                if attempt == 0 { clearPendingError() }
                return
            case .found, .drained:
                return
            case .more:
                continue
            }
        }
    }

    /// What one read of the error queue came to.
    private enum ErrorQueueRead {
        /// Nothing was waiting.
        case empty
        /// The awaited send's stamp was paired.
        case found
        /// Fewer than asked for were waiting: the queue is empty now.
        case drained
        /// As many as asked for came: there may be more.
        case more
    }

    /// One message of the error queue (`recvmsg`): a single send's stamp, as a grandmaster's Sync.
    private func readErrorQueueOne(until awaited: TransmitStampHandle?) -> ErrorQueueRead {
        errorQueueSlots.lend { slots in
            var info = CLinuxShims_ControlInfo()
            let room = min(slots.buffer.count, ErrorQueueSlots.singleCapacity)
            let n = slots.buffer.withUnsafeMutableBytes { buffer in
                try? retryingSyscall {
                    CLinuxShims_recv(
                        descriptor.rawValue, buffer.baseAddress, room, CLinuxShims_MSG_ERRQUEUE | CInt(MSG_DONTWAIT),
                        nil, nil, &info)
                }
            }
            guard let n else { return .empty }
            let paired = slots.buffer.withUnsafeBytes {
                pair(info, packet: UnsafeRawBufferPointer(rebasing: $0[0..<min(max(0, n), room)]))
            }
            return awaited != nil && paired == awaited ? .found : .more
        }
    }

    /// Up to `count` messages of the error queue in one `recvmmsg`: the stamps of a batch of sends.
    private func readErrorQueueBatch(_ count: Int, until awaited: TransmitStampHandle?) -> ErrorQueueRead {
        errorQueueSlots.lend { slots in
            let count = max(1, min(count, ErrorQueueSlots.count))
            let slot = ErrorQueueSlots.capacity
            // The room for a whole batch is taken at the first batch read: a grandmaster's port, which waits for
            // one stamp at a time, keeps only the single read's.
            if slots.buffer.count < ErrorQueueSlots.count * slot {
                slots.buffer = [UInt8](repeating: 0, count: ErrorQueueSlots.count * slot)
            }
            let n = slots.buffer.withUnsafeMutableBytes { buffer in
                slots.infos.withUnsafeMutableBufferPointer { infos in
                    slots.lengths.withUnsafeMutableBufferPointer { lengths in
                        try? retryingSyscall {
                            CLinuxShims_recv_batch(
                                descriptor.rawValue, buffer.baseAddress, slot, CUnsignedInt(count),
                                CLinuxShims_MSG_ERRQUEUE | CInt(MSG_DONTWAIT), lengths.baseAddress, infos.baseAddress)
                        }
                    }
                }
            }
            let read = min(count, max(0, Int(n ?? 0)))
            if read == 0 { return .empty }
            var found = false
            slots.buffer.withUnsafeBytes { buffer in
                for i in 0..<read {
                    let start = i * slot
                    let packet = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + min(max(0, slots.lengths[i]), slot))])
                    if let awaited, pair(slots.infos[i], packet: packet) == awaited { found = true }
                }
            }
            return found ? .found : read < count ? .drained : .more
        }
    }

    /// Offers one error-queue message to the pairing table if it is a transmit stamp; the send it was paired with.
    private func pair(_ info: CLinuxShims_ControlInfo, packet: UnsafeRawBufferPointer) -> TransmitStampHandle? {
        guard info.has_extended_error != 0, Int32(info.ee_errno) == CLinuxShims_ENOMSG,
            Int32(info.ee_origin) == CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING, let stamp = stamp(from: info)
        else { return nil }
        return queue.withLock { $0.offer(kernelKey: info.ee_data, returnedPacket: packet, stamp: stamp) }
    }

    /// How many error-queue messages one read takes at most, and the room for each: an event message's
    /// stamp comes back with the frame it stamped (a few hundred bytes at most with its headers).
    static let errorQueueBatch = 32
    static let errorQueueSlot = 1024

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
        // After a batch, the first stamp's read brought in the others' too: those need no read at all.
        if timestamping == .software, !queue.withLock({ $0.isStamped(token) }) {
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

/// Read buffers a socket keeps from one read to the next (a server port reads thousands a second, a grandmaster
/// reads the error queue after every Sync): made at the first read, taken out of the lock for a read and put back
/// after; a read that finds them taken (another thread reading the same socket at that moment) uses buffers of its
/// own.
struct KeptSlots<Slots: Sendable & DefaultSlots>: ~Copyable, Sendable {
    private let stored = Mutex<Slots?>(nil)

    /// Inlined into each read, as it was when it was smaller: a specialization of its own would sit apart from
    /// the ordered hot code (scripts/orderfile) until the order is made again.
    @inline(__always)
    func lend<Result, Failure: Error>(_ body: (inout Slots) throws(Failure) -> Result) throws(Failure) -> Result {
        var slots = stored.withLock { $0.take() } ?? Slots()
        let outcome: Swift.Result<Result, Failure>
        do throws(Failure) {
            outcome = .success(try body(&slots))
        } catch {
            outcome = .failure(error)
        }
        // Moved back, not copied: a copy retained every buffer of the slots and the local's end released them
        // again, on every read of the socket.
        var returned: Slots? = consume slots
        stored.withLock { swap(&$0, &returned) }
        return try outcome.get()
    }
}

/// Slots a ``KeptSlots`` can make when it holds none.
protocol DefaultSlots {
    init()
}

/// The buffers of the error-queue reads: room for a single read, or, once a batch was read, for
/// ``TimestampingSocket/errorQueueBatch`` slots of ``TimestampingSocket/errorQueueSlot`` bytes one after the other
/// (a single read then uses the first two).
struct ErrorQueueSlots: Sendable, DefaultSlots {
    static let count = TimestampingSocket.errorQueueBatch
    static let capacity = TimestampingSocket.errorQueueSlot
    /// The room of a single `recvmsg` of the error queue.
    static let singleCapacity = 2048
    var buffer = [UInt8](repeating: 0, count: singleCapacity)
    var lengths = [Int](repeating: 0, count: count)
    var infos = [CLinuxShims_ControlInfo](repeating: CLinuxShims_ControlInfo(), count: count)
}

/// The slots one `recvmmsg` of ``TimestampingSocket/receiveWaiting(limit:_:)`` reads into.
struct ReceiveSlots: Sendable, DefaultSlots {
    /// Messages one read takes at most, and the room for each (the largest PTP message with its TLVs; a
    /// longer datagram is cut, as one `recvmsg` into 2,048 bytes cuts it).
    static let count = 16
    static let capacity = 2048
    var buffer = [UInt8](repeating: 0, count: count * capacity)
    var lengths = [Int](repeating: 0, count: count)
    var infos = [CLinuxShims_ControlInfo](repeating: CLinuxShims_ControlInfo(), count: count)
    var sources = [sockaddr_storage](repeating: sockaddr_storage(), count: count)
    var sourceLengths = [socklen_t](repeating: 0, count: count)
}

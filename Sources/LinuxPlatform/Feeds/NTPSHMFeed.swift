import Glibc
import PTPCore
import Synchronization

/// The NTP shared-memory reference clock (`refclock SHM N` in chrony, ntpd's type 28 driver, gpsd's
/// `ntpshm.c`): System V segment key 0x4e545030 + N holding one `struct shmTime`, written with the count
/// protocol of mode 1 (valid 0, count+1, fields, count+1, valid 1) so a reader never takes a torn sample.
///
/// `struct shmTime` on LP64: mode@0, count@4, clockTimeStampSec@8 (time_t), clockTimeStampUSec@16,
/// receiveTimeStampSec@24, receiveTimeStampUSec@32, leap@36, precision@40, nsamples@44, valid@48,
/// clockTimeStampNSec@52, receiveTimeStampNSec@56, dummy[8]@60: 96 bytes. `clockTimeStamp` is the true
/// time, `receiveTimeStamp` the system time it was taken at.
public final class NTPSHMFeed: @unchecked Sendable {  // one writer: the clock's thread
    public static let baseKey: Int32 = 0x4e54_5030
    public static let size = 96

    public let segment: Int32
    private let memory: UnsafeMutableRawPointer
    private let detached = Atomic<Bool>(false)

    /// Creates (or attaches to) the segment, mode 0600 as chrony expects.
    ///
    /// The corresponding C functions are `shmget` and `shmat`.
    public init(segment: Int32) throws(ClockError) {
        let (key, overflow) = Self.baseKey.addingReportingOverflow(segment)
        guard !overflow, segment >= 0 else { throw .unavailable("ntpshm_segment \(segment): out of range") }
        let id = shmget(key_t(key), Self.size, IPC_CREAT | 0o600)
        guard id >= 0 else { throw .system(operation: "shmget(NTP SHM segment \(segment))", errno: errno) }
        guard let pointer = shmat(id, nil, 0), pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .system(operation: "shmat(NTP SHM segment \(segment))", errno: errno)
        }
        self.segment = segment
        self.memory = pointer
    }

    deinit { close() }

    /// Detaches from the segment (the segment stays for the reader). The corresponding C function is `shmdt`.
    public func close() {
        if !detached.exchange(true, ordering: .acquiringAndReleasing) {
            _ = shmdt(memory)
        }
    }

    /// NTP leap indicator: 0 none, 1 insert, 2 delete, 3 not synchronised.
    public enum Leap: Int32, Sendable {
        case none = 0
        case insert = 1
        case delete = 2
        case notSynchronised = 3
    }

    /// Publishes one sample: at system time `system` the true time was `reference`; `precision` is log2 s.
    public func write(reference: PTPInstant, system: PTPInstant, leap: Leap, precision: Int32 = -20) {
        guard !detached.load(ordering: .acquiring) else { return }
        func store<T>(_ value: T, _ offset: Int) { memory.storeBytes(of: value, toByteOffset: offset, as: T.self) }
        let count = memory.load(fromByteOffset: 4, as: Int32.self)
        store(Int32(1), 0)  // mode 1: the count protocol
        store(Int32(0), 48)  // valid 0 while writing
        store(count &+ 1, 4)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        store(reference.seconds, 8)
        store(Int32(reference.nanoseconds / 1000), 16)
        store(system.seconds, 24)
        store(Int32(system.nanoseconds / 1000), 32)
        store(leap.rawValue, 36)
        store(precision, 40)
        store(Int32(0), 44)
        store(UInt32(reference.nanoseconds), 52)
        store(UInt32(system.nanoseconds), 56)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        store(count &+ 2, 4)
        store(Int32(1), 48)
    }
}

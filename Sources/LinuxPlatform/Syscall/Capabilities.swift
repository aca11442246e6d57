import CLinuxShims
import Glibc
import SystemPackage

/// A set of Linux capabilities (capabilities(7)), bit n standing for capability n, as the kernel's
/// `CapEff`/`CapPrm` lines in `/proc/PID/status` print them.
public struct CapabilitySet: Sendable, Hashable, CustomStringConvertible {
    public var bits: UInt64

    public init(bits: UInt64) { self.bits = bits }

    public init(_ capabilities: [Int]) {
        bits = 0
        for capability in capabilities where (0..<64).contains(capability) { bits |= 1 << UInt64(capability) }
    }

    public static let chown = 0, dacOverride = 1, dacReadSearch = 2, fowner = 3, setgid = 6, setuid = 7, setpcap = 8,
        netBindService = 10
    public static let netAdmin = 12, netRaw = 13, sysTime = 25

    /// The kernel's names, as capabilities(7) and systemd spell them.
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    public func contains(_ capability: Int) -> Bool {
        (0..<64).contains(capability) && bits & (1 << UInt64(capability)) != 0
    }

    public var isEmpty: Bool { bits == 0 }

    public func intersection(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(bits: bits & other.bits) }

    /// The names, lowest number first (`none` for the empty set); a number the table does not know as `cap_N`.
    public var description: String {
        let members = (0..<64).filter(contains).map { $0 < Self.names.count ? Self.names[$0] : "cap_\($0)" }
        return members.isEmpty ? "none" : members.joined(separator: " ")
    }

    /// Parses the hexadecimal value of a `CapEff:` line.
    public init?(hex: some StringProtocol) {
        guard let value = UInt64(hex.trimmingCharacters(in: " \t"), radix: 16) else { return nil }
        bits = value
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}

/// Reads and limits the capabilities of this process.
public enum ProcessCapabilities {
    /// What a limit did: how many threads changed their sets, and how many did not confirm it in time.
    public struct Outcome: Sendable, Hashable {
        public var threads: Int
        public var unconfirmed: Int
    }

    /// The signal the limit sends to the other threads; a process that starts with signals blocked must unblock
    /// it in its first thread, before any other thread exists (meridiand's `main` does).
    public static var signal: CInt { CLinuxShims_capability_signal() }

    /// Limits every thread of the process to `keep` ∩ its permitted set: bounding set (when CAP_SETPCAP
    /// allows), ambient and inheritable cleared, permitted and effective reduced (shims_privilege.c).
    ///
    /// The corresponding C functions are `prctl(PR_CAPBSET_DROP, PR_CAP_AMBIENT)`, `capget`, `capset` and `tgkill`.
    public static func limit(to keep: CapabilitySet) throws(Errno) -> Outcome {
        var threads: CInt = 0
        var unconfirmed: CInt = 0
        guard CLinuxShims_limit_capabilities(keep.bits, &threads, &unconfirmed) == 0 else { throw Errno(rawValue: errno) }
        return Outcome(threads: Int(threads), unconfirmed: Int(unconfirmed))
    }

    /// The signal ``switchUser(uid:gid:groups:keep:)`` sends to the other threads (SIGPROF: libdispatch's worker
    /// threads leave it unblocked); `main` unblocks it too, in case a parent blocked it.
    public static var switchSignal: CInt { CLinuxShims_switch_signal() }

    /// Switches every thread of the process to `uid`, `gid` and the supplementary `groups`, keeping only `keep`
    /// ∩ its permitted set in each (shims_privilege.c: raw `setgroups`, `setresgid`, `setresuid` per thread with
    /// `PR_SET_KEEPCAPS` across them, then `capset`). Needs CAP_SETUID, CAP_SETGID (and CAP_SETPCAP for the
    /// bounding set) in every thread; ``threadIDs(_:of:)`` shows what each thread ended with.
    ///
    /// The corresponding C functions are `setgroups`, `setresgid`, `setresuid`, `prctl`, `capset` and `tgkill`.
    public static func switchUser(uid: uid_t, gid: gid_t, groups: [gid_t], keep: CapabilitySet) throws(Errno) -> Outcome {
        var threads: CInt = 0
        var unconfirmed: CInt = 0
        let list = groups.map { UInt32($0) }
        let status = list.withUnsafeBufferPointer { buffer in
            CLinuxShims_switch_user(
                UInt32(uid), UInt32(gid), buffer.baseAddress, CInt(clamping: buffer.count), keep.bits, &threads,
                &unconfirmed)
        }
        guard status == 0 else { throw Errno(rawValue: errno) }
        return Outcome(threads: Int(threads), unconfirmed: Int(unconfirmed))
    }

    /// The ids a `Uid:` or `Gid:` line of `/proc/PID/task/TID/status` shows for each thread of `pid` (real,
    /// effective, saved, filesystem), by thread id.
    public static func threadIDs(_ field: String, of pid: pid_t = getpid()) -> [pid_t: [UInt32]] {
        var ids: [pid_t: [UInt32]] = [:]
        for thread in threads(of: pid) {
            guard let text = readText("/proc/\(pid)/task/\(thread)/status") else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
                ids[thread] = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
                    .compactMap { UInt32($0) }
            }
        }
        return ids
    }

    /// One field (`CapEff`, `CapPrm`, `CapBnd`, `CapAmb`, `CapInh`) of `/proc/<task>/status`; nil when unreadable.
    public static func read(_ field: String, status path: String = "/proc/self/status") -> CapabilitySet? {
        guard let text = readText(path) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return CapabilitySet(hex: line.dropFirst(field.count + 1))
        }
        return nil
    }

    /// The thread ids of process `pid` (`/proc/PID/task`).
    public static func threads(of pid: pid_t = getpid()) -> [pid_t] {
        guard let directory = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(directory) }
        var ids: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let id = pid_t(name) { ids.append(id) }
        }
        return ids
    }

    /// The union of `field` over every thread of `pid`: what the most privileged thread holds.
    public static func union(_ field: String, of pid: pid_t = getpid()) -> CapabilitySet {
        var bits: UInt64 = 0
        for thread in threads(of: pid) {
            bits |= read(field, status: "/proc/\(pid)/task/\(thread)/status")?.bits ?? 0
        }
        return CapabilitySet(bits: bits)
    }

    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

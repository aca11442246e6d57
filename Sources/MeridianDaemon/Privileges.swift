import Glibc
import LinuxPlatform
import MeridianConfig
import PTPCore

/// Least privilege (issue #17): before it opens anything, while it is still one thread, meridiand limits its
/// capabilities to what it needs to start and to run, and logs what it kept.
///
/// Why before start-up and not after: on Linux every capability set belongs to a thread, and a thread inherits
/// its creator's. Once the clock loop, the management receivers, SwiftNIO's event loop and the cooperative
/// pool run, a `capset` changes only the calling thread; the other threads could only be reached by a signal,
/// and the dispatch worker threads block every signal. Limited while alone, every thread made later inherits
/// the limited sets (`/proc/PID/task/*/status` shows it, `PrivilegeTests`).
///
/// What starting and running need is what ptp4l needs, and what reopening a port after a fault
/// (`fault_reset_interval`) takes again:
/// - `CAP_SYS_TIME` to adjust or step the system clock (`clock_adjtime(CLOCK_REALTIME)`); not for the virtual
///   clock (a PHC is steered through its open descriptor, but `clock_device auto` may pick the system clock,
///   so it is kept for every real clock);
/// - `CAP_NET_BIND_SERVICE` for a UDP port: binding 319 and 320;
/// - `CAP_NET_RAW` for an IEEE 802.3 port: a packet socket;
/// - `CAP_NET_ADMIN` with hardware time stamping: `SIOCSHWTSTAMP`.
/// Everything else goes from the effective, permitted, inheritable, ambient and bounding sets (the bounding
/// set when CAP_SETPCAP allows, i.e. when started as root). `uds_group` needs no CAP_CHOWN: a process may give
/// its own file to a group it is in, so when meridiand is not yet in that group it first joins it
/// (`setgroups`, while it still has CAP_SETGID); that also lets it answer pmc's sockets, which pmc makes
/// 0660 in its own group.
///
/// The `user` option (or `--user`): started as root, meridiand opens its clock, ports, reference, sockets and
/// HTTP endpoint first, then switches every thread to that user, its groups plus `uds_group`, keeping only
/// ``runtimeCapabilities(_:)`` (``switchUser(_:)``). Until then it also keeps what opening needs as root
/// (``startupCapabilities``: writing where root may, giving the management sockets to the user, and changing
/// ids); they go with the switch. After it, a fault reset reopens a port with what is kept: CAP_NET_BIND_SERVICE
/// for 319 and 320, CAP_NET_RAW for a packet socket, CAP_NET_ADMIN for SIOCSHWTSTAMP. The files it writes
/// later (the drift file at shutdown, the configuration it re-reads on SIGHUP) must be the user's to write and read.
/// The systemd unit needs none of this: it starts meridiand as `User=meridian` with the capabilities already.
enum Privileges {
    static func runtimeCapabilities(_ settings: DaemonSettings) -> CapabilitySet {
        var keep: [Int] = []
        if case .virtual = settings.clock {} else { keep.append(CapabilitySet.sysTime) }
        if settings.ports.contains(where: { $0.networkProtocol != .ieee802_3 }) {
            keep.append(CapabilitySet.netBindService)
        }
        if settings.ports.contains(where: { $0.networkProtocol == .ieee802_3 }) { keep.append(CapabilitySet.netRaw) }
        if settings.ports.contains(where: { $0.transport.timestamping == .hardware }) {
            keep.append(CapabilitySet.netAdmin)
        }
        return CapabilitySet(keep)
    }

    /// What start-up needs besides ``runtimeCapabilities(_:)`` when it switches to `user` afterwards: CAP_CHOWN,
    /// CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER (a socket in a directory only root writes, given to
    /// the user; a device or file only root may open), CAP_SETGID, CAP_SETUID and CAP_SETPCAP (the switch itself,
    /// and the bounding set). None of them outlives the switch.
    static let startupCapabilities = CapabilitySet([
        CapabilitySet.chown, CapabilitySet.dacOverride, CapabilitySet.dacReadSearch, CapabilitySet.fowner,
        CapabilitySet.setgid, CapabilitySet.setuid, CapabilitySet.setpcap,
    ])

    /// The `user` to switch to, when one is set and it is not who meridiand runs as already.
    static func userToSwitchTo(_ configuration: Configuration) -> UnixUser.Entry? {
        let name = configuration.string("user")
        guard !name.isEmpty, let user = UnixUser.lookup(name) else { return nil }
        return UnixUser.isRunning(as: user.uid) ? nil : user
    }

    /// `user` names a user of the passwd database (`FILE:LINE: bad value`, exit 2, as every bad option).
    static func diagnostics(_ configuration: Configuration, file: String) -> [ConfigDiagnostic] {
        let name = configuration.string("user")
        guard !name.isEmpty, UnixUser.lookup(name) == nil else { return [] }
        // `origin` is `FILE:LINE` for a line of a file, `command line` for --user.
        let origin = configuration.setting("user")?.origin ?? file
        let colon = origin.lastIndex(of: ":")
        let line = colon.flatMap { Int(origin[origin.index(after: $0)...]) }
        let source = line != nil ? colon.map { String(origin[..<$0]) } ?? file : (origin == "command line" ? origin : file)
        return [
            ConfigDiagnostic(
                file: source, line: line ?? 0,
                problem: .badValue(option: "user", value: name, expected: "a user of the passwd database (name or uid)"))
        ]
    }

    /// What ``limit(_:)`` did, as log lines: notices, then warnings.
    struct Report: Sendable {
        var notices: [String] = []
        var warnings: [String] = []
    }

    /// Joins `uds_group` when needed, then limits every capability set to ``runtimeCapabilities(_:)``.
    static func limit(_ configuration: Configuration) -> Report {
        var report = Report()
        let settings = DaemonSettings(configuration)
        let groupName = configuration.string("uds_group")
        let switching = userToSwitchTo(configuration)
        // With `user`, the switch sets the groups (uds_group among them).
        if switching == nil, !groupName.isEmpty, let group = UnixGroup.id(groupName), !UnixGroup.isMember(group) {
            var groups = [gid_t](repeating: 0, count: 1024)
            let count = max(0, Int(getgroups(CInt(groups.count), &groups)))
            let joined = Array(groups[..<count]) + [group]
            if setgroups(joined.count, joined) == 0 {
                report.notices.append("uds_group \(groupName): joined group \(group)")
            } else {
                report.warnings.append(
                    "uds_group \(groupName): cannot join group \(group) (\(String(cString: strerror(errno)))); "
                        + "the read-write socket's group can then not be set")
            }
        }
        let runtime = runtimeCapabilities(settings)
        let wanted = switching == nil ? runtime : CapabilitySet(bits: runtime.bits | startupCapabilities.bits)
        let before = ProcessCapabilities.read("CapPrm") ?? CapabilitySet(bits: 0)
        do {
            let outcome = try ProcessCapabilities.limit(to: wanted)
            let held = ProcessCapabilities.union("CapPrm")
            let kept = ProcessCapabilities.read("CapEff") ?? held
            if outcome.unconfirmed > 0 || held.bits & ~wanted.bits != 0 {
                report.warnings.append(
                    "capabilities: \(outcome.unconfirmed) of \(outcome.threads) thread(s) did not drop theirs; held: \(held)")
            } else {
                report.notices.append(
                    "capabilities: kept \(kept) in \(outcome.threads) thread(s); dropped every other (had \(before))")
            }
            if let switching {
                report.notices.append(
                    "user \(switching.name): until the switch after start-up, also keeping \(startupCapabilities.intersection(kept))"
                )
            }
            let missing = CapabilitySet(bits: wanted.bits & ~kept.bits)
            if !missing.isEmpty {
                report.warnings.append(
                    "capabilities: started without \(missing); opening a port or steering the clock may fail")
            }
        } catch {
            report.warnings.append("capabilities: could not limit them (\(error)); running with \(before)")
        }
        return report
    }

    /// `user`: switches every thread to the user, its groups and `uds_group`, keeping only
    /// ``runtimeCapabilities(_:)``; call it once everything that needs root is open, before the instance runs.
    /// Returns the log lines; throws when the user cannot be had (exit 2: not started as root) or when a thread
    /// still runs as another user afterwards (exit 1: meridiand does not run half switched).
    static func switchUser(_ configuration: Configuration) throws -> [String] {
        let name = configuration.string("user")
        guard !name.isEmpty else { return [] }
        guard let user = UnixUser.lookup(name) else {
            throw StartupError("user \(name): no such user", exit: .usage)
        }
        guard userToSwitchTo(configuration) != nil else {
            return ["user \(user.name): already running as uid \(user.uid); nothing to switch"]
        }
        var groups = UnixUser.groups(of: user)
        let groupName = configuration.string("uds_group")
        if !groupName.isEmpty, let group = UnixGroup.id(groupName), !groups.contains(group) { groups.append(group) }
        let keep = runtimeCapabilities(DaemonSettings(configuration))
        let outcome: ProcessCapabilities.Outcome
        do {
            outcome = try ProcessCapabilities.switchUser(uid: user.uid, gid: user.gid, groups: groups, keep: keep)
        } catch {
            let code = errno
            throw StartupError(
                "user \(user.name): cannot switch to uid \(user.uid) gid \(user.gid): \(error) (start meridiand as root "
                    + "to use `user`)", exit: code == EPERM ? .usage : .failure)
        }
        // Every thread, as the kernel shows it: real, effective, saved and filesystem ids all the user's.
        let uids = ProcessCapabilities.threadIDs("Uid")
        let gids = ProcessCapabilities.threadIDs("Gid")
        let strays = Set(uids.filter { $0.value.contains { $0 != user.uid } }.keys)
            .union(gids.filter { $0.value.contains { $0 != user.gid } }.keys)
        let held = ProcessCapabilities.union("CapPrm")
        guard strays.isEmpty, uids.count > 0, held.bits & ~keep.bits == 0 else {
            throw StartupError(
                "user \(user.name): \(strays.count) of \(uids.count) thread(s) still run as another user or group "
                    + "(threads \(strays.sorted())), permitted capabilities \(held); not running half switched")
        }
        var lines = [
            "user \(user.name): every thread (\(uids.count)) now runs as uid \(user.uid) gid \(user.gid) groups "
                + "\(groups.map(String.init).joined(separator: ",")); capabilities kept for run time and a fault reset's "
                + "reopen: \(ProcessCapabilities.union("CapEff"))"
        ]
        if outcome.unconfirmed > 0 {
            lines.append(
                "user \(user.name): \(outcome.unconfirmed) thread(s) did not confirm the switch in time (all checked since)")
        }
        return lines
    }
}

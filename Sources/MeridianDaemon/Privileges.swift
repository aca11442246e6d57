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
        if !groupName.isEmpty, let group = UnixGroup.id(groupName), !UnixGroup.isMember(group) {
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
        let wanted = runtimeCapabilities(settings)
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
}

import Foundation
import LinuxPlatform
import MeridianLab

/// One Ethernet segment: a bridge in its own namespace and any number of hosts, each in a namespace
/// with one veth into the bridge. Removed by ``remove()``.
struct SegmentLab: Sendable {
    let bridgeNamespace: String
    let hosts: [(namespace: String, interface: String)]

    /// - Parameter forwardLinkLocal: the bridge forwards frames to 01-80-C2-00-00-0E (its `group_fwd_mask`
    ///   bit 14), which a Linux bridge otherwise keeps: G.8275.1 sends everything there (`ptp_dst_mac`).
    static func create(hosts count: Int, subnet: UInt8, forwardLinkLocal: Bool = false) throws -> SegmentLab {
        let id = "\(getpid() % 100_000)s\(subnet)"
        let bridge = "mseg-\(id)-sw"
        var hosts: [(String, String)] = []
        for i in 0..<count { hosts.append(("mseg-\(id)-h\(i)", "sh\(i)\(id)")) }
        let lab = SegmentLab(bridgeNamespace: bridge, hosts: hosts)
        do {
            try LabCommand.run("ip", ["netns", "add", bridge])
            try LabCommand.run("ip", ["-n", bridge, "link", "add", "br0", "type", "bridge"])
            // No STP delay, no multicast snooping: every frame reaches every host at once.
            try LabCommand.run(
                "ip", ["-n", bridge, "link", "set", "br0", "type", "bridge", "forward_delay", "0", "mcast_snooping", "0"])
            if forwardLinkLocal {
                try LabCommand.run("ip", ["-n", bridge, "link", "set", "br0", "type", "bridge", "group_fwd_mask", "0x4000"])
            }
            try LabCommand.run("ip", ["-n", bridge, "link", "set", "br0", "up"])
            for (i, host) in hosts.enumerated() {
                try LabCommand.run("ip", ["netns", "add", host.0])
                try LabCommand.run("ip", ["-n", host.0, "link", "set", "lo", "up"])
                let port = "sp\(i)\(id)"
                try LabCommand.run(
                    "ip", ["link", "add", host.1, "netns", host.0, "type", "veth", "peer", "name", port, "netns", bridge])
                try LabCommand.run("ip", ["-n", bridge, "link", "set", port, "master", "br0"])
                try LabCommand.run("ip", ["-n", bridge, "link", "set", port, "up"])
                try LabCommand.run("ip", ["-n", host.0, "addr", "add", "10.87.\(subnet).\(i + 1)/24", "dev", host.1])
                try LabCommand.run("ip", ["-n", host.0, "link", "set", host.1, "up"])
            }
        } catch {
            lab.remove()
            throw error
        }
        return lab
    }

    func remove() {
        for ns in hosts.map(\.namespace) + [bridgeNamespace] {
            if let pids = try? LabCommand.run("ip", ["netns", "pids", ns]) {
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? LabCommand.run("ip", ["netns", "del", ns])
        }
    }
}

/// Three hosts on one segment, a scratch directory for files and logs, and a slave_event_monitor socket
/// for a ptp4l slave: what the failover tests share. ``tearDown()`` removes everything.
struct SegmentRig {
    let segment: SegmentLab
    let files: InteropLab
    let monitor: SlaveEventMonitor

    init(subnet: UInt8) throws {
        segment = try SegmentLab.create(hosts: 3, subnet: subnet)
        do {
            files = try InteropLab()
            monitor = try SlaveEventMonitor(path: files.file("sem.sock").path)
        } catch {
            segment.remove()
            throw error
        }
    }

    var hosts: [(namespace: String, interface: String)] { segment.hosts }

    func tearDown() {
        monitor.stop()
        files.tearDown()
        segment.remove()
    }
}

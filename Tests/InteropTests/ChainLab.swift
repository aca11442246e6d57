import Foundation
import LinuxPlatform
import MeridianLab

/// Three namespaces in a line, A — B — C, joined by two veth pairs: a grandmaster, a boundary clock
/// with two ports, and an end slave. Removed by ``remove()``.
struct ChainLab: Sendable {
    let a: String
    let b: String
    let c: String
    /// Interfaces: A's, B's toward A, B's toward C, C's.
    let aInterface: String
    let bUpstream: String
    let bDownstream: String
    let cInterface: String

    /// `subnet` names the lab within this process (with the process ID): each suite that builds chains passes
    /// its own offset (PTP4lInteropTests 1, JBODInteropTests 30, TransparentClockInteropTests 40 and 50), so
    /// suites run in one test process never make the same namespace.
    static func create(subnet: UInt8) throws -> ChainLab {
        let id = "\(getpid() % 100_000)c\(subnet)"
        let lab = ChainLab(
            a: "mchain-\(id)-a", b: "mchain-\(id)-b", c: "mchain-\(id)-c",
            aInterface: "ca\(id)", bUpstream: "cbu\(id)", bDownstream: "cbd\(id)", cInterface: "cc\(id)")
        do {
            for ns in [lab.a, lab.b, lab.c] {
                try LabCommand.run("ip", ["netns", "add", ns])
                try LabCommand.run("ip", ["-n", ns, "link", "set", "lo", "up"])
                // No duplicate-address detection (as VethLab): link-local addresses usable at once, for UDPv6.
                try LabCommand.run(
                    "ip",
                    [
                        "netns", "exec", ns, "sh", "-c",
                        "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
                    ])
            }
            try LabCommand.run(
                "ip",
                ["link", "add", lab.aInterface, "netns", lab.a, "type", "veth", "peer", "name", lab.bUpstream, "netns", lab.b])
            try LabCommand.run(
                "ip",
                ["link", "add", lab.bDownstream, "netns", lab.b, "type", "veth", "peer", "name", lab.cInterface, "netns", lab.c])
            let plan: [(String, String, String)] = [
                (lab.a, lab.aInterface, "10.78.\(subnet).1/24"), (lab.b, lab.bUpstream, "10.78.\(subnet).2/24"),
                (lab.b, lab.bDownstream, "10.79.\(subnet).2/24"), (lab.c, lab.cInterface, "10.79.\(subnet).3/24"),
            ]
            for (index, (ns, interface, address)) in plan.enumerated() {
                try LabCommand.run("ip", ["-n", ns, "addr", "add", address, "dev", interface])
                // Unique-local IPv6 too (fd78:S:L::H, one /64 a link), as a UDPv6 port prefers one.
                let v6 = "fd78:\(subnet):\(index / 2)::\(index % 2 + 1)/64"
                try LabCommand.run("ip", ["-n", ns, "-6", "addr", "add", v6, "dev", interface, "nodad"])
                try LabCommand.run("ip", ["-n", ns, "link", "set", interface, "up"])
            }
            try lab.waitUntilReady()
        } catch {
            lab.remove()
            throw error
        }
        return lab
    }

    /// Waits (at most 5 s) until every interface has IPv6 multicast routing: the kernel installs it only
    /// once it has seen the veth's carrier, and a UDPv6 packet sent before that is dropped.
    func waitUntilReady() throws {
        let ends = [(a, aInterface), (b, bUpstream), (b, bDownstream), (c, cInterface)]
        for _ in 0..<250 {
            let ready = try ends.allSatisfy { ns, interface in
                try LabCommand.run("ip", ["-n", ns, "-6", "route", "show", "table", "local", "dev", interface]).contains(
                    "ff00::/8")
            }
            if ready { return }
            usleep(20_000)
        }
        throw LabCommand.Failure("chain \(a): IPv6 not configured after 5 s")
    }

    func remove() {
        for ns in [a, b, c] {
            if let pids = try? LabCommand.run("ip", ["netns", "pids", ns]) {
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? LabCommand.run("ip", ["netns", "del", ns])
        }
    }
}

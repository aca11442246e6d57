import Foundation
import LinuxPlatform

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

    static func create(subnet: UInt8) throws -> ChainLab {
        let id = "\(getpid() % 100_000)c\(subnet)"
        let lab = ChainLab(
            a: "mchain-\(id)-a", b: "mchain-\(id)-b", c: "mchain-\(id)-c",
            aInterface: "ca\(id)", bUpstream: "cbu\(id)", bDownstream: "cbd\(id)", cInterface: "cc\(id)")
        do {
            for ns in [lab.a, lab.b, lab.c] {
                try LabCommand.run("ip", ["netns", "add", ns])
                try LabCommand.run("ip", ["-n", ns, "link", "set", "lo", "up"])
            }
            try LabCommand.run("ip", ["link", "add", lab.aInterface, "netns", lab.a, "type", "veth", "peer", "name", lab.bUpstream, "netns", lab.b])
            try LabCommand.run("ip", ["link", "add", lab.bDownstream, "netns", lab.b, "type", "veth", "peer", "name", lab.cInterface, "netns", lab.c])
            let plan: [(String, String, String)] = [
                (lab.a, lab.aInterface, "10.78.\(subnet).1/24"), (lab.b, lab.bUpstream, "10.78.\(subnet).2/24"),
                (lab.b, lab.bDownstream, "10.79.\(subnet).2/24"), (lab.c, lab.cInterface, "10.79.\(subnet).3/24"),
            ]
            for (ns, interface, address) in plan {
                try LabCommand.run("ip", ["-n", ns, "addr", "add", address, "dev", interface])
                try LabCommand.run("ip", ["-n", ns, "link", "set", interface, "up"])
            }
        } catch {
            lab.remove()
            throw error
        }
        return lab
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

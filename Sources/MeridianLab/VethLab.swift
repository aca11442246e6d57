import Glibc
import LinuxPlatform
import Synchronization

/// Two network namespaces joined by a veth pair, with IPv4 and IPv6 addresses: the lab that tests and
/// benchmarks run real PTP sockets over (software timestamps work on veth).
///
/// Names include the process id and a counter, so parallel tests never collide. Call ``remove()`` when done
/// (deleting the namespaces deletes the veth pair); ``create(subnet:)`` cleans up after itself if it fails.
public struct VethLab: Sendable {
    public struct Side: Sendable, Hashable {
        /// The network namespace (for ``NetworkNamespace/withNamespace(_:_:)``).
        public var namespace: String
        public var interface: String
        public var ipv4: [UInt8]
        public var ipv6: [UInt8]
    }

    public let a: Side
    public let b: Side

    private static let counter = Atomic<Int>(0)

    /// Creates the namespaces and the pair; addresses 10.77.`subnet`.1/.2 and fd77:0:0:`subnet`::1/::2.
    /// Needs root and `ip` (iproute2); fails with a message saying so when either is missing.
    public static func create(subnet: UInt8? = nil) throws(LabCommand.Failure) -> VethLab {
        guard geteuid() == 0 else {
            throw LabCommand.Failure("a veth lab needs root (network namespaces); run the tests as root")
        }
        let n = counter.add(1, ordering: .relaxed).newValue
        let id = "\(getpid())x\(n)"
        let net = subnet ?? UInt8(truncatingIfNeeded: n % 250 + 1)
        let a = Side(
            namespace: "merid-\(id)-a", interface: "v\(id)a", ipv4: [10, 77, net, 1],
            ipv6: [0xfd, 0x77, 0, 0, 0, 0, 0, net, 0, 0, 0, 0, 0, 0, 0, 1])
        let b = Side(
            namespace: "merid-\(id)-b", interface: "v\(id)b", ipv4: [10, 77, net, 2],
            ipv6: [0xfd, 0x77, 0, 0, 0, 0, 0, net, 0, 0, 0, 0, 0, 0, 0, 2])
        let lab = VethLab(a: a, b: b)
        do {
            try LabCommand.run("ip", ["netns", "add", a.namespace])
            try LabCommand.run("ip", ["netns", "add", b.namespace])
            // No duplicate-address detection: addresses are usable at once, as a lab needs.
            for side in [a, b] {
                try LabCommand.run(
                    "ip",
                    [
                        "netns", "exec", side.namespace, "sh", "-c",
                        "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; "
                            + "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
                    ])
            }
            try LabCommand.run(
                "ip",
                [
                    "link", "add", a.interface, "netns", a.namespace, "type", "veth",
                    "peer", "name", b.interface, "netns", b.namespace,
                ])
            for side in [a, b] {
                let v4 = side.ipv4.map(String.init).joined(separator: ".") + "/24"
                try LabCommand.run("ip", ["-n", side.namespace, "addr", "add", v4, "dev", side.interface])
                try LabCommand.run(
                    "ip",
                    [
                        "-n", side.namespace, "-6", "addr", "add", NetworkInterface.ipv6Text(side.ipv6) + "/64",
                        "dev", side.interface, "nodad",
                    ])
                try LabCommand.run("ip", ["-n", side.namespace, "link", "set", "lo", "up"])
                try LabCommand.run("ip", ["-n", side.namespace, "link", "set", side.interface, "up"])
            }
            try lab.waitUntilReady()
        } catch {
            lab.remove()
            throw error
        }
        return lab
    }

    /// Waits (at most 5 s) until both sides have carrier and IPv6 is configured on them: the kernel applies a
    /// veth's carrier change through linkwatch, up to a second later, and only then installs the IPv6
    /// multicast route; a packet sent before that is dropped as "no route" at the receiver.
    func waitUntilReady() throws(LabCommand.Failure) {
        for _ in 0..<250 {
            var ready = true
            for side in [a, b] {
                let routes = try LabCommand.run(
                    "ip",
                    [
                        "-n", side.namespace, "-6", "route", "show", "table", "local",
                        "dev", side.interface,
                    ])
                ready = ready && routes.contains("ff00::/8")
            }
            if ready { return }
            usleep(20_000)
        }
        throw LabCommand.Failure("veth \(a.interface)/\(b.interface): IPv6 not configured after 5 s")
    }

    /// Deletes both namespaces (and with them the veth pair). Safe to call more than once.
    public func remove() {
        for side in [a, b] {
            _ = try? LabCommand.run("ip", ["netns", "del", side.namespace])
        }
    }

    /// Sets one side's interface down or up (`ip link set`).
    public func setLink(_ side: Side, up: Bool) throws(LabCommand.Failure) {
        try LabCommand.run("ip", ["-n", side.namespace, "link", "set", side.interface, up ? "up" : "down"])
    }
}

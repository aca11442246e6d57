import Foundation
import LinuxPlatform
import Testing

/// Least privilege (issue #17), with the real programs: meridiand never takes over a live ptp4l's management
/// socket; started as an unprivileged user with the systemd unit's capabilities it serves a ptp4l slave,
/// answers pmc for a member of `uds_group` (and nobody else on the read-write socket), and keeps only the
/// capabilities it needs in every one of its threads; started as root it gives up the rest the same way.
struct PrivilegeTests {
    static let unitPath = InteropLab.repositoryRoot.appendingPathComponent("deploy/systemd/meridiand.service").path

    /// The values of `key=` lines in deploy/systemd/meridiand.service.
    static func unitValues(_ key: String) -> [String] {
        let text = (try? String(contentsOfFile: unitPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// The capabilities the unit gives (AmbientCapabilities=), as setpriv spells them: `net_raw,sys_time`.
    static var unitCapabilities: String {
        unitValues("AmbientCapabilities").flatMap { $0.split(separator: " ") }
            .map { $0.lowercased().replacingOccurrences(of: "cap_", with: "") }.joined(separator: ",")
    }

    /// The unit runs meridiand as the user meridian with the four capabilities a PTP daemon may need (the same
    /// bounding set), sandboxed: `systemd-analyze security` rates its exposure at most 3.0 ("OK"; the unit before
    /// issue #17, as root, was 5.1).
    @Test func theUnitIsUnprivilegedAndSandboxed() throws {
        let analyze = try InteropLab.tool("systemd-analyze")
        #expect(Self.unitValues("User") == ["meridian"])
        #expect(Self.unitValues("RuntimeDirectory") == ["meridian"])
        #expect(Self.unitValues("NoNewPrivileges") == ["yes"])
        let capabilities = Set(Self.unitCapabilities.split(separator: ","))
        #expect(capabilities == ["net_bind_service", "net_raw", "net_admin", "sys_time"])
        #expect(Self.unitValues("CapabilityBoundingSet") == Self.unitValues("AmbientCapabilities"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["security", "--offline=yes", "--no-pager", Self.unitPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = text.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let exposure = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        #expect(exposure.map { $0 <= 3.0 } == true, "\(line)")
    }

    /// The meridiand process a `Process` started (`ip netns exec` and setpriv exec it, but look at the
    /// children too in case a wrapper stays).
    static func daemonPID(_ process: Process) -> pid_t {
        let pid = process.processIdentifier
        func comm(_ pid: pid_t) -> String {
            ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
        if comm(pid) == "meridiand" { return pid }
        let children =
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { pid_t($0) }.first { comm($0) == "meridiand" } ?? pid
    }

    /// A directory anyone may create sockets in (the unprivileged daemon's and pmc's).
    static func openDirectory(_ lab: InteropLab) throws -> String {
        let path = lab.file("run").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(chmod(path, 0o777) == 0)
        return path
    }

    @Test func aRunningPtp4lsSocketIsNotTakenOver() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let shared = lab.file("ptp4l.sock").path
        let gm = try lab.write(
            "gm.cfg", "[global]\nfree_running 1\nuds_address \(shared)\n")
        _ = try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        #expect(lab.wait(seconds: 10) { lab.log("gm.log").contains("INITIALIZING to LISTENING") }, "\(lab.log("gm.log"))")
        let conf = try lab.write(
            "m.conf",
            """
            [global]
            clock_device virtual
            time_stamping software
            verbose 1
            use_syslog 0
            uds_address \(shared)
            uds_ro_address \(lab.file("m-ro.sock").path)
            [\(lab.lab.b.interface)]
            """)
        // Unix socket paths are not per network namespace: meridiand in b finds ptp4l's socket from a.
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", conf], log: "m.log")
        #expect(lab.wait(seconds: 10) { !daemon.isRunning }, "meridiand took over a live socket:\n\(lab.log("m.log"))")
        guard !daemon.isRunning else { return }
        #expect(daemon.terminationStatus == 2)
        #expect(lab.log("m.log").contains("\(shared) is in use by a running server"), "\(lab.log("m.log"))")
        // ptp4l still owns its socket and answers on it.
        let answer = lab.run(
            in: lab.lab.a.namespace,
            [pmc, "-u", "-b", "0", "-s", shared, "-i", lab.file("pmc.sock").path, "GET DEFAULT_DATA_SET"])
        #expect(answer.contains("clockIdentity"), "\(answer)")
    }

    @Test func unprivilegedWithTheUnitsCapabilitiesItServesAndKeepsOnlyWhatItNeeds() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let setpriv = try InteropLab.tool("setpriv")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let run = try Self.openDirectory(lab)
        // uds_group `daemon` (gid 1); meridiand runs as nobody (65534) with daemon as a supplementary group, as the
        // unit's User=meridian with SupplementaryGroups= would.
        let rw = "\(run)/m.sock"
        let conf = try lab.write(
            "m.conf",
            """
            [global]
            clock_device virtual
            time_stamping software
            free_running 1
            priority1 100
            logSyncInterval -3
            logAnnounceInterval -2
            announceReceiptTimeout 2
            verbose 1
            use_syslog 0
            uds_address \(rw)
            uds_ro_address \(run)/m-ro.sock
            uds_group daemon
            [\(lab.lab.b.interface)]
            """)
        let caps = Self.unitCapabilities
        let daemon = try lab.start(
            in: lab.lab.b.namespace, setpriv,
            [
                "--reuid=65534", "--regid=65534", "--groups=1",
                "--inh-caps=-all,+\(caps.replacingOccurrences(of: ",", with: ",+"))",
                "--ambient-caps=-all,+\(caps.replacingOccurrences(of: ",", with: ",+"))", meridiand, "-f", conf,
            ], log: "m.log")
        let slave = try lab.write(
            "slave.cfg", "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nuds_address \(lab.file("s.sock").path)\n"
        )
        _ = try lab.start(in: lab.lab.a.namespace, ptp4l, ["-S", "-i", lab.lab.a.interface, "-f", slave, "-m"], log: "s.log")
        // Started: the sockets are bound before the clock identity's line (the capabilities' line comes before any).
        #expect(
            lab.wait(seconds: 10) { lab.log("m.log").contains("capabilities:") && lab.log("m.log").contains("clock identity ") },
            "\(lab.log("m.log"))")
        let pid = Self.daemonPID(daemon)
        // Every thread: effective and permitted hold CAP_NET_BIND_SERVICE only (UDPv4, virtual clock, software
        // stamps), nothing is inheritable or ambient.
        let bindService = CapabilitySet([CapabilitySet.netBindService])
        #expect(ProcessCapabilities.threads(of: pid).count > 1)
        #expect(ProcessCapabilities.union("CapEff", of: pid) == bindService)
        #expect(ProcessCapabilities.union("CapPrm", of: pid) == bindService)
        #expect(ProcessCapabilities.union("CapInh", of: pid).isEmpty)
        #expect(ProcessCapabilities.union("CapAmb", of: pid).isEmpty)
        #expect(lab.log("m.log").contains("capabilities: kept CAP_NET_BIND_SERVICE in"), "\(lab.log("m.log"))")
        // The read-write socket: the daemon's user, uds_group, 0660.
        var info = stat()
        #expect(lstat(rw, &info) == 0)
        #expect(info.st_uid == 65534 && info.st_gid == 1 && info.st_mode & 0o777 == 0o660, "\(info.st_uid) \(info.st_gid)")
        // The ptp4l slave (free-running: it measures, never steers) follows it: meridiand is its grandmaster and its
        // delay requests are answered (a mean path delay of a veth: above 0, below 1 ms).
        let identity = InteropLab.identity(lab.log("m.log"), "clock identity ") ?? "?"
        var current = ""
        let following = lab.wait(seconds: 10) {
            current = lab.run(
                in: lab.lab.a.namespace,
                [pmc, "-u", "-b", "0", "-s", lab.file("s.sock").path, "GET TIME_STATUS_NP", "GET CURRENT_DATA_SET"])
            let delay = InteropLab.field(current, "meanPathDelay").flatMap(Double.init) ?? 0
            return InteropLab.field(current, "gmIdentity") == identity && delay > 0 && delay < 1e6
        }
        #expect(following, "\(current)\n\(lab.log("s.log").suffix(1500))\n\(lab.log("m.log").suffix(1500))")
        // pmc as a member of uds_group (uid 1, group daemon) reads and sets; a user outside it gets nothing there.
        let member = lab.run(
            in: lab.lab.b.namespace,
            [
                setpriv, "--reuid=1", "--regid=1", "--clear-groups", pmc, "-u", "-b", "0", "-s", rw, "-i",
                "\(run)/pmc-member.sock",
                "SET PRIORITY2 99", "GET PRIORITY2",
            ])
        #expect(member.contains("RESPONSE MANAGEMENT PRIORITY2"), "\(member)")
        #expect(InteropLab.field(member, "priority2") == "99", "\(member)")
        let outsider = lab.run(
            in: lab.lab.b.namespace,
            [
                setpriv, "--reuid=2", "--regid=65534", "--clear-groups", pmc, "-u", "-b", "0", "-s", rw, "-i",
                "\(run)/pmc-outsider.sock", "GET PRIORITY2",
            ])
        #expect(!outsider.contains("RESPONSE"), "\(outsider)")
        // …while the read-only socket (0666) answers that same user: the silence above is the group's doing.
        let reader = lab.run(
            in: lab.lab.b.namespace,
            [
                setpriv, "--reuid=2", "--regid=65534", "--clear-groups", pmc, "-u", "-b", "0", "-s", "\(run)/m-ro.sock", "-i",
                "\(run)/pmc-reader.sock", "GET PRIORITY2",
            ])
        #expect(InteropLab.field(reader, "priority2") == "99", "\(reader)")
        #expect(daemon.isRunning)
        #expect(lab.stop(daemon) == 0, "\(lab.log("m.log").suffix(1500))")
    }

    @Test func asRootItDropsEveryCapabilityItDoesNotNeed() throws {
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let conf = try lab.meridianConfig("m", interface: lab.lab.b.interface, "free_running 1")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", conf], log: "m.log")
        #expect(lab.wait(seconds: 10) { lab.log("m.log").contains("capabilities:") }, "\(lab.log("m.log"))")
        let pid = Self.daemonPID(daemon)
        let bindService = CapabilitySet([CapabilitySet.netBindService])
        // Root starts with every capability and CAP_SETPCAP, so the bounding set goes too.
        #expect(ProcessCapabilities.union("CapEff", of: pid) == bindService)
        #expect(ProcessCapabilities.union("CapPrm", of: pid) == bindService)
        #expect(ProcessCapabilities.union("CapBnd", of: pid) == bindService)
        #expect(ProcessCapabilities.union("CapAmb", of: pid).isEmpty)
        #expect(lab.log("m.log").contains("capabilities: kept CAP_NET_BIND_SERVICE in"), "\(lab.log("m.log"))")
        #expect(lab.wait(seconds: 5) { lab.log("m.log").contains("INITIALIZING to LISTENING") })
        #expect(lab.stop(daemon) == 0, "\(lab.log("m.log").suffix(1500))")
    }

    /// `user` (issue #17): started as root, meridiand opens its port and sockets, then every thread switches to
    /// nobody (uid 65534) with its group and `uds_group` daemon (gid 1), keeping only what reopening its port takes
    /// (virtual clock, software stamps: a real clock would add CAP_SYS_TIME, hardware stamps CAP_NET_ADMIN): over
    /// UDPv4 CAP_NET_BIND_SERVICE (319 and 320), over IEEE 802.3 CAP_NET_RAW (a packet socket). It serves a ptp4l
    /// slave and answers pmc for a member of uds_group; and a fault reset after a link loss still reopens the
    /// port's transport as nobody.
    @Test(arguments: ["UDPv4", "L2"])
    func asRootWithUserItSwitchesAfterOpeningAndAResetStillReopens(_ transport: String) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let pmc = try InteropLab.tool("pmc")
        let setpriv = try InteropLab.tool("setpriv")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let run = try Self.openDirectory(lab)
        let rw = "\(run)/m.sock"
        let conf = try lab.write(
            "m.conf",
            """
            [global]
            clock_device virtual
            time_stamping software
            free_running 1
            priority1 100
            logSyncInterval -3
            logAnnounceInterval -2
            announceReceiptTimeout 2
            fault_reset_interval 0
            network_transport \(transport)
            verbose 1
            use_syslog 0
            uds_address \(rw)
            uds_ro_address \(run)/m-ro.sock
            uds_group daemon
            user nobody
            [\(lab.lab.b.interface)]
            """)
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", conf], log: "m.log")
        let slave = try lab.write(
            "slave.cfg",
            "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nfault_reset_interval 0\n"
                + "uds_address \(lab.file("s.sock").path)\n")
        _ = try lab.start(
            in: lab.lab.a.namespace, ptp4l,
            ["-S", "-i", lab.lab.a.interface, "-f", slave, "-m"] + (transport == "L2" ? ["-2"] : []), log: "s.log")
        #expect(
            lab.wait(seconds: 10) {
                lab.log("m.log").contains("user nobody: every thread") && lab.log("m.log").contains("clock identity ")
            }, "\(lab.log("m.log"))")
        let pid = Self.daemonPID(daemon)
        // Every thread, the main one (/proc/PID/status) among them: uid and gid nobody's in all four slots, groups
        // nogroup and daemon, the transport's one capability alone in effective, permitted and bounding sets.
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        #expect(status.contains("Uid:\t65534\t65534\t65534\t65534"), "\(status)")
        #expect(status.contains("Gid:\t65534\t65534\t65534\t65534"), "\(status)")
        let uids = ProcessCapabilities.threadIDs("Uid", of: pid)
        let gids = ProcessCapabilities.threadIDs("Gid", of: pid)
        #expect(uids.count > 1)
        #expect(uids.values.allSatisfy { $0 == [65534, 65534, 65534, 65534] }, "\(uids)")
        #expect(gids.values.allSatisfy { $0 == [65534, 65534, 65534, 65534] }, "\(gids)")
        let groups = status.split(separator: "\n").first { $0.hasPrefix("Groups:") }.map {
            Set($0.dropFirst(7).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        }
        #expect(groups == ["1", "65534"], "\(status)")
        let kept = CapabilitySet([transport == "L2" ? CapabilitySet.netRaw : CapabilitySet.netBindService])
        #expect(ProcessCapabilities.union("CapEff", of: pid) == kept)
        #expect(ProcessCapabilities.union("CapPrm", of: pid) == kept)
        #expect(ProcessCapabilities.union("CapBnd", of: pid) == kept)
        #expect(ProcessCapabilities.union("CapInh", of: pid).isEmpty)
        #expect(ProcessCapabilities.union("CapAmb", of: pid).isEmpty)
        // The sockets were made as root and given to nobody (the user may remove them), the read-write one to group
        // daemon, 0660.
        var info = stat()
        #expect(lstat(rw, &info) == 0)
        #expect(info.st_uid == 65534 && info.st_gid == 1 && info.st_mode & 0o777 == 0o660, "\(info.st_uid) \(info.st_gid)")
        let identity = InteropLab.identity(lab.log("m.log"), "clock identity ") ?? "?"
        func follows() -> (Bool, String) {
            var current = ""
            let following = lab.wait(seconds: 15) {
                current = lab.run(
                    in: lab.lab.a.namespace,
                    [pmc, "-u", "-b", "0", "-s", lab.file("s.sock").path, "GET TIME_STATUS_NP", "GET CURRENT_DATA_SET"])
                let delay = InteropLab.field(current, "meanPathDelay").flatMap(Double.init) ?? 0
                return InteropLab.field(current, "gmIdentity") == identity && delay > 0 && delay < 1e6
            }
            return (following, current)
        }
        let (following, current) = follows()
        #expect(following, "\(current)\n\(lab.log("s.log").suffix(1500))\n\(lab.log("m.log").suffix(1500))")
        // pmc as a member of uds_group (uid 1, group daemon) reads and sets.
        let member = lab.run(
            in: lab.lab.b.namespace,
            [
                setpriv, "--reuid=1", "--regid=1", "--clear-groups", pmc, "-u", "-b", "0", "-s", rw, "-i",
                "\(run)/pmc-member.sock", "SET PRIORITY2 99", "GET PRIORITY2",
            ])
        #expect(InteropLab.field(member, "priority2") == "99", "\(member)")
        // The link goes down for 3 s: the port is FAULTY, and after fault_reset_interval (2^0 = 1 s) its transport is
        // reopened as nobody; with the link back, the slave follows again.
        _ = lab.run(in: lab.lab.b.namespace, ["ip", "link", "set", "dev", lab.lab.b.interface, "down"])
        let reopened = lab.wait(seconds: 3) { lab.log("m.log").contains("fault reset: transport reopened") }
        _ = lab.run(in: lab.lab.b.namespace, ["ip", "link", "set", "dev", lab.lab.b.interface, "up"])
        #expect(reopened, "\(lab.log("m.log").suffix(2000))")
        #expect(!lab.log("m.log").contains("cannot reopen"), "\(lab.log("m.log").suffix(2000))")
        let (again, after) = follows()
        #expect(again, "\(after)\n\(lab.log("s.log").suffix(1500))\n\(lab.log("m.log").suffix(1500))")
        #expect(ProcessCapabilities.union("CapEff", of: pid) == kept)
        #expect(daemon.isRunning)
        #expect(lab.stop(daemon) == 0, "\(lab.log("m.log").suffix(1500))")
    }
}

import Foundation
import LinuxPlatform
import MeridianLab
import MeridianTestSupport
import PTPCore
import Testing

/// The whole daemon against linuxptp's pmc and ptp4l: every field pmc prints equals what meridianctl
/// --json reads, PORT_DATA_SET_NP equals ptp4l's for the same configuration, and every refusal carries
/// the error id ptp4l answers for the same bytes.
@Suite(.serialized)
struct ManagementParityTests {
    /// A JSON value of `meridianctl --json` (the data object is flat).
    enum JSONValue: Decodable {
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Bool.self) {
                self = .bool(v)
            } else if let v = try? c.decode(Int64.self) {
                self = .int(v)
            } else if let v = try? c.decode(Double.self) {
                self = .double(v)
            } else {
                self = .string(try c.decode(String.self))
            }
        }

        /// The number pmc's text means, for numeric JSON values: decimal, `0x` hex, or a flag.
        static func number(_ text: String) -> Double? {
            if text.hasPrefix("0x"), let v = UInt64(text.dropFirst(2), radix: 16) { return Double(v) }
            return Double(text)
        }

        var number: Double? {
            switch self {
            case .bool(let v): v ? 1 : 0
            case .int(let v): Double(v)
            case .double(let v): v
            case .string: nil
            }
        }

        /// Whether pmc printed `text` for this value.
        func equals(_ text: String) -> Bool {
            if case .string(let s) = self { return s == text }
            return number == Self.number(text)
        }
    }

    struct CtlReply: Decodable {
        var source: String
        var action: String
        var managementId: String
        var data: [String: JSONValue]?
    }

    /// Fields that change between two reads of a running slave a few hundred ms apart, and how they
    /// are compared instead of by equality (`pmc` reads first, then meridianctl):
    /// - offsetFromMaster, meanPathDelay, master_offset: a new Sync may land in between; within
    ///   100 µs of each other (the servo is locked to a few µs here).
    /// - ingress_time: the later read is not older, and at most 5 s newer.
    /// - PORT_STATS_NP counters: never smaller in the later read, at most 20 more.
    static func agrees(_ id: String, _ name: String, pmc: String, ctl: JSONValue) -> Bool {
        guard let earlier = JSONValue.number(pmc), let later = ctl.number else { return ctl.equals(pmc) }
        switch (id, name) {
        case ("CURRENT_DATA_SET", "offsetFromMaster"), ("CURRENT_DATA_SET", "meanPathDelay"),
            ("TIME_STATUS_NP", "master_offset"):
            return abs(later - earlier) <= 100_000
        case ("TIME_STATUS_NP", "ingress_time"):
            return later >= earlier && later - earlier <= 5e9
        case ("PORT_STATS_NP", _):
            return later >= earlier && later - earlier <= 20
        default:
            return ctl.equals(pmc)
        }
    }

    @Test func everyGetPMCPrintsEqualsMeridianctlFieldByFieldInOneBatch() throws {
        let pmc = try InteropLab.tool("pmc")
        let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        // neighborPropDelayThresh on both: PORT_DATA_SET_NP must carry the configured value, not 20000000.
        guard
            let running = try lab.startMeridianFollowingPTP4l(
                portConfig: "neighborPropDelayThresh 777000", ptp4lConfig: "neighborPropDelayThresh 777000")
        else { return }
        // portState is compared by equality: read once the servo has locked (UNCALIBRATED to SLAVE).
        #expect(lab.wait(seconds: 20) { lab.log("m.log").contains("to SLAVE") }, "\(lab.log("m.log").suffix(1500))")
        let gets = ManagementDaemonTests.gets
        let started = Date()
        let printed = lab.run(in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", running.socket] + gets.map { "GET \($0)" })
        let batchSeconds = Date().timeIntervalSince(started)
        let json = lab.run(
            in: lab.lab.b.namespace, [meridianctl, "-u", "-s", running.socket, "--json"] + gets.map { "GET \($0)" })

        // One pmc call, all 28 GETs: every one answered (pmc prints NULL_MANAGEMENT's header only).
        let replies = PMCReply.parse(printed)
        #expect(replies.map(\.managementID) == gets, "pmc batch of \(gets.count) GETs in \(batchSeconds) s:\n\(printed)")
        let ctl = try JSONDecoder().decode([CtlReply].self, from: Data(json.utf8))
        #expect(ctl.map(\.managementId) == gets, "\(json)")
        for reply in replies {
            guard let other = ctl.first(where: { $0.managementId == reply.managementID }) else { continue }
            #expect(other.source == reply.source && other.action == reply.action, "\(reply.managementID)")
            let data = other.data ?? [:]
            #expect(Set(data.keys) == Set(reply.fields.map(\.name)), "\(reply.managementID): field names differ")
            for (name, value) in reply.fields {
                let theirs = try #require(data[name], "\(reply.managementID).\(name) missing from --json")
                #expect(
                    Self.agrees(reply.managementID, name, pmc: value, ctl: theirs),
                    "\(reply.managementID).\(name): pmc \(value), meridianctl \(theirs)")
            }
        }

        // CLOCK_DESCRIPTION names the port's own interface, as ptp4l's does: its MAC and its IPv4 address.
        let description = replies.first { $0.managementID == "CLOCK_DESCRIPTION" }?.fields ?? []
        let address = lab.lab.b.ipv4.map(String.init).joined(separator: ".")
        #expect(description.first { $0.name == "protocolAddress" }?.value == "1 \(address)", "\(description)")
        #expect(description.first { $0.name == "physicalAddress" }?.value.count == 17, "\(description)")

        // PORT_DATA_SET_NP from live state, equal to what ptp4l answers for the same port options:
        // the configured threshold, and asCapable 1 once the port heard an Announce.
        let ours = PMCReply.parse(
            lab.run(in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", running.socket, "GET PORT_DATA_SET_NP"]))
        let ptp4l = PMCReply.parse(
            lab.run(in: lab.lab.a.namespace, [pmc, "-u", "-b", "0", "-s", running.ptp4lSocket, "GET PORT_DATA_SET_NP"]))
        #expect(ours.first?.fields.map(\.value) == ["777000", "1"], "\(ours.first?.fields ?? [])")
        #expect(ours.first?.fields.map(\.value) == ptp4l.first?.fields.map(\.value), "ptp4l: \(ptp4l.first?.fields ?? [])")

        // pmc's default boundary hops (1): meridiand answers and also forwards the request out of its PTP port, and
        // the ptp4l clock's answer comes back through it to pmc (15.3.3, as ptp4l's clock_forward_mgmt_msg does for
        // its own pmc). Both clocks' DEFAULT_DATA_SET in one call, each from its own identity.
        let own = PMCReply.parse(
            lab.run(in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", running.socket, "GET DEFAULT_DATA_SET"]))
        let neighbour = PMCReply.parse(
            lab.run(in: lab.lab.a.namespace, [pmc, "-u", "-b", "0", "-s", running.ptp4lSocket, "GET DEFAULT_DATA_SET"]))
        let forwarded = lab.run(in: lab.lab.b.namespace, [pmc, "-u", "-b", "1", "-s", running.socket, "GET DEFAULT_DATA_SET"])
        // A reply's source is the answering port: port 0 through a clock's own socket, port 1 from the network.
        func clock(_ source: String) -> Substring { source.prefix { $0 != "-" } }
        let clocks = Set(PMCReply.parse(forwarded).map { clock($0.source) })
        let expected = Set([own.first?.source, neighbour.first?.source].compactMap { $0.map(clock) })
        #expect(expected.count == 2 && clocks == expected, "pmc -b 1 through meridiand:\n\(forwarded)")
    }

    /// What ptp4l 3.1.1 answered (measured with raw requests on its Unix socket, one port, E2E):
    /// - SET DEFAULT_DATA_SET / CURRENT_DATA_SET / SLAVE_ONLY / TIME_STATUS_NP / PORT_DATA_SET with a
    ///   full dataField: NOT_SUPPORTED (0x0006) — a GET-only ID is not "NOT_SETABLE" in ptp4l;
    /// - SET with an empty dataField (DEFAULT_DATA_SET, PRIORITY1, TIME_STATUS_NP, PORT_STATS_NP,
    ///   ENABLE_PORT): WRONG_LENGTH (0x0003);
    /// - COMMAND DEFAULT_DATA_SET, PORT_DATA_SET, CLOCK_DESCRIPTION, NULL_MANAGEMENT, FAULT_LOG:
    ///   NOT_SUPPORTED in an ACKNOWLEDGE; SET NULL_MANAGEMENT: NOT_SUPPORTED;
    /// - GET/SET/COMMAND of an unknown ID (0x7777, 0x3FFF, 0xC0FF): NO_SUCH_ID (0x0002), from the port;
    /// - COMMAND PORT_DATA_SET_NP (a port _NP ID): NO_SUCH_ID;
    /// - GET INITIALIZE, UTC_PROPERTIES, PATH_TRACE_LIST, ENABLE_PORT: NOT_SUPPORTED;
    /// - RESPONSE or ACKNOWLEDGE actions, reserved action 5, another domainNumber: no answer.
    /// Where Meridian knowingly differs (not compared here): a dataField shorter than the ID's data or of
    /// odd length, or a TLV lengthField beyond the message — ptp4l drops it silently, Meridian answers
    /// WRONG_LENGTH; a longer dataField (SET PRIORITY1 with 4 octets) — ptp4l applies it, Meridian
    /// answers WRONG_LENGTH; SET DOMAIN/USER_DESCRIPTION and COMMAND ENABLE_PORT/DISABLE_PORT — ptp4l
    /// 3.1 answers NOT_SUPPORTED, Meridian carries them out. SET PORT_DATA_SET_NP is answered by both
    /// with the new data (ptp4l takes neighborPropDelayThresh from it, not asCapable).
    static let sameAnswers: [(name: String, action: UInt8, id: UInt16, dataOctets: Int)] = {
        let (get, set, command) = (ManagementProbe.get, ManagementProbe.set, ManagementProbe.command)
        return [
            ("SET DEFAULT_DATA_SET", set, 0x2000, 20), ("SET CURRENT_DATA_SET", set, 0x2001, 18),
            ("SET DEFAULT_DATA_SET empty", set, 0x2000, 0), ("SET PRIORITY1 empty", set, 0x2005, 0),
            ("SET SLAVE_ONLY", set, 0x2008, 2), ("SET TIME_STATUS_NP", set, 0xC000, 50),
            ("SET TIME_STATUS_NP empty", set, 0xC000, 0), ("SET PORT_STATS_NP empty", set, 0xC005, 0),
            ("SET PORT_DATA_SET", set, 0x2004, 26), ("SET NULL_MANAGEMENT", set, 0x0000, 0),
            ("SET ENABLE_PORT empty", set, 0x200D, 0), ("COMMAND DEFAULT_DATA_SET", command, 0x2000, 0),
            ("COMMAND PORT_DATA_SET", command, 0x2004, 0), ("COMMAND CLOCK_DESCRIPTION", command, 0x0001, 0),
            ("COMMAND NULL_MANAGEMENT", command, 0x0000, 0), ("COMMAND FAULT_LOG", command, 0x0006, 0),
            ("COMMAND PORT_DATA_SET_NP", command, 0xC002, 0), ("GET 0x7777", get, 0x7777, 0),
            ("GET 0x3FFF", get, 0x3FFF, 0), ("GET 0xC0FF", get, 0xC0FF, 0), ("SET 0x7777", set, 0x7777, 2),
            ("COMMAND 0x7777", command, 0x7777, 0), ("GET INITIALIZE", get, 0x0005, 0),
            ("GET UTC_PROPERTIES", get, 0x2011, 0), ("GET PATH_TRACE_LIST", get, 0x2015, 0),
            ("GET ENABLE_PORT", get, 0x200D, 0), ("RESPONSE action", ManagementProbe.response, 0x2000, 0),
            ("ACKNOWLEDGE action", ManagementProbe.acknowledge, 0x2000, 0), ("reserved action 5", 5, 0x2000, 0),
            ("GET DEFAULT_DATA_SET", get, 0x2000, 0), ("SET PORT_DATA_SET_NP", set, 0xC002, 8),
        ]
    }()

    @Test func everyRefusalCarriesTheErrorIdPTP4lAnswers() throws {
        let lab = try InteropLab()
        defer { lab.tearDown() }
        guard let running = try lab.startMeridianFollowingPTP4l() else { return }
        let probe = try ManagementProbe(path: lab.file("probe.sock").path)
        defer { probe.socket.close() }
        var requests = Self.sameAnswers.map {
            (
                $0.name,
                ManagementProbe.request(
                    action: $0.action, id: $0.id, data: .init(repeating: $0.dataOctets == 2 ? 1 : 0, count: $0.dataOctets))
            )
        }
        requests.append(("GET in domain 5", ManagementProbe.request(action: ManagementProbe.get, id: 0x2000, domain: 5)))
        for (name, bytes) in requests {
            let ptp4l = probe.ask(running.ptp4lSocket, bytes)
            let meridian = probe.ask(running.socket, bytes)
            #expect(meridian == ptp4l, "\(name): ptp4l \(ptp4l), meridiand \(meridian)")
        }
        // SET PORT_DATA_SET_NP (all zeros, in the table) took effect on both: the threshold is 0 now.
        let pmc = try InteropLab.tool("pmc")
        for (namespace, socket) in [(lab.lab.a.namespace, running.ptp4lSocket), (lab.lab.b.namespace, running.socket)] {
            let answer = lab.run(in: namespace, [pmc, "-u", "-b", "0", "-s", socket, "GET PORT_DATA_SET_NP"])
            #expect(InteropLab.field(answer, "neighborPropDelayThresh") == "0", "\(answer)")
        }
        // The one-line summary of what ptp4l said, for the record.
        let unknown = probe.ask(running.ptp4lSocket, ManagementProbe.request(action: ManagementProbe.get, id: 0x7777))
        #expect(unknown == [.error(action: ManagementProbe.response, errorId: 2, id: 0x7777)], "\(unknown)")
    }
}

/// SUBSCRIBE_EVENTS_NP against the whole daemon: linuxptp's pmc, subscribed over the read-write socket,
/// receives the PORT_DATA_SET notification meridiand pushes when its port changes state.
@Suite(.serialized)
struct ManagementSubscriptionDaemonTests {
    @Test func pmcSubscribedToMeridiandSeesItsPortChangeState() throws {
        let pmc = try InteropLab.tool("pmc")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        guard let running = try lab.startMeridianFollowingPTP4l() else { return }
        // pmc interactive (stdin kept open) keeps listening after its command, as an operator's would.
        let subscriber = Process()
        subscriber.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        subscriber.arguments = ["netns", "exec", lab.lab.b.namespace, pmc, "-u", "-b", "0", "-s", running.socket]
        let input = Pipe()
        _ = FileManager.default.createFile(atPath: lab.file("sub.log").path, contents: nil)
        let output = try FileHandle(forWritingTo: lab.file("sub.log"))
        subscriber.standardInput = input
        subscriber.standardOutput = output
        subscriber.standardError = output
        try subscriber.run()
        defer {
            try? input.fileHandleForWriting.close()
            lab.stop(subscriber)
        }
        input.fileHandleForWriting.write(Data("SET SUBSCRIBE_EVENTS_NP duration 60 NOTIFY_PORT_STATE on\n".utf8))
        let subscribed = lab.wait(seconds: 5) { lab.log("sub.log").contains("RESPONSE MANAGEMENT SUBSCRIBE_EVENTS_NP") }
        #expect(subscribed, "\(lab.log("sub.log"))")
        guard subscribed else { return }

        // SET PRIORITY1 100 (ptp4l has 110): meridiand's port leaves SLAVE and becomes the master.
        let set = lab.run(in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", running.socket, "SET PRIORITY1 100"])
        #expect(set.contains("RESPONSE MANAGEMENT PRIORITY1"), "\(set)")
        let notified = lab.wait(seconds: 15) {
            let replies = PMCReply.parse(lab.log("sub.log")).filter { $0.managementID == "PORT_DATA_SET" }
            return replies.contains { $0.fields.contains { $0.name == "portState" && $0.value == "MASTER" } }
        }
        #expect(
            notified,
            "no PORT_DATA_SET notification with portState MASTER:\n\(lab.log("sub.log"))\n--- meridiand:\n\(lab.log("m.log").suffix(1500))"
        )
        // Each notification is a RESPONSE from port 1 of meridiand's clock.
        let notifications = PMCReply.parse(lab.log("sub.log")).filter { $0.managementID == "PORT_DATA_SET" }
        #expect(notifications.allSatisfy { $0.action == "RESPONSE" && $0.source.hasSuffix("-1") })
    }
}

extension SerializedInteropTests {
    /// Fuzzed, truncated and mutated management messages against the whole daemon while it serves time:
    /// meridiand is the grandmaster of a ptp4l slave over the veth pair; for about 20 s the test sends
    /// thousands of bad requests to meridiand's read-write Unix socket and, from the slave's namespace, to
    /// its PTP general port (UDP 320). Every request must end as a reply, an error status or a counted
    /// drop (MERIDIAN_STATUS_NP carries the server's counters), meridiand must keep running and answering,
    /// and the ptp4l slave must keep following it with a steady offset and no state change throughout.
    @Suite(.serialized)
    struct ManagementFuzzDaemonTests {
        /// Round `round`'s bad request: random bytes, a truncated or bit-flipped GET, a random TLV, an
        /// unknown ID, a wrong lengthField, or a reserved action. `writable`: the receiver would carry out a
        /// SET or COMMAND (the read-write socket), so the actionField never says SET (1) or COMMAND (3) —
        /// the fuzz must not legitimately reconfigure the clock that serves time.
        static func badRequest(_ round: Int, _ g: inout SplitMix64, writable: Bool) -> [UInt8] {
            let good = ManagementProbe.request(
                action: ManagementProbe.get, id: 0x2000, sequence: UInt16(truncatingIfNeeded: round))
            var bytes: [UInt8]
            switch round % 7 {
            case 0: bytes = (0..<g.below(120)).map { _ in g.byte() }
            case 1: bytes = Array(good.prefix(g.below(good.count)))
            case 2:
                bytes = good
                for _ in 0..<4 { bytes[g.below(bytes.count)] ^= g.byte() | 1 }
            case 3: bytes = Array(good.prefix(48)) + (0..<g.below(40)).map { _ in g.byte() }
            case 4: bytes = ManagementProbe.request(action: ManagementProbe.get, id: UInt16(truncatingIfNeeded: g.next()))
            case 5:
                bytes = ManagementProbe.request(
                    action: ManagementProbe.get, id: 0x2000, tlvLength: UInt16(truncatingIfNeeded: g.next()))
            default: bytes = ManagementProbe.request(action: UInt8(5 + g.below(11)), id: 0x2005, data: [g.byte(), 0])
            }
            if writable, bytes.count > 46, [1, 3].contains(bytes[46] & 0x0F) { bytes[46] = (bytes[46] & 0xF0) | 0x05 }
            // On a PTP port only messageType 13 reaches the management server (anything else is the
            // engine's, counted there): keep the network fuzz addressed to management.
            if !writable { bytes = bytes.isEmpty ? [0x0D] : [(bytes[0] & 0xF0) | 0x0D] + bytes.dropFirst() }
            return bytes
        }

        @Test func fuzzedManagementOnBothEndpointsNeitherCrashesNorDisturbsTime() throws {
            let ptp4l = try InteropLab.tool("ptp4l")
            let meridiand = try InteropLab.meridiand()
            let meridianctl = try #require(InteropLab.binary("meridianctl"), "meridianctl is not built")
            let lab = try InteropLab()
            defer { lab.tearDown() }
            let socket = lab.file("m.sock").path
            let conf = try lab.write(
                "m.conf",
                """
                [global]
                clock_device virtual
                time_stamping software
                logAnnounceInterval 0
                verbose 1
                use_syslog 0
                uds_address \(socket)
                uds_ro_address \(lab.file("m-ro.sock").path)
                [\(lab.lab.a.interface)]
                """)
            let slave = try lab.write("sl.cfg", "[global]\nfree_running 1\nuds_address \(lab.file("sl.sock").path)\n")
            let daemon = try lab.start(in: lab.lab.a.namespace, meridiand, ["-f", conf], log: "m.log")
            try lab.start(
                in: lab.lab.b.namespace, ptp4l, ["-S", "-s", "-i", lab.lab.b.interface, "-f", slave, "-m"], log: "sl.log")
            // Every ptp4l runs free_running 1, so its servo stays s0 and its port UNCALIBRATED: "locked" here
            // means it follows meridiand (offset lines keep coming) with a small, steady offset.
            let locked = lab.wait(seconds: 30) {
                lab.log("sl.log").contains("to UNCALIBRATED")
                    && lab.log("sl.log").components(separatedBy: "master offset").count > 3
            }
            #expect(locked, "the ptp4l slave did not lock to meridiand:\n\(lab.log("sl.log").suffix(1500))")
            guard locked else { return }
            let before = lab.log("sl.log").count

            // The network sender lives in the slave's namespace; the socket keeps it after the thread ends.
            let udp = try NetworkNamespace.withNamespace(lab.lab.b.namespace) {
                Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            defer { close(udp) }
            var target = sockaddr_in()
            target.sin_family = sa_family_t(AF_INET)
            target.sin_port = in_port_t(320).bigEndian
            let a = lab.lab.a.ipv4
            target.sin_addr.s_addr = (UInt32(a[0]) | UInt32(a[1]) << 8 | UInt32(a[2]) << 16 | UInt32(a[3]) << 24)
            let client = try ManagementProbe(path: lab.file("fuzz.sock").path)
            defer { client.socket.close() }
            let server = UnixSocketAddress(path: socket)

            var g = SplitMix64(seed: 0x1588_2019)
            var sentLocal = 0
            var sentNetwork = 0
            let deadline = Date().addingTimeInterval(20)
            for round in 0..<8000 where Date() < deadline {
                if (try? client.socket.send(Self.badRequest(round, &g, writable: true), to: server)) != nil { sentLocal += 1 }
                let wire = Self.badRequest(round, &g, writable: false)
                let sent = wire.withUnsafeBytes { raw in
                    withUnsafePointer(to: &target) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(udp, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
                if sent >= 0 { sentNetwork += 1 }
                while (try? client.socket.receive(timeoutMilliseconds: 0)) ?? nil != nil {}
                usleep(2_000)
            }
            usleep(500_000)

            #expect(daemon.isRunning, "meridiand died:\n\(lab.log("m.log").suffix(2000))")
            #expect(sentLocal > 3000 && sentNetwork > 3000, "sent \(sentLocal) local, \(sentNetwork) network")
            // The server's counters: everything it received is a reply, an error status or a counted drop.
            let json = lab.run(in: lab.lab.a.namespace, [meridianctl, "-u", "-s", socket, "--json", "GET MERIDIAN_STATUS_NP"])
            let status = try JSONDecoder().decode([ManagementParityTests.CtlReply].self, from: Data(json.utf8)).first?.data ?? [:]
            func counter(_ name: String) -> Double { status[name]?.number ?? -1 }
            let received = counter("mgmtReceived")
            let accounted = counter("mgmtMalformed") + counter("mgmtDropped") + counter("mgmtReplies") + counter("mgmtErrors")
            // The GET that reads the counters is received but not yet answered when they are copied.
            #expect(received == accounted + 1, "\(json)")
            #expect(
                received >= Double(sentLocal + sentNetwork) * 0.95,
                "received \(received) of \(sentLocal) + \(sentNetwork): \(json)")
            #expect(counter("mgmtMalformed") > 1000 && counter("mgmtErrors") > 1000, "\(json)")

            // The slave kept following: an offset line at least every 2 s (meridiand's Sync interval) during
            // the fuzz, every one within 100 µs (they are a few hundred ns here), and no state change.
            let during = String(lab.log("sl.log").dropFirst(before))
            let offsets = during.split(separator: "\n").filter { $0.contains("master offset") }
            #expect(offsets.count >= 8, "\(during)")
            let bad = offsets.filter { line in
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "offset"), i + 1 < words.count, let value = Int(words[i + 1]) else {
                    return true
                }
                return abs(value) > 100_000
            }
            #expect(bad.isEmpty, "\(bad.prefix(5))")
            #expect(!during.contains(" to "), "the slave changed state during the fuzz:\n\(during.suffix(1500))")
            let largest =
                offsets.compactMap { line -> Int? in
                    let words = line.split(separator: " ")
                    return words.firstIndex(of: "offset").flatMap { Int(words[$0 + 1]) }.map(abs)
                }.max() ?? -1
            let counters = ["mgmtReceived", "mgmtMalformed", "mgmtDropped", "mgmtReplies", "mgmtErrors"].map {
                "\($0) \(Int(counter($0)))"
            }
            print(
                "fuzz: \(sentLocal) local + \(sentNetwork) network; \(counters.joined(separator: ", ")); slave: \(offsets.count) offsets, max |offset| \(largest) ns"
            )
        }
    }
}

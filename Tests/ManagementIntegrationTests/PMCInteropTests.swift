import Foundation
import LinuxPlatform
import MeridianDaemon
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// linuxptp 3.1's own `pmc` against a Meridian ManagementServer on Unix sockets: what pmc prints must
/// be what it printed for ptp4l holding the same data sets (the udp4-e2e reference), and SET,
/// the read-only socket, subscriptions and garbage must behave as ptp4l's do.
@Suite(.serialized)
struct PMCInteropTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../PTPWireTests/Fixtures/udp4-e2e-pmc.txt").standardized

    /// Every GET that pmc 3.1 lists.
    static let getIDs = [
        "USER_DESCRIPTION", "DEFAULT_DATA_SET", "CURRENT_DATA_SET", "PARENT_DATA_SET", "TIME_PROPERTIES_DATA_SET",
        "PRIORITY1", "PRIORITY2", "DOMAIN", "SLAVE_ONLY", "CLOCK_ACCURACY", "TRACEABILITY_PROPERTIES",
        "TIMESCALE_PROPERTIES", "TIME_STATUS_NP", "GRANDMASTER_SETTINGS_NP", "SUBSCRIBE_EVENTS_NP",
        "SYNCHRONIZATION_UNCERTAIN_NP", "NULL_MANAGEMENT", "CLOCK_DESCRIPTION", "PORT_DATA_SET",
        "LOG_ANNOUNCE_INTERVAL", "ANNOUNCE_RECEIPT_TIMEOUT", "LOG_SYNC_INTERVAL", "VERSION_NUMBER", "DELAY_MECHANISM",
        "LOG_MIN_PDELAY_REQ_INTERVAL", "PORT_DATA_SET_NP", "PORT_STATS_NP", "PORT_PROPERTIES_NP",
    ]
    static let portIDs: Set<String> = [
        "NULL_MANAGEMENT", "CLOCK_DESCRIPTION", "PORT_DATA_SET", "LOG_ANNOUNCE_INTERVAL", "ANNOUNCE_RECEIPT_TIMEOUT",
        "LOG_SYNC_INTERVAL", "VERSION_NUMBER", "DELAY_MECHANISM", "LOG_MIN_PDELAY_REQ_INTERVAL", "PORT_DATA_SET_NP",
        "PORT_STATS_NP", "PORT_PROPERTIES_NP",
    ]

    @Test
    func everyGetPMCListsIsAnsweredAndPrintsAsPTP4LsAnswerDid() async throws {
        let reference = Dictionary(
            PrintedReply.parse(try String(contentsOf: Self.fixture, encoding: .utf8)).compactMap { reply in
                reply.managementID.map { ($0, reply.fields) }
            }, uniquingKeysWith: { first, _ in first })
        try await ServerHarness.with { harness in
            let output = try await harness.pmc(Self.getIDs.map { "GET " + $0 })
            let replies = PrintedReply.parse(output.stdout)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(replies.count == Self.getIDs.count, "\(output.stdout)\n\(output.stderr)")
            for (index, id) in Self.getIDs.enumerated() {
                guard index < replies.count else { break }
                let reply = replies[index]
                let port = Self.portIDs.contains(id) ? 1 : 0
                let expectedHeader =
                    "\t769927.fffe.71c27a-\(port) seq \(index) RESPONSE MANAGEMENT "
                    + (id == "NULL_MANAGEMENT" ? "" : id + " ")
                #expect(reply.header == expectedHeader)
                // The reference has every ID's fields but these: pmc prints none for NULL_MANAGEMENT, and the two
                // others (which ptp4l's capture did not ask for) are checked below.
                switch id {
                case "NULL_MANAGEMENT": #expect(reply.fields.isEmpty, "\(reply.fields)")
                case "PORT_PROPERTIES_NP", "SUBSCRIBE_EVENTS_NP": break
                default:
                    #expect(
                        reference[id] != nil && reply.fields == reference[id],
                        "\(id): no reference, or not what ptp4l's answer printed")
                }
            }
            let properties = replies.first { $0.managementID == "PORT_PROPERTIES_NP" }
            #expect(
                properties?.fields == [
                    "\t\tportIdentity            769927.fffe.71c27a-1", "\t\tportState               MASTER",
                    "\t\ttimestamping            SOFTWARE", "\t\tinterface               veth1",
                ])
            let subscription = replies.first { $0.managementID == "SUBSCRIBE_EVENTS_NP" }
            #expect(subscription?.fields == ["\t\tduration          0", "\t\tNOTIFY_PORT_STATE off"])
        }
    }

    @Test
    func answersFollowTheLiveDataSetsAndEveryPortAnswers() async throws {
        try await ServerHarness.with(ports: 2) { harness in
            await harness.backend.setPortState(2, .slave)
            let output = try await harness.pmc(["GET PORT_DATA_SET", "GET TIME_STATUS_NP"])
            let replies = PrintedReply.parse(output.stdout)
            #expect(
                replies.map(\.header) == [
                    "\t769927.fffe.71c27a-1 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET ",
                    "\t769927.fffe.71c27a-2 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET ",
                    "\t769927.fffe.71c27a-0 seq 1 RESPONSE MANAGEMENT TIME_STATUS_NP ",
                ])
            #expect(replies.count == 3 && replies[1].fields[1] == "\t\tportState               SLAVE")
        }
    }

    @Test
    func setPriority1ChangesWhatAFollowingGetReturns() async throws {
        try await ServerHarness.with { harness in
            let output = try await harness.pmc(["SET PRIORITY1 100", "GET PRIORITY1", "GET PARENT_DATA_SET"])
            let replies = PrintedReply.parse(output.stdout)
            #expect(replies.count == 3)
            #expect(replies.first?.header == "\t769927.fffe.71c27a-0 seq 0 RESPONSE MANAGEMENT PRIORITY1 ")
            #expect(replies.first?.fields == ["\t\tpriority1 100"])
            #expect(replies.dropFirst().first?.fields == ["\t\tpriority1 100"])
            #expect(replies.last?.fields.contains("\t\tgrandmasterPriority1                  100") == true)
            #expect(await harness.backend.applied == [.setPriority1(100)])
        }
    }

    @Test
    func readOnlySocketAnswersGetsAndRefusesSetsWithAnErrorStatus() async throws {
        try await ServerHarness.with { harness in
            var info = stat()
            #expect(stat(harness.readWritePath, &info) == 0 && info.st_mode & 0o777 == 0o660)
            #expect(stat(harness.readOnlyPath, &info) == 0 && info.st_mode & 0o777 == 0o666)
            let output = try await harness.pmc(["GET PRIORITY1", "SET PRIORITY1 90"], path: harness.readOnlyPath)
            let replies = PrintedReply.parse(output.stdout)
            #expect(
                replies.map(\.header) == [
                    "\t769927.fffe.71c27a-0 seq 0 RESPONSE MANAGEMENT PRIORITY1 ",
                    "\t769927.fffe.71c27a-0 seq 1 RESPONSE MANAGEMENT_ERROR_STATUS ",
                ])
            #expect(await harness.backend.applied.isEmpty)
            #expect(await harness.backend.state.defaultDS.priority1 == 128)
        }
    }

    @Test
    func subscriptionDeliversAPortStateNotificationToPMC() async throws {
        try await ServerHarness.with { harness in
            let server = harness.server
            let backend = harness.backend
            let output = try await ProcessRunner.run(
                ProcessRunner.pmc, ["-u", "-s", harness.readWritePath, "-b", "0"],
                input: ["SET SUBSCRIBE_EVENTS_NP duration 20 NOTIFY_PORT_STATE on"]
            ) {
                await backend.setPortState(1, .slave)
                await server.notifyPortStateChanged(port: 1)
                try? await Task.sleep(for: .milliseconds(300))
            }
            let replies = PrintedReply.parse(output.stdout)
            #expect(
                replies.map(\.header) == [
                    "\t769927.fffe.71c27a-0 seq 0 RESPONSE MANAGEMENT SUBSCRIBE_EVENTS_NP ",
                    "\t769927.fffe.71c27a-1 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET ",
                ], "\(output.stdout)\(output.stderr)")
            #expect(replies.first?.fields == ["\t\tduration          20", "\t\tNOTIFY_PORT_STATE on"])
            #expect(replies.last?.fields.contains("\t\tportState               SLAVE") == true)
            #expect(await server.statistics.notifications == 1)
        }
    }

    @Test
    func garbageIsCountedWrongLengthsGetErrorsAndServiceContinues() async throws {
        try await ServerHarness.with { harness in
            let client = try UnixDatagramSocket.bind(path: harness.directory + "/client", mode: 0o600)
            defer { client.close() }
            let server = UnixSocketAddress(path: harness.readWritePath)
            var random = SplitMix64(seed: 7)
            for length in 0..<300 {
                let seed = random.next()
                let bytes = (0..<(length % 90)).map { UInt8(truncatingIfNeeded: (seed >> UInt64($0 % 56)) &+ UInt64($0)) }
                try Self.send(bytes, from: client, to: server)
            }
            // A SET PRIORITY1 whose dataField is 3 octets: WRONG_LENGTH, as the standard asks.
            let bad = ManagementMessages.request(
                action: .set, id: .priority1, data: .unknown(.priority1, [1, 2, 3]), sequenceId: 9, sourcePort: 1)
            try Self.send(bad.encoded(), from: client, to: server)
            var answer: PTPMessage?
            for _ in 0..<50 {
                guard let datagram = try client.receive(timeoutMilliseconds: 100) else { continue }
                if let message = try? PTPMessage.decode(datagram.bytes), message.header.sequenceId == 9 {
                    answer = message
                    break
                }
            }
            let error = try #require(answer)
            guard case .managementErrorStatus(let status) = error.tlvs.first else {
                Issue.record("expected an error status, got \(error)")
                return
            }
            #expect(status.managementErrorId == .wrongLength && status.managementId == .priority1)
            let output = try await harness.pmc(["GET PRIORITY1"])
            #expect(output.stdout.contains("RESPONSE MANAGEMENT PRIORITY1"))
            let stats = await harness.server.statistics
            #expect(stats.received >= 302 && stats.malformed > 200, "\(stats)")
            #expect(stats.errorReplies >= 1)
        }
    }

    /// Sends, waiting while the server's receive queue is full (a Unix datagram socket refuses with
    /// EAGAIN rather than dropping).
    static func send(_ bytes: [UInt8], from client: UnixDatagramSocket, to server: UnixSocketAddress) throws {
        for _ in 0..<1000 {
            let result = Result { () throws(UnixSocketError) in try client.send(bytes, to: server) }
            switch result {
            case .success: return
            case .failure(.system(_, _, let errno)) where errno.rawValue == EAGAIN: usleep(2000)
            case .failure(let error): throw error
            }
        }
        try client.send(bytes, to: server)
    }
}

import Foundation
import LinuxPlatform
import MeridianDaemon
import MeridianLab
import PTPCore
import PTPManagement
import PTPWire
import Synchronization
import Testing

/// `pmc -4/-6/-2 -i IFACE -b 1` from another network namespace, the way operators query ptp4l over the
/// network: the requests arrive on a real UDPv4 PTP port (our LinuxPlatform transport on a veth),
/// go through ``ManagementServer/handleNetwork(_:ingressPort:)``, and the replies go back out of that
/// port. Answers are ptp4l's (the udp4-e2e reference, which was recorded over the network too), and a
/// network SET is refused with an error status.
@Suite(.serialized)
struct NetworkManagementTests {
    /// The daemon side's port: receives on a dedicated thread, answers through the server.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    final class PortBridge: Sendable {
        let transport: any PTPTransport
        let stopping = Flag()
        let thread: PlatformThread

        init(transport: any PTPTransport, server: ManagementServer) throws {
            self.transport = transport
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            let stopping = self.stopping
            thread = try PlatformThread.spawn {
                while !stopping.isSet {
                    guard let message = try? transport.receive(timeout: .milliseconds(100)) else { continue }
                    if message.channel == .general, message.bytes.first.map({ $0 & 0x0F }) == 0x0D {
                        continuation.yield(message.bytes)
                    }
                }
                continuation.finish()
            }
            Task {
                for await bytes in stream {
                    for reply in await server.handleNetwork(bytes, ingressPort: 1) {
                        _ = try? transport.send(reply, channel: .general, to: .primaryMulticast)
                    }
                }
            }
        }

        func stop() {
            stopping.set()
            thread.join()
            transport.close()
        }
    }

    enum Kind: String, CaseIterable, Sendable {
        case udpIPv4 = "-4"
        case udpIPv6 = "-6"
        case ieee802_3 = "-2"

        var networkProtocol: NetworkProtocol {
            switch self {
            case .udpIPv4: .udpIPv4
            case .udpIPv6: .udpIPv6
            case .ieee802_3: .ieee802_3
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func pmcOverTheNetworkGetsPTP4LsAnswersAndNetworkSetsAreRefused(_ kind: Kind) async throws {
        try ProcessRunner.requireExecutable(ProcessRunner.pmc)
        let lab = try VethLab.create()
        defer { lab.remove() }
        let interface = lab.b.interface
        let transport = try NetworkNamespace.withNamespace(lab.b.namespace) {
            try TransportFactory.open(kind.networkProtocol, configuration: TransportConfiguration(interfaceName: interface))
        }
        let reference = Dictionary(
            PrintedReply.parse(try String(contentsOf: PMCInteropTests.fixture, encoding: .utf8)).compactMap { reply in
                reply.managementID.map { ($0, reply.fields) }
            }, uniquingKeysWith: { first, _ in first })
        try await ServerHarness.with { harness in
            let bridge = try PortBridge(transport: transport, server: harness.server)
            defer { bridge.stop() }
            let ids = ["DEFAULT_DATA_SET", "PARENT_DATA_SET", "PORT_DATA_SET", "TIME_STATUS_NP", "PORT_STATS_NP"]
            let output = try await ProcessRunner.run(
                "/usr/sbin/ip",
                ["netns", "exec", lab.a.namespace, ProcessRunner.pmc, kind.rawValue, "-i", lab.a.interface, "-b", "1"],
                input: ids.map { "GET " + $0 } + ["GET PORT_PROPERTIES_NP", "SET PRIORITY1 100", "GET PRIORITY1"],
                pause: .milliseconds(150)
            ) { try? await Task.sleep(for: .milliseconds(300)) }
            let replies = PrintedReply.parse(output.stdout)
            #expect(replies.count == ids.count + 3, "\(kind): \(output.stdout)\(output.stderr)")
            for (index, id) in ids.enumerated() where index < replies.count {
                // Over the network every answer comes from the ingress port, as in the reference.
                #expect(replies[index].header == "\t769927.fffe.71c27a-1 seq \(index) RESPONSE MANAGEMENT \(id) ")
                #expect(replies[index].fields == reference[id], "\(id)")
            }
            guard replies.count == ids.count + 3 else { return }
            #expect(replies[ids.count].header == "\t769927.fffe.71c27a-1 seq 5 RESPONSE MANAGEMENT_ERROR_STATUS ")
            #expect(replies[ids.count + 1].header == "\t769927.fffe.71c27a-1 seq 6 RESPONSE MANAGEMENT_ERROR_STATUS ")
            #expect(replies[ids.count + 2].fields == ["\t\tpriority1 128"])
            #expect(await harness.backend.applied.isEmpty)

            // meridianctl over the same network, as pmc -4 -i.
            let ctl = try await ProcessRunner.run(
                "/usr/sbin/ip",
                [
                    "netns", "exec", lab.a.namespace, MeridianCtlTests.binary, kind.rawValue, "-i", lab.a.interface,
                    "GET PRIORITY1", "GET PORT_DATA_SET", "SET PRIORITY1 100",
                ])
            let ours = PrintedReply.parse(ctl.stdout)
            #expect(ctl.status == 1, "an error status answered the SET: \(ctl.stdout)\(ctl.stderr)")
            #expect(
                ours.map(\.header) == [
                    "\t769927.fffe.71c27a-1 seq 0 RESPONSE MANAGEMENT PRIORITY1 ",
                    "\t769927.fffe.71c27a-1 seq 1 RESPONSE MANAGEMENT PORT_DATA_SET ",
                    "\t769927.fffe.71c27a-1 seq 2 RESPONSE MANAGEMENT_ERROR_STATUS ",
                ])
            #expect(ours.last?.fields == ["\t\tmanagementId PRIORITY1", "\t\terror        NOT_SUPPORTED"])
            let status = try await ProcessRunner.run(
                "/usr/sbin/ip",
                ["netns", "exec", lab.a.namespace, MeridianCtlTests.binary, kind.rawValue, "-i", lab.a.interface, "status"])
            #expect(status.status == 0 && status.stdout.contains("role GRANDMASTER"), "\(status.stdout)\(status.stderr)")
        }
    }
}

import Foundation
import MeridianDaemon
import MeridianTestSupport
import PTPCore
import PTPManagement
import Testing

/// `pmc 'SET PRIORITY1 100'` over the Unix socket changes the BMCA outcome of a segment with two
/// grandmasters: the backend is a real InstanceEngine that hears another grandmaster (priority1 110).
@Suite(.serialized)
struct BMCAThroughPMCTests {
    @Test
    func setPriority1MakesThisClockTheGrandmaster() async throws {
        let directory = "/tmp/mgmt-bmca-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { ScratchDirectory.remove(directory) }
        let backend = EngineBackend()
        for sequence in 1...3 { await backend.hearForeignGrandmaster(priority1: 110, sequence: UInt16(sequence)) }
        let heard = await backend.portState
        #expect(heard == .uncalibrated || heard == .slave, "\(heard)")
        let server = ManagementServer(
            configuration: .init(readWritePath: directory + "/rw", readOnlyPath: nil), backend: backend)
        try await server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        func pmc(_ commands: [String]) async throws -> [PrintedReply] {
            let output = try await ProcessRunner.run(
                ProcessRunner.pmc, ["-u", "-s", directory + "/rw", "-b", "0"], input: commands, pause: .milliseconds(60)
            ) { try? await Task.sleep(for: .milliseconds(200)) }
            return PrintedReply.parse(output.stdout)
        }
        let before = try await pmc(["GET PARENT_DATA_SET", "GET PORT_DATA_SET"])
        #expect(before.first?.fields.last == "\t\tgrandmasterIdentity                   00aabb.fffe.ccddee")
        #expect(
            before.last?.fields.dropFirst().first?.hasSuffix("UNCALIBRATED") == true
                || before.last?.fields.dropFirst().first?.hasSuffix("SLAVE") == true)

        let after = try await pmc(["SET PRIORITY1 100", "GET PARENT_DATA_SET", "GET PORT_DATA_SET", "GET TIME_STATUS_NP"])
        #expect(after.first?.fields == ["\t\tpriority1 100"])
        #expect(after.dropFirst().first?.fields.last == "\t\tgrandmasterIdentity                   001122.fffe.334455")
        #expect(after.dropFirst().first?.fields.contains("\t\tgrandmasterPriority1                  100") == true)
        let state = after.dropFirst(2).first?.fields.dropFirst().first ?? ""
        #expect(state.hasSuffix("PRE_MASTER") || state.hasSuffix("MASTER"), "\(state)")
        #expect(after.last?.fields.contains("\t\tgmPresent                  false") == true)
        let changes = await backend.stateChanges
        #expect(changes.contains { $0.contains("MASTER") }, "\(changes)")
    }
}

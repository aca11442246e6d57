import Foundation
import MeridianDaemon
import MeridianTestSupport
import PTPManagement

/// A ManagementServer on fresh Unix socket paths with a TestBackend, running for one test.
struct ServerHarness {
    let directory: String
    let server: ManagementServer
    let backend: TestBackend
    var readWritePath: String { directory + "/rw" }
    var readOnlyPath: String { directory + "/ro" }

    static func with<T>(
        ports: Int = 1, _ body: (ServerHarness) async throws -> T
    ) async throws -> T {
        let directory = "/tmp/mgmt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { ScratchDirectory.remove(directory) }
        let backend = TestBackend(ExampleSnapshot.snapshot(ports: ports))
        let server = ManagementServer(
            configuration: .init(readWritePath: directory + "/rw", readOnlyPath: directory + "/ro"), backend: backend)
        try await server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let harness = ServerHarness(directory: directory, server: server, backend: backend)
        return try await body(harness)
    }

    /// pmc over the Unix socket at `path` (default: read-write), boundary hops 0. The commands go in
    /// on stdin one at a time, so pmc's 100 ms wait after the last one is not a race with a loaded
    /// machine (in batch mode pmc fires every command at once and gives up 100 ms after the last).
    func pmc(_ commands: [String], path: String? = nil) async throws -> ProcessRunner.Output {
        try await ProcessRunner.run(
            ProcessRunner.pmc, ["-u", "-s", path ?? readWritePath, "-b", "0"], input: commands,
            pause: .milliseconds(60)
        ) {
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}

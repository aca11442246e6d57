import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

@Suite("BlockingWorker")
struct BlockingWorkerTests {
    @Test("runs jobs in order off the cooperative pool and refuses work once stopped")
    func ordering() async throws {
        let worker = try BlockingWorker()
        var results: [Int] = []
        for index in 0..<20 {
            results.append(try await worker.run { index * 2 })
        }
        #expect(results == (0..<20).map { $0 * 2 })
        worker.stop()
        worker.stop()
        await #expect(throws: BlockingWorker.Stopped.self) { try await worker.run { 1 } }
    }

    @Test("an event's transmit stamp awaited through the worker")
    func transmitStampAsync() async throws {
        let worker = try BlockingWorker()
        defer { worker.stop() }
        let lab = try VethLab.create()
        defer { lab.remove() }
        let name = lab.a.interface
        let a = try NetworkNamespace.withNamespace(lab.a.namespace) { try UDPv4Transport(configuration: .init(interfaceName: name)) }
        defer { a.close() }
        let token = try #require(try a.send(ptpMessage(type: 0, index: 5), channel: .event, to: .primaryMulticast))
        let outcome = try await a.transmitTimestamp(for: token, using: worker)
        guard case .stamped = outcome else {
            Issue.record("expected a stamp, got \(outcome)")
            return
        }
    }
}

import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

@Suite("TransportReceiver")
struct TransportReceiverTests {
    @Test("messages and link changes arrive on the async stream from the receive thread; stop ends it")
    func stream() async throws {
        let lab = try VethLab.create()
        defer { lab.remove() }
        let interfaceA = lab.a.interface
        let interfaceB = lab.b.interface
        let a = try NetworkNamespace.withNamespace(lab.a.namespace) { try UDPv4Transport(configuration: .init(interfaceName: interfaceA)) }
        defer { a.close() }
        let b = try NetworkNamespace.withNamespace(lab.b.namespace) { try UDPv4Transport(configuration: .init(interfaceName: interfaceB)) }
        defer { b.close() }
        let receiver = try TransportReceiver(transport: b, pollInterval: .milliseconds(20))
        // A watchdog bounds the test: the stream ends after 5 s whatever happens.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(5))
            receiver.stop()
        }
        defer { watchdog.cancel() }
        for index in 0..<3 {
            _ = try a.send(ptpMessage(type: 0, index: UInt32(index)), channel: .event, to: .primaryMulticast)
        }
        var messages = 0
        var sawDown = false
        for try await event in receiver.events {
            switch event {
            case .message(let message):
                #expect(message.timestamp != nil)
                messages += 1
                if messages == 3 { try lab.setLink(lab.b, up: false) }
            case .link(let change):
                #expect(!change.isUp)
                sawDown = true
            }
            if sawDown { break }
        }
        receiver.stop()
        #expect(messages == 3)
        #expect(sawDown)
    }
}

import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

@Suite("PortIOThread")
struct PortIOThreadTests {
    @Test("sends with their transmit stamps, messages and link changes arrive on the stream; stop ends it")
    func stream() async throws {
        let lab = try VethLab.create()
        defer { lab.remove() }
        let interfaceA = lab.a.interface
        let interfaceB = lab.b.interface
        let a = try NetworkNamespace.withNamespace(lab.a.namespace) {
            try UDPv4Transport(configuration: .init(interfaceName: interfaceA))
        }
        defer { a.close() }
        let b = try NetworkNamespace.withNamespace(lab.b.namespace) {
            try UDPv4Transport(configuration: .init(interfaceName: interfaceB))
        }
        defer { b.close() }
        let sender = try PortIOThread(transport: a, pollInterval: .milliseconds(20))
        defer { sender.stop() }
        let receiver = try PortIOThread(transport: b, pollInterval: .milliseconds(20))
        // A watchdog bounds the test: both streams end after 5 s whatever happens.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(5))
            sender.stop()
            receiver.stop()
        }
        defer { watchdog.cancel() }
        for index in 0..<3 {
            sender.send(
                ptpMessage(type: 0, index: UInt32(index)), channel: .event, to: .primaryMulticast, id: UInt64(index),
                wantsTimestamp: true)
        }
        var stamped: [UInt64] = []
        for await event in sender.events {
            switch event {
            case .transmitted(let id, .stamped): stamped.append(id)
            case let other: Issue.record("sender: \(other)")
            }
            if stamped.count == 3 { break }
        }
        #expect(stamped == [0, 1, 2])
        var messages = 0
        var sawDown = false
        for await event in receiver.events {
            switch event {
            case .transport(.message(let message)):
                #expect(message.timestamp != nil)
                messages += 1
                if messages == 3 { try lab.setLink(lab.b, up: false) }
            case .transport(.link(let change)):
                #expect(!change.isUp)
                sawDown = true
            case let other:
                Issue.record("receiver: \(other)")
            }
            if sawDown { break }
        }
        receiver.stop()
        var after = 0
        for await _ in receiver.events { after += 1 }  // ends once stopped
        #expect(messages == 3)
        #expect(sawDown)
        #expect(after == 0)
    }
}

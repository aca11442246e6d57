import LinuxPlatform
import PTPCore
import Testing

@Suite("VirtualClock over veth")
struct VirtualClockLabTests {
    @Test("kernel software stamps of one message, converted into two virtual clocks, differ by their offsets")
    func stampsIntoVirtualTime() throws {
        let master = try VirtualClock(configuration: .init(name: "master", offsetSeconds: 0.25, frequencyPPM: 0))
        let slave = try VirtualClock(configuration: .init(name: "slave", offsetSeconds: -0.5, frequencyPPM: 0))
        try withTransportPair(.udpIPv4) { _, a, b in
            let message = ptpMessage(type: 0, index: 99)
            let token = try #require(try a.send(message, channel: .event, to: .primaryMulticast))
            guard case .stamped(let transmitted) = a.transmitTimestamp(for: token) else {
                Issue.record("no TX stamp")
                return
            }
            let received = try #require(try receive(b) { $0.bytes == message })
            let rx = try #require(received.timestamp)
            let t1 = master.convert(systemTimestamp: transmitted)
            let t2 = slave.convert(systemTimestamp: rx)
            // t2 − t1 = path delay + (slave offset − master offset) = delay − 750 ms.
            let delay = t2 - t1 + .milliseconds(750)
            #expect(delay > .zero && delay < .milliseconds(5), "path delay \(delay)")
            #expect(t1 - transmitted == .milliseconds(250))
        }
    }
}

import LinuxPlatform
import PTPCore
import Testing

/// Real missing stamps: unicast to an address nobody answers ARP for is never transmitted, so its transmit
/// stamp never comes.
@Suite("Transmit timestamp timeout over veth")
struct TransmitTimeoutTests {
    @Test("a missing stamp is a counted miss after tx_timestamp_timeout; only a run of them faults; a stamp resets the run")
    func missesThenFault() throws {
        try withTransportPair(
            .udpIPv4,
            configure: {
                $0.transmitTimestampTimeout = .milliseconds(10)
                $0.maxConsecutiveMissedTimestamps = 3
            }
        ) { lab, a, _ in
            let nobody = PortAddress(networkProtocol: .udpIPv4, address: [lab.a.ipv4[0], lab.a.ipv4[1], lab.a.ipv4[2], 99])
            var outcomes: [TransmitTimestampOutcome] = []
            for index in 0..<2 {
                let token = try #require(
                    try a.send(ptpMessage(type: 1, index: UInt32(index)), channel: .event, to: .unicast(nobody)))
                let start = ContinuousClock.now
                outcomes.append(a.transmitTimestamp(for: token))
                let waited = ContinuousClock.now - start
                #expect(waited >= .milliseconds(9) && waited < .milliseconds(500), "waited \(waited)")
            }
            #expect(outcomes == [.missed(consecutive: 1), .missed(consecutive: 2)])
            // A stamp in between resets the run.
            let good = try #require(try a.send(ptpMessage(type: 0, index: 10), channel: .event, to: .primaryMulticast))
            guard case .stamped = a.transmitTimestamp(for: good) else {
                Issue.record("multicast event got no stamp")
                return
            }
            outcomes = []
            for index in 20..<23 {
                let token = try #require(
                    try a.send(ptpMessage(type: 1, index: UInt32(index)), channel: .event, to: .unicast(nobody)))
                outcomes.append(a.transmitTimestamp(for: token))
            }
            #expect(outcomes == [.missed(consecutive: 1), .missed(consecutive: 2), .fault(consecutive: 3)])
            let statistics = a.transmitTimestampStatistics
            #expect(statistics.missed == 5 && statistics.paired == 1 && statistics.unmatched == 0)
        }
    }
}

import Foundation
import PTPCore
import Testing

@testable import PTPWire

/// Every PTP packet that linuxptp 3.1 sent in the reference captures decodes to the values tshark shows
/// and re-encodes to the same bytes.
struct CaptureTests {
    @Test(arguments: Fixtures.captures)
    func everyPacketDecodesAsTsharkShowsAndReencodesByteForByte(_ capture: String) throws {
        let packets = try Fixtures.ptpPackets(capture)
        let dissections = try TsharkFields.load(Fixtures.url(capture + ".json"))
        try #require(!packets.isEmpty)
        var types: Set<MessageType> = []
        for packet in packets {
            let fields = try #require(
                packet.index < dissections.count ? dissections[packet.index] : nil,
                "\(capture) frame \(packet.index + 1): tshark has no PTP layer")
            let message: PTPMessage
            do {
                message = try PTPMessage.decode(packet.payload)
            } catch {
                Issue.record("\(capture) frame \(packet.index + 1): \(error)")
                continue
            }
            types.insert(message.messageType)
            let problems = TsharkComparison.mismatches(message, fields)
            #expect(problems.isEmpty, "\(capture) frame \(packet.index + 1) \(message.messageType): \(problems)")
            let length = Int(message.header.messageLength)
            #expect(message.encoded() == Array(packet.payload.prefix(length)), "\(capture) frame \(packet.index + 1)")
        }
        let expected: [String: Set<MessageType>] = [
            "udp4-e2e": [.announce, .sync, .followUp, .delayReq, .delayResp, .management],
            "udp6-e2e": [.announce, .sync, .followUp, .delayReq, .delayResp, .management],
            "l2-p2p": [.announce, .sync, .followUp, .pdelayReq, .pdelayResp, .pdelayRespFollowUp, .management],
            "udp4-unicast": [.announce, .sync, .followUp, .delayReq, .delayResp, .signaling],
        ]
        #expect(types.isSuperset(of: expected[capture] ?? []), "\(capture) had \(types)")
    }

    @Test func linuxptpClockIdentityIsDerivedFromTheMAC() throws {
        // The udp4-e2e grandmaster's CLOCK_DESCRIPTION: physicalAddress 76:99:27:71:c2:7a, identity 769927.fffe.71c27a.
        let identity = try #require(ClockIdentity(mac: [0x76, 0x99, 0x27, 0x71, 0xC2, 0x7A]))
        #expect(identity.description == "769927.fffe.71c27a")
        #expect(ClockIdentity("769927.fffe.71c27a") == identity)
        #expect(PortIdentity("769927.fffe.71c27a-1") == PortIdentity(clockIdentity: identity, portNumber: 1))
    }
}

/// The comparison itself must catch a wrong value, or the test above proves nothing.
struct TsharkComparisonTests {
    @Test func aChangedFieldIsReportedAsAMismatch() throws {
        let packets = try Fixtures.ptpPackets("udp4-e2e")
        let dissections = try TsharkFields.load(Fixtures.url("udp4-e2e.json"))
        var compared = 0
        for packet in packets {
            let fields = try #require(dissections[packet.index])
            var message = try PTPMessage.decode(packet.payload)
            #expect(TsharkComparison.mismatches(message, fields).isEmpty)
            message.header.sequenceId &+= 1
            #expect(
                TsharkComparison.mismatches(message, fields) == [
                    "ptp.v2.sequenceid: tshark \(Int(message.header.sequenceId) == 0 ? 65535 : Int(message.header.sequenceId) - 1), ours \(message.header.sequenceId)"
                ])
            compared += 1
        }
        #expect(compared == packets.count)
        #expect(compared > 100)
    }
}

import Foundation
import MeridianTestSupport
import PTPCore
import PTPManagement
import PTPWire
import Testing

/// PMCFormatter prints ptp4l's own replies exactly as linuxptp 3.1's pmc printed them: every
/// management reply of the reference captures, formatted, equals the pmc output recorded with it.
struct PMCFormatterFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../PTPWireTests/Fixtures").standardized

    @Test(arguments: ["udp4-e2e", "udp6-e2e", "l2-p2p"])
    func repliesPrintAsPMCPrintedThem(_ capture: String) throws {
        let packets = try PcapNG.read(Self.fixtures.appendingPathComponent(capture + ".pcap"))
        var printed = ""
        for packet in packets {
            guard let (_, payload) = PTPPayload.extract(packet.data),
                let message = try? PTPMessage.decode(payload),
                case .management(let body) = message.body, body.action == .response || body.action == .acknowledge
            else { continue }
            printed += try #require(PMCFormatter.format(message, errorDetails: false))
        }
        let recorded = try String(contentsOf: Self.fixtures.appendingPathComponent(capture + "-pmc.txt"), encoding: .utf8)
        let expected = recorded.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("sending:") && !$0.hasPrefix("bad command:") && !$0.hasPrefix("sorry,") }
            .joined(separator: "\n")
        #expect(!printed.isEmpty)
        #expect(printed.split(separator: "\n").count > 120, "\(capture): too few lines to mean anything")
        #expect(printed == expected, "\(capture)")
        if printed != expected {
            let ours = printed.split(separator: "\n", omittingEmptySubsequences: false)
            let theirs = expected.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, pair) in zip(ours, theirs).enumerated() where pair.0 != pair.1 {
                Issue.record("line \(index): ours \(pair.0.debugDescription) pmc \(pair.1.debugDescription)")
                break
            }
        }
    }

    @Test
    func decimalsRoundLikePrintf() {
        #expect(PMCValue.scaledTenths(0) == "0.0")
        #expect(PMCValue.scaledTenths(65536 * 12 + 6554) == "12.1")
        #expect(PMCValue.scaledTenths(-(65536 * 3 + 65000)) == "-4.0")
        // 0.25 and 0.75 are exact in binary: ties go to even, as glibc's printf.
        #expect(PMCValue.scaledTenths(65536 / 4) == "0.2")
        #expect(PMCValue.scaledTenths(65536 * 3 / 4) == "0.8")
        #expect(PMCValue.rateOffset(0) == "+0.000000000")
        #expect(PMCValue.rateOffset(1 << 20) == "+0.000000477")
        #expect(PMCValue.rateOffset(-(1 << 30)) == "-0.000488281")
    }
}

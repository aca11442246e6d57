import Foundation
import MeridianTestSupport

/// Where the test fixtures are.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw PcapNG.Failure.malformed("fixture \(name) is not in the test bundle")
        }
        return url
    }

    /// Every PTP packet of a capture with its index and transport.
    static func ptpPackets(_ capture: String) throws -> [(index: Int, transport: PTPPayload.Transport, payload: [UInt8])] {
        try PcapNG.read(url(capture + ".pcap")).compactMap { packet in
            PTPPayload.extract(packet.data).map { (packet.index, $0.transport, $0.payload) }
        }
    }

    static let captures = ["udp4-e2e", "udp6-e2e", "l2-p2p", "udp4-unicast"]
}

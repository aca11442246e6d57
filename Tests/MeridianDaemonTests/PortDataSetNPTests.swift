import MeridianDaemon
import PTPWire
import Testing

/// PORT_DATA_SET_NP's asCapable follows what ptp4l 3.1 was measured to answer for a non-802.1AS port.
struct PortDataSetNPTests {
    static func counts(_ pairs: [Int: UInt64]) -> [UInt64] {
        (0..<16).map { pairs[$0] ?? 0 }
    }

    @Test func asCapableOnceThePortHeardOrSentWhatPTP4lCounts() {
        func capable(received: [Int: UInt64] = [:], sent: [Int: UInt64] = [:], always: Bool = false) -> Bool {
            ManagementPortExtras.dataSetNP(
                neighborPropDelayThresh: 777, alwaysCapable: always, received: Self.counts(received), sent: Self.counts(sent)
            ).asCapable
        }
        #expect(!capable(), "a LISTENING port that heard nothing")
        #expect(capable(received: [11: 1]), "E2E: the first Announce received")
        #expect(capable(sent: [11: 1]) && capable(sent: [0: 1]), "a master: the first Announce or Sync sent")
        #expect(capable(sent: [2: 1]), "P2P: the first Pdelay_Req sent, answered or not")
        #expect(!capable(received: [0: 3, 9: 2]), "Sync or Delay_Resp alone are not what ptp4l checks on")
        #expect(capable(always: true), "asCapable true")
        #expect(
            ManagementPortExtras.dataSetNP(neighborPropDelayThresh: 777, alwaysCapable: false, received: [], sent: [])
                == PortDataSetNP(neighborPropDelayThresh: 777, asCapable: false))
    }
}

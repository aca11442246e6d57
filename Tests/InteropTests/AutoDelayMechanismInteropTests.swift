import Foundation
import Testing

/// `delay_mechanism Auto` against a ptp4l peer-to-peer grandmaster (IEEE 802.3): the Meridian slave starts end to
/// end, switches to peer delay on the grandmaster's first Pdelay_Req ("peer detected, switch to P2P", as ptp4l
/// logs it) and locks on the peer delay: true error within ±20 µs once locked, the one-hop bound.
@Suite(.serialized)
struct AutoDelayMechanismInteropTests {
    @Test func anAutoSlaveSwitchesToPeerDelayAndLocks() throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let gm = try lab.write(
            "gm.cfg",
            "[global]\nfree_running 1\nlogSyncInterval -4\nlogAnnounceInterval -2\nlogMinPdelayReqInterval -4\nuds_address \(lab.file("gm.sock").path)\n"
        )
        let slave = try lab.meridianConfig(
            "slave", interface: lab.lab.b.interface,
            "network_transport L2\ndelay_mechanism Auto\nvirtual_clock_offset 0.1\nvirtual_clock_freq_ppm 25\nslaveOnly 1\nlogAnnounceInterval -2\nlogMinPdelayReqInterval -4\nhttp_address none"
        )
        try lab.start(
            in: lab.lab.a.namespace, ptp4l, ["-S", "-2", "-P", "-i", lab.lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", slave], log: "slave.log")
        let result = lab.trueErrorsOnceLocked(log: "slave.log", masterLog: "gm.log", count: 32)
        #expect(result != nil, "meridiand did not lock:\n\(lab.log("slave.log").suffix(2500))")
        guard let (window, logs) = result else { return }
        let stats = OffsetStatistics(window)
        print("meridiand slave with delay_mechanism Auto, ptp4l P2P grandmaster over L2: true error \(stats)")
        #expect(lab.log("slave.log").contains("port 1: peer detected, switch to P2P"), "\(logs)")
        #expect(window.count == 32, "\(window.count) values:\n\(logs)")
        #expect(window.allSatisfy { abs($0) < 20_000 }, "true error left ±20 µs: \(stats)\n\(logs)")
        #expect(lab.stop(daemon) == 0)
    }
}

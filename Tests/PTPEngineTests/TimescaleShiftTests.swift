import PTPCore
import PTPEngine
import PTPWire
import Testing

/// A clock that followed a master on the PTP timescale keeps serving PTP time when it loses it (ptp4l's grandmaster
/// role: PTP_TIMESCALE with the UTC offset it learned), and the engine's stored instants move with the daemon's
/// timescale shift, so a boundary clock's foreign masters stay qualified when it starts following a PTP-timescale
/// grandmaster (which once made every two-port Meridian boundary clock under a GNSS grandmaster flap between it and
/// itself once a second).
@Suite struct TimescaleShiftTests {
    let fixture = InstanceEngineTests()

    @Test func aBoundaryClockThatLostItsMasterServesPTPTimeWithTheOffsetItLearned() {
        var bc = fixture.boundaryClock()
        #expect(!bc.timePropertiesDS.ptpTimescale)  // its own, before it followed anyone: ARB
        _ = bc.handle(
            .port(0, .received(fixture.gmAnnounce(sequence: 1), timestamp: InstanceEngineTests.t0)), at: InstanceEngineTests.t0)
        _ = bc.handle(
            .port(0, .received(fixture.gmAnnounce(sequence: 2), timestamp: InstanceEngineTests.t0)), at: InstanceEngineTests.t0)
        #expect(bc.slavePortIndex == 0)
        #expect(bc.learnedUTCOffset == 37)
        let later = InstanceEngineTests.t0 + .seconds(Int64(8))
        _ = bc.handle(.port(0, .timerFired(.announceReceipt)), at: later)
        #expect(bc.slavePortIndex == nil)
        #expect(bc.timePropertiesDS.ptpTimescale)
        #expect(bc.timePropertiesDS.currentUtcOffset == 37)
        #expect(!bc.timePropertiesDS.currentUtcOffsetValid && !bc.timePropertiesDS.timeTraceable)
    }

    @Test func shiftedReceiptsKeepAForeignMasterQualified() {
        var bc = fixture.boundaryClock()
        let t0 = InstanceEngineTests.t0
        _ = bc.handle(.port(0, .received(fixture.gmAnnounce(sequence: 1), timestamp: t0)), at: t0)
        // The engine's time moves 37 s ahead (the daemon now shifts its clock's UTC to TAI) and its stored instants
        // with it: a second Announce one interval later still qualifies the master.
        bc.timescaleShifted(by: .seconds(37))
        let t1 = t0 + .seconds(Int64(38))
        _ = bc.handle(.port(0, .received(fixture.gmAnnounce(sequence: 2), timestamp: t1)), at: t1)
        #expect(bc.slavePortIndex == 0)
        #expect(bc.ports[0].foreignMasters.records.first?.receipts == [t0 + .seconds(Int64(37)), t1])
    }
}

import LinuxPlatform
import Testing

@testable import MeridianDaemon

@Suite("ports and their PHCs")
struct PHCAssignmentTests {
    typealias Port = PHCAssignment.Port

    @Test("one PHC for every port, or ports without one: no conflict")
    func shared() {
        #expect(
            PHCAssignment.conflict(
                [Port(interface: "eth0", phcIndex: 0), Port(interface: "eth1", phcIndex: 0)], clockDevice: "auto") == nil)
        #expect(PHCAssignment.conflict([Port(interface: "veth0", phcIndex: nil)], clockDevice: "auto") == nil)
        #expect(PHCAssignment.conflict([Port(interface: "eth0", phcIndex: 2)], clockDevice: "/dev/ptp2") == nil)
    }

    @Test("ports on two PHCs, or on another PHC than clock_device: a message naming ports and PHCs")
    func conflicts() throws {
        let two = try #require(
            PHCAssignment.conflict(
                [Port(interface: "eth0", phcIndex: 0), Port(interface: "eth1", phcIndex: 1)], clockDevice: "auto"))
        #expect(two.contains("eth0 on /dev/ptp0, eth1 on /dev/ptp1") && two.contains("boundary_clock_jbod"))
        let other = try #require(PHCAssignment.conflict([Port(interface: "eth1", phcIndex: 1)], clockDevice: "/dev/ptp0"))
        #expect(other.contains("eth1 on /dev/ptp1") && other.contains("clock_device /dev/ptp0"))
    }

    @Test("boundary_clock_jbod: a port on another PHC is allowed where its jbod is 1, refused (named) where it is 0")
    func jbod() throws {
        let ports = [
            Port(interface: "eth0", phcIndex: 0), Port(interface: "eth1", phcIndex: 1, jbod: true),
            Port(interface: "eth2", phcIndex: 2, jbod: false),
        ]
        #expect(PHCAssignment.conflict(Array(ports.prefix(2)), clockDevice: "auto") == nil)
        let one = try #require(PHCAssignment.conflict(ports, clockDevice: "auto"))
        #expect(one.contains("the timestamps of eth2 would be") && !one.contains("of eth1,"), "\(one)")
        // clock_device names the disciplined PHC: the first port is then the odd one out unless jbod.
        #expect(PHCAssignment.conflict([Port(interface: "eth0", phcIndex: 0, jbod: true)], clockDevice: "/dev/ptp3") == nil)
        #expect(PHCAssignment.disciplinedIndex(ports, clockDevice: "/dev/ptp3") == 3)
        #expect(PHCAssignment.disciplinedIndex(ports, clockDevice: "auto") == 0)
        // Emulated PHCs (virtual_clock_mode phc): index 0 is the disciplined one, and the message says emulated.
        let emulated = try #require(
            PHCAssignment.conflict(
                [Port(interface: "a", phcIndex: 0), Port(interface: "b", phcIndex: 1)], clockDevice: "virtual", emulated: true))
        #expect(emulated.contains("a on emulated /dev/ptp0, b on emulated /dev/ptp1"), "\(emulated)")
    }

    @Test("never two steerers: CLOCK_REALTIME may not follow a disciplined system clock")
    func followerConflict() throws {
        // Read-only handle: the check is about the configuration, the test never steers the system clock.
        let system = try SystemClock(steering: .forbidden)
        let disciplined = ClockSource(clock: system, timescale: .utc, steerable: true, description: "CLOCK_REALTIME")
        let problem = try #require(SystemClockFollower.conflict(followerIsRealtime: true, disciplined: disciplined))
        #expect(problem.contains("clock_device system"))
        #expect(SystemClockFollower.conflict(followerIsRealtime: false, disciplined: disciplined) == nil)
        let readOnly = ClockSource(clock: system, timescale: .utc, steerable: false, description: "CLOCK_REALTIME")
        #expect(SystemClockFollower.conflict(followerIsRealtime: true, disciplined: readOnly)?.contains("reads") == true)
    }
}

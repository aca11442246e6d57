import MeridianFuzzing
import Testing

/// The inputs that crashed Meridian before issue #17, through the same fuzz targets `make fuzz` runs (a trap
/// here ends the test process, so a regression cannot pass), and the generated seeds through every target.
struct FuzzRegressionTests {
    static let gpsdHeader: [UInt8] = [0xCB, 0x3A, 0x2D, 0x14, 0, 0, 0, 0, 4, 1, 9, 12]

    @Test(arguments: [
        "[global]\npriority1 --9223372036854775808\n[eth0]\n",
        "[global]\nlogSyncInterval -0x-8000000000000000\n[eth0]\n",
        "[global]\n[eth0]\n\0delayAsymmetry --9223372036854775808\n",
    ])
    func configIntegersThatTrapped(_ text: String) {
        FuzzTarget.config.run(Array(text.utf8))
    }

    @Test(arguments: [
        #"{"class":"PPS","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":1,"clock_nsec":0}"#,
        #"{"class":"TOFF","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":9223372036854775807,"clock_nsec":0}"#,
        #"{"class":"TPV","mode":3,"leapseconds":9223372036854775807}"# + "\n"
            + #"{"class":"PPS","real_sec":1704067210,"real_nsec":0,"clock_sec":1704067210,"clock_nsec":0}"#,
    ])
    func gpsdReportsThatTrapped(_ line: String) {
        FuzzTarget.gpsd.run(Self.gpsdHeader + Array(line.utf8))
    }

    @Test func aLeapfileWithANegativeNTPSecond() {
        FuzzTarget.leapfile.run(Array("#@ 4039372800\n-9223372036854775808 37\n".utf8))
        FuzzTarget.leapfile.run(Array("#$ -9223372036854775808\n3692217600 37\n".utf8))
    }

    @Test func everyGeneratedSeedRunsThroughItsTarget() {
        let wire = Seeds.wire()
        let management = Seeds.management()
        #expect(wire.count > management.count && management.count > 100)
        for seed in wire { FuzzTarget.wire.run(seed) }
        for seed in management { FuzzTarget.management.run([0] + seed) }
        for seed in wire.prefix(20) { FuzzTarget.engine.run([0x13, UInt8(min(seed.count, 255))] + seed.prefix(255)) }
    }
}

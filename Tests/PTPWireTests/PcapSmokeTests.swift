import Testing

struct PcapSmokeTests {
    @Test(arguments: Fixtures.captures)
    func everyCaptureHasPTPPackets(_ capture: String) throws {
        let packets = try Fixtures.ptpPackets(capture)
        #expect(packets.count > 20)
    }
}

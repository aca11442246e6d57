import LinuxPlatform
import Testing

@Suite("Transmit timestamp outcome text")
struct TransmitTimestampOutcomeTextTests {
    @Test("misses are described in ptp4l's words, which operators grep for")
    func wording() {
        #expect(TransmitTimestampOutcome.missed(consecutive: 1).description.hasPrefix("timed out while polling for tx timestamp"))
        #expect(TransmitTimestampOutcome.fault(consecutive: 3).description.contains("port faulty"))
        #expect(TransmitTimestampOutcome.missed(consecutive: 2).description.contains("tx_timestamp_timeout"))
    }
}

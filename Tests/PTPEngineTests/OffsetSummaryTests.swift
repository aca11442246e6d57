import PTPCore
import PTPEngine
import PTPServo
import Testing

@Suite struct OffsetSummaryTests {
    func step(_ offset: Int64, frequency: Double, delay: Int64) -> DisciplineStep {
        DisciplineStep(
            output: ServoOutput(state: .locked, frequency: PartsPerBillion(frequency)), sourceChanged: false,
            offsetFromMaster: .nanoseconds(offset), meanPathDelay: .nanoseconds(delay))
    }

    /// ptp4l's default (summary_interval 0) at 16 Sync/s: one `rms … max …` line a second, shaped as
    /// clock.c prints it; the true error's rms and max follow on a virtual clock.
    @Test func oneSummaryLineEverySixteenSyncs() {
        var summary = OffsetSummary(summaryInterval: 0)
        summary.setSyncInterval(LogInterval(-4))
        #expect(summary.count == 16)
        var lines: [String] = []
        for i in 0..<32 {
            let odd = i % 2 == 1
            if let line = summary.add(
                step(odd ? 30 : -10, frequency: odd ? -1_000 : -1_020, delay: odd ? 2_000 : 2_010),
                trueError: odd ? 40 : -20)
            {
                lines.append(line)
            }
        }
        #expect(lines.count == 2)
        // offsets ±: rms sqrt((900+100)/2) = 22.4, max 30; freq printed negated: mean +1010 ± 10; delay 2005 ± 5.
        #expect(lines.first == "rms   22 max   30 freq  +1010 +/-  10 delay  2005 +/-   5 true error rms 32 max 40")
    }

    /// summary_interval at or below the Sync interval: every measurement, as `master offset …`.
    @Test func everyMeasurementWhenTheSummaryIsNoLongerThanASync() {
        var summary = OffsetSummary(summaryInterval: -4)
        summary.setSyncInterval(LogInterval(-4))
        let line = summary.add(step(-12, frequency: -3456.4, delay: 789), trueError: 5)
        #expect(line == "master offset        -12 s2 freq   +3456 path delay       789 true error 5")
    }
}

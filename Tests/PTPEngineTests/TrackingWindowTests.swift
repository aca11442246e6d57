import PTPCore
import Testing

@testable import PTPEngine

struct TrackingWindowTests {
    @Test func rmsResidualFrequencyAndSkewOfKnownMeasurements() {
        var window = TrackingWindow()
        #expect(window.summary.rmsOffset == nil && window.summary.residualFrequency == nil)
        // Offsets growing 50 ns a second (a residual of 50 ppb) around zero, the frequency alternating 100 ± 10 ppb.
        for second in 0..<10 {
            window.add(
                offset: .nanoseconds(Int64(second * 50 - 225)), frequency: PartsPerBillion(second % 2 == 0 ? 110 : 90),
                at: PTPInstant.epoch + .seconds(Int64(second)), stepped: false)
        }
        let summary = window.summary
        #expect(summary.count == 10)
        // RMS of -225, -175, …, 225: sqrt(mean of squares) = sqrt(20625) ≈ 143.6 ns.
        #expect(abs((summary.rmsOffset?.nanosecondsDouble ?? 0) - 20_625.0.squareRoot()) < 0.01)
        #expect(abs((summary.residualFrequency ?? 0) - 50) < 1e-9)
        // Sample standard deviation of five 110s and five 90s: sqrt(1000 / 9).
        #expect(abs((summary.skew ?? 0) - (1_000.0 / 9).squareRoot()) < 1e-9)
    }

    @Test func theWindowKeepsTheLastSixtyFourAndAStepEmptiesIt() {
        var window = TrackingWindow()
        for index in 0..<100 {
            // The first 36 are far off; the last 64 are all 10 ns.
            window.add(
                offset: .nanoseconds(index < 36 ? 1_000_000 : 10), frequency: PartsPerBillion(5),
                at: PTPInstant.epoch + .milliseconds(Int64(index) * 62), stepped: false)
        }
        #expect(window.summary.count == TrackingWindow.capacity)
        #expect(abs((window.summary.rmsOffset?.nanosecondsDouble ?? 0) - 10) < 1e-6)
        #expect(window.summary.skew == 0)
        window.add(offset: .nanoseconds(5_000_000), frequency: PartsPerBillion(5), at: .epoch + .seconds(10), stepped: true)
        #expect(window.summary.count == 0 && window.summary.rmsOffset == nil)
    }
}

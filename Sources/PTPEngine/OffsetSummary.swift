import PTPCore
import PTPServo

/// ptp4l's `summary_interval`: instead of one `master offset` line per Sync, one line every
/// 2^(summary_interval − logSyncInterval) measurements (clock.c `clock_stats_update`):
/// `rms %4.0f max %4.0f freq %+6.0f +/- %3.0f delay %5.0f +/- %3.0f`. With a virtual clock Meridian
/// appends the true error's rms and max over the same samples.
public struct OffsetSummary: Sendable {
    /// `summary_interval` (log2 seconds).
    public let summaryInterval: Int
    /// Measurements per line: 1 prints every measurement.
    public private(set) var count = 1
    private var offsets = Moments()
    private var frequencies = Moments()
    private var delays = Moments()
    private var trueErrors = Moments()

    public init(summaryInterval: Int) {
        self.summaryInterval = summaryInterval
    }

    /// Follows the Sync interval, as ptp4l's `clock_sync_interval` does; a change starts a new summary.
    public mutating func setSyncInterval(_ interval: LogInterval) {
        let shift = min(30, max(0, summaryInterval - Int(interval.rawValue)))
        let new = 1 << shift
        if new != count { reset() }
        count = new
    }

    /// Adds one measurement; returns the line to log when it completes a summary, or when every
    /// measurement is printed (`master offset …` from ``DisciplineStep/logLine``).
    public mutating func add(_ step: DisciplineStep, trueError: Int64?) -> String? {
        guard count > 1 else {
            return step.logLine + (trueError.map { " true error \($0)" } ?? "")
        }
        offsets.add(step.offsetFromMaster.nanosecondsDouble)
        frequencies.add(-step.output.frequency.value)  // ptp4l prints the adjustment it applies, negated
        delays.add(step.meanPathDelay.nanosecondsDouble)
        if let trueError { trueErrors.add(Double(trueError)) }
        guard offsets.n >= count else { return nil }
        var line =
            "rms " + Self.format(offsets.rms, width: 4) + " max " + Self.format(offsets.maxAbs, width: 4)
            + " freq " + Self.format(frequencies.mean, width: 6, sign: true) + " +/- " + Self.format(frequencies.stddev, width: 3)
            + " delay " + Self.format(delays.mean, width: 5) + " +/- " + Self.format(delays.stddev, width: 3)
        if trueErrors.n > 0 {
            line += " true error rms \(Int64(trueErrors.rms.rounded())) max \(Int64(trueErrors.maxAbs.rounded()))"
        }
        reset()
        return line
    }

    public mutating func reset() {
        offsets = Moments()
        frequencies = Moments()
        delays = Moments()
        trueErrors = Moments()
    }

    /// `%<width>.0f` (with `+` for `%+`), as printf rounds.
    static func format(_ value: Double, width: Int, sign: Bool = false) -> String {
        let rounded = value.isFinite ? Int64(max(-9e15, min(9e15, value.rounded()))) : 0
        let text = (sign && rounded >= 0 ? "+" : "") + String(rounded)
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// Running sums for mean, standard deviation (ptp4l's: population, n), rms and max |x|.
    struct Moments: Sendable {
        var n = 0
        var sum = 0.0
        var squares = 0.0
        var maxAbs = 0.0
        mutating func add(_ x: Double) {
            n += 1
            sum += x
            squares += x * x
            maxAbs = max(maxAbs, abs(x))
        }
        var mean: Double { n == 0 ? 0 : sum / Double(n) }
        var rms: Double { n == 0 ? 0 : (squares / Double(n)).squareRoot() }
        var stddev: Double { n == 0 ? 0 : max(0, squares / Double(n) - mean * mean).squareRoot() }
    }
}

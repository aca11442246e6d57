import PTPCore

/// The servo a clock runs, chosen by `clock_servo`. A struct holding the one in use (rather than an
/// existential, or an enum whose payload would be copied on every mutation), so the simulator's hot loop
/// samples it in place without boxing or copying the regression buffers.
public struct SelectedServo: ClockServo {
    public let kind: ServoKind
    /// The PI servo, when ``kind`` is `.pi`.
    public private(set) var piServo: PIServo?
    /// The linear-regression servo, when ``kind`` is `.linreg`.
    public private(set) var linearRegressionServo: LinearRegressionServo?

    /// A servo of `kind` for a clock whose adjustment is now `currentFrequency`.
    public init(
        _ kind: ServoKind, configuration: ServoConfiguration = .default,
        currentFrequency: PartsPerBillion = .zero, clockMaximum: PartsPerBillion = PartsPerBillion(900_000_000),
        syncInterval: Double = 1
    ) {
        self.kind = kind
        switch kind {
        case .pi:
            piServo = PIServo(
                configuration: configuration, currentFrequency: currentFrequency,
                clockMaximum: clockMaximum, syncInterval: syncInterval)
        case .linreg:
            linearRegressionServo = LinearRegressionServo(
                configuration: configuration, currentFrequency: currentFrequency, clockMaximum: clockMaximum,
                syncInterval: syncInterval)
        }
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        if let out = piServo?.sample(offset: offset, localTime: localTime, weight: weight) { return out }
        if let out = linearRegressionServo?.sample(offset: offset, localTime: localTime, weight: weight) { return out }
        return ServoOutput(state: .unlocked, frequency: .zero)
    }

    public mutating func setSyncInterval(_ seconds: Double) {
        piServo?.setSyncInterval(seconds)
        linearRegressionServo?.setSyncInterval(seconds)
    }

    public mutating func reset() {
        piServo?.reset()
        linearRegressionServo?.reset()
    }

    public mutating func restartAcquisition() {
        piServo?.restartAcquisition()
        linearRegressionServo?.restartAcquisition()
    }

    public mutating func hold(frequency: PartsPerBillion, at localTime: PTPInstant) {
        piServo?.hold(frequency: frequency, at: localTime)
        linearRegressionServo?.hold(frequency: frequency, at: localTime)
    }

    public var state: ServoState {
        piServo?.state ?? linearRegressionServo?.state ?? .unlocked
    }

    public var lastFrequency: PartsPerBillion {
        piServo?.lastFrequency ?? linearRegressionServo?.lastFrequency ?? .zero
    }

    public var learnedFrequency: PartsPerBillion? {
        piServo?.learnedFrequency ?? linearRegressionServo?.learnedFrequency
    }
}

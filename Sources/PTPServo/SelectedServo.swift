import PTPCore

/// The servo a clock runs, chosen by `clock_servo`. A struct holding the one in use (rather than an
/// existential, or an enum whose payload would be copied on every mutation), so the simulator's hot loop
/// samples it in place without boxing or copying the regression buffers.
public struct SelectedServo: ClockServo {
    public let kind: ServoKind
    /// The servo in use's state and last frequency, copied after every change: read through the optionals
    /// from a non-mutating context, each read copied the whole servo (the clock engine reads both on every
    /// measurement). Declared first, so that they share a cache line with ``kind``.
    public private(set) var state: ServoState = .unlocked
    public private(set) var lastFrequency: PartsPerBillion
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
        lastFrequency = currentFrequency
        mirror()
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        defer { mirror() }
        if let out = piServo?.sample(offset: offset, localTime: localTime, weight: weight) { return out }
        if let out = linearRegressionServo?.sample(offset: offset, localTime: localTime, weight: weight) { return out }
        return ServoOutput(state: .unlocked, frequency: .zero)
    }

    public mutating func setSyncInterval(_ seconds: Double) {
        piServo?.setSyncInterval(seconds)
        linearRegressionServo?.setSyncInterval(seconds)
        mirror()
    }

    public mutating func reset() {
        piServo?.reset()
        linearRegressionServo?.reset()
        mirror()
    }

    public mutating func restartAcquisition() {
        piServo?.restartAcquisition()
        linearRegressionServo?.restartAcquisition()
        mirror()
    }

    public mutating func hold(frequency: PartsPerBillion, at localTime: PTPInstant) {
        piServo?.hold(frequency: frequency, at: localTime)
        linearRegressionServo?.hold(frequency: frequency, at: localTime)
        mirror()
    }

    /// Copies the servo in use's state and last frequency (in a mutating context, where the optionals are
    /// read in place).
    private mutating func mirror() {
        if let state = piServo?.state, let frequency = piServo?.lastFrequency {
            self.state = state
            lastFrequency = frequency
        } else if let state = linearRegressionServo?.state, let frequency = linearRegressionServo?.lastFrequency {
            self.state = state
            lastFrequency = frequency
        }
    }

    public var learnedFrequency: PartsPerBillion? {
        piServo?.learnedFrequency ?? linearRegressionServo?.learnedFrequency
    }
}

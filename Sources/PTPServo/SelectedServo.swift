import PTPCore

/// The servo a clock runs, chosen by `clock_servo`; an enum rather than an existential so the
/// simulator's hot loop calls it without boxing.
public enum SelectedServo: ClockServo {
    case pi(PIServo)
    case linreg(LinearRegressionServo)

    /// A servo of `kind` for a clock whose adjustment is now `currentFrequency`.
    public init(
        _ kind: ServoKind, configuration: ServoConfiguration = .default,
        currentFrequency: PartsPerBillion = .zero, clockMaximum: PartsPerBillion = PartsPerBillion(900_000_000),
        syncInterval: Double = 1
    ) {
        switch kind {
        case .pi:
            self = .pi(PIServo(configuration: configuration, currentFrequency: currentFrequency,
                               clockMaximum: clockMaximum, syncInterval: syncInterval))
        case .linreg:
            self = .linreg(LinearRegressionServo(configuration: configuration, currentFrequency: currentFrequency,
                                                 clockMaximum: clockMaximum, syncInterval: syncInterval))
        }
    }

    public mutating func sample(offset: PTPDuration, localTime: PTPInstant, weight: Double = 1) -> ServoOutput {
        switch self {
        case .pi(var s):
            let out = s.sample(offset: offset, localTime: localTime, weight: weight)
            self = .pi(s)
            return out
        case .linreg(var s):
            let out = s.sample(offset: offset, localTime: localTime, weight: weight)
            self = .linreg(s)
            return out
        }
    }

    public mutating func setSyncInterval(_ seconds: Double) {
        switch self {
        case .pi(var s):
            s.setSyncInterval(seconds)
            self = .pi(s)
        case .linreg(var s):
            s.setSyncInterval(seconds)
            self = .linreg(s)
        }
    }

    public mutating func reset() {
        switch self {
        case .pi(var s):
            s.reset()
            self = .pi(s)
        case .linreg(var s):
            s.reset()
            self = .linreg(s)
        }
    }

    public var state: ServoState {
        switch self {
        case .pi(let s): s.state
        case .linreg(let s): s.state
        }
    }

    public var lastFrequency: PartsPerBillion {
        switch self {
        case .pi(let s): s.lastFrequency
        case .linreg(let s): s.lastFrequency
        }
    }
}

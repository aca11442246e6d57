import PTPCore

/// What the clock must do after a servo sample.
///
/// The sign convention is the standard's: the offset given to the servo is
/// `offsetFromMaster` = local time − master time (IEEE 1588-2019 11.2), and ``frequency`` is the
/// absolute adjustment to apply (positive makes the clock run faster), so a clock that is ahead is
/// slowed down. When ``state`` is ``ServoState/jump``, ``step`` is the amount to add to the clock
/// (the negated offset) before applying ``frequency``.
public struct ServoOutput: Sendable, Hashable {
    public var state: ServoState
    public var frequency: PartsPerBillion
    public var step: PTPDuration?

    public init(state: ServoState, frequency: PartsPerBillion, step: PTPDuration? = nil) {
        self.state = state
        self.frequency = frequency
        self.step = step
    }
}

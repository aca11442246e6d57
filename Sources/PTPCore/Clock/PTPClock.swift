/// Why a clock operation failed.
public enum ClockError: Error, Sendable, Hashable {
    /// The operating system refused; `errno` and the operation that failed.
    case system(operation: String, errno: Int32)
    /// The requested frequency is outside what the clock can do.
    case frequencyOutOfRange(requested: PartsPerBillion, limit: PartsPerBillion)
    /// The clock may not be steered (for example the system clock without `CAP_SYS_TIME` or permission).
    case notPermitted(String)
    /// The device does not exist or is not a clock.
    case unavailable(String)
}

/// A clock that PTP reads and disciplines: a PHC, the system clock, or a virtual clock
/// (DESIGN.md, "Time"). The `ClockActor` is the only caller of the steering methods.
public protocol PTPClock: Sendable {
    /// A short name for logs (`/dev/ptp0`, `CLOCK_REALTIME`, `virtual`).
    var name: String { get }

    /// The largest frequency adjustment the clock accepts.
    var maxFrequency: PartsPerBillion { get }

    /// The current time on this clock.
    func now() throws(ClockError) -> PTPInstant

    /// The frequency adjustment now in force.
    func frequency() throws(ClockError) -> PartsPerBillion

    /// Sets the frequency adjustment (absolute, not incremental).
    func adjustFrequency(_ adjustment: PartsPerBillion) throws(ClockError)

    /// Steps the clock by `offset` (positive moves it forward).
    func step(by offset: PTPDuration) throws(ClockError)
}

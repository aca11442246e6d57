import PTPCore

/// What a reference source tells the clock: samples to discipline by, and how the source itself is doing
/// (for the log and the status). The daemon forwards these from the source's thread into its `ClockActor`.
public enum ReferenceEvent: Sendable, Hashable {
    /// A pulse labelled with its second: give it to `ReferenceDiscipline.sample(_:)`.
    case sample(ReferenceSample)
    /// The source's time-of-day provider (gpsd) connected.
    case connected
    /// The source lost its provider or device; it retries by itself.
    case disconnected(reason: String)
    /// An edge came without a usable time of day (no report for its second, or a stale one): not a sample.
    case unlabelledEdge(reason: String)
    /// A report from the time-of-day provider had a number out of range (gpsd's JSON is outside input): dropped;
    /// the daemon counts and logs it (rate-limited).
    case rejectedReport(reason: String)
}

/// Why a reference source could not start.
public struct ReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A time reference that produces ``ReferenceEvent``s from its own thread until stopped.
public protocol ReferenceSource: AnyObject, Sendable {
    /// For logs: `gpsd 127.0.0.1:2947`, `pps /dev/pps0`, …
    var name: String { get }
    /// Opens devices and starts the thread; throws with a message an operator can act on.
    func start() throws(ReferenceError)
    /// Stops the thread and waits for it.
    func stop()
}

extension PTPInstant {
    /// A gpsd time (`clock` stamps are `CLOCK_REALTIME` readings) as an instant on the system clock's scale.
    init(_ time: UnixTime) {
        self.init(seconds: time.seconds, nanoseconds: time.nanoseconds)
    }
}

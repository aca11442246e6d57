import LinuxPlatform
import PTPCore
import PTPServo

/// The system clock following the disciplined clock in-process: phc2sys's role (`phc2sys -s <PHC> -c
/// CLOCK_REALTIME`), with its own PI servo (the configuration's gains, `step_threshold`,
/// `first_step_threshold`), once a second. The offset is follower − disciplined clock at one CLOCK_REALTIME
/// instant, the disciplined clock read through its relation to the system clock (sys-offset on a PHC) and
/// brought to UTC (less TAI − UTC when it keeps TAI), so the follower keeps UTC as `CLOCK_REALTIME` does.
///
/// Never two steerers of one clock: a follower of `CLOCK_REALTIME` is refused when the daemon already
/// disciplines the system clock (``conflict(followerIsRealtime:disciplined:)``). The lab runs it on a
/// virtual clock standing in for `CLOCK_REALTIME` (`system_clock_follower virtual`), never on the real one.
struct SystemClockFollower: Sendable {
    let clock: any PTPClock
    /// The follower's reading at a CLOCK_REALTIME instant (itself for the real system clock).
    let reading: @Sendable (PTPInstant) -> PTPInstant
    /// The follower's true error (virtual stand-in only).
    let trueError: (@Sendable () -> PTPDuration?)?
    var servo: PIServo
    private(set) var lastOffset: PTPDuration?

    init(
        clock: any PTPClock, reading: @escaping @Sendable (PTPInstant) -> PTPInstant,
        trueError: (@Sendable () -> PTPDuration?)?, servo: ServoConfiguration
    ) {
        self.clock = clock
        self.reading = reading
        self.trueError = trueError
        self.servo = PIServo(
            configuration: servo, currentFrequency: (try? clock.frequency()) ?? .zero, clockMaximum: clock.maxFrequency,
            syncInterval: 1)
    }

    /// Why the configuration would make two steerers of one clock, or nil.
    static func conflict(followerIsRealtime: Bool, disciplined: ClockSource) -> String? {
        guard followerIsRealtime, disciplined.clock is SystemClock else { return nil }
        let role = disciplined.steerable ? "already disciplines" : "reads"
        return "system_clock_follower realtime would make CLOCK_REALTIME follow itself: the daemon \(role) the "
            + "system clock (clock_device system, or auto with software stamps); follow a PHC (clock_device "
            + "/dev/ptpN, or auto with hardware stamps), or drop one of the two"
    }

    /// One measurement and adjustment; returns the log line.
    mutating func tick(system: PTPInstant, disciplinedUTC: PTPInstant) -> String {
        let followerTime = reading(system)
        let offset = followerTime - disciplinedUTC
        lastOffset = offset
        let output = servo.sample(offset: offset, localTime: followerTime)
        var problems: [String] = []
        if let step = output.step {
            do { try clock.step(by: step) } catch { problems.append("step: \(error)") }
        }
        do { try clock.adjustFrequency(output.frequency) } catch { problems.append("frequency: \(error)") }
        var line =
            "follower \(clock.name) offset \(offset.roundedNanoseconds) s\(output.state.rawValue) freq \(Int64(output.frequency.value.rounded()))"
        if let error = trueError?() { line += " follower true error \(error.roundedNanoseconds)" }
        if !problems.isEmpty { line += " (" + problems.joined(separator: "; ") + ")" }
        return line
    }
}

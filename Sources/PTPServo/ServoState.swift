/// The state a servo reports after each sample, as linuxptp's `servo.h` names them.
///
/// ptp4l prints them as `s0`, `s1`, `s2` in its `master offset … s2 freq …` lines.
public enum ServoState: UInt8, Sendable, Hashable, CaseIterable {
    /// Not yet enough samples to steer (`SERVO_UNLOCKED`, `s0`).
    case unlocked = 0
    /// The clock must be stepped by the returned amount (`SERVO_JUMP`, `s1`).
    case jump = 1
    /// The servo is steering the frequency (`SERVO_LOCKED`, `s2`).
    case locked = 2
}

extension ServoState: CustomStringConvertible {
    public var description: String { "s\(rawValue)" }
}

/// Whether time stamps come from the kernel's software path or from hardware; the PI servo's
/// default gains depend on it (ptp4l `time_stamping`).
public enum TimestampingMode: Sendable, Hashable {
    case hardware
    case software
}

/// `clock_servo` in ptp4l's configuration.
public enum ServoKind: String, Sendable, Hashable, CaseIterable {
    case pi
    case linreg
}

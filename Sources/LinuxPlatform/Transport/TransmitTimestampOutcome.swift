import PTPCore

/// What became of a transmit timestamp.
public enum TransmitTimestampOutcome: Sendable, Hashable {
    /// The kernel's stamp of the message, on the timestamping clock.
    case stamped(PTPInstant)
    /// No stamp within `tx_timestamp_timeout`: the message is given up and counted. `consecutive` is the length
    /// of the current run of misses; it stays below the fault threshold.
    case missed(consecutive: Int)
    /// A run of `consecutive` misses reached the configured threshold: the port should go FAULTY.
    case fault(consecutive: Int)
}

extension TransmitTimestampOutcome: CustomStringConvertible {
    /// ptp4l's wording for a missed stamp, which operators grep for, with the run length.
    public var description: String {
        switch self {
        case .stamped(let instant):
            "transmit timestamp \(instant)"
        case .missed(let run):
            "timed out while polling for tx timestamp (\(run) in a row); increasing tx_timestamp_timeout may "
                + "correct this issue, but it is likely caused by a driver bug"
        case .fault(let run):
            "\(run) tx timestamps in a row timed out: port faulty; increasing tx_timestamp_timeout may correct "
                + "this issue, but it is likely caused by a driver bug"
        }
    }
}

import Glibc
import Logging
import Synchronization

/// Logs the way ptp4l does, so operators' greps keep working: `meridiand[5179.478]: port 1: …` on
/// standard output with `-m` (`verbose 1`), and to syslog unless `use_syslog 0`. The bracket is the
/// monotonic time in seconds, as ptp4l prints it.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let toStandardOutput: Bool
    let toSyslog: Bool
    let label: String
    /// `message_tag`: put before every message, as ptp4l's print.c does.
    let tag: String

    public init(label: String, level: Logger.Level, standardOutput: Bool, syslog: Bool, tag: String = "") {
        self.label = label
        self.tag = tag
        self.logLevel = level
        self.toStandardOutput = standardOutput
        self.toSyslog = syslog
        if syslog { DaemonLogHandler.openSyslog() }
    }

    /// The swift-log level for ptp4l's `logging_level` (syslog priorities 0–7).
    public static func level(forSyslogPriority priority: Int) -> Logger.Level {
        switch priority {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let text = tag.isEmpty ? "\(event.message)" : "\(tag) \(event.message)"
        var line = LogWriter.Line()
        if toStandardOutput {
            // Stamped now, written by the log writer's thread (``LogWriter``): logging never waits for the output.
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            var millis = String(now.tv_nsec / 1_000_000)
            while millis.count < 3 { millis = "0" + millis }
            line.standardOutput = "\(label)[\(now.tv_sec).\(millis)]: \(text)\n"
        }
        if toSyslog {
            let priority: Int32
            switch event.level {
            case .trace, .debug: priority = LOG_DEBUG
            case .info: priority = LOG_INFO
            case .notice: priority = LOG_NOTICE
            case .warning: priority = LOG_WARNING
            case .error: priority = LOG_ERR
            case .critical: priority = LOG_CRIT
            }
            line.syslog = (priority, text)
        }
        if line.standardOutput != nil || line.syslog != nil { LogWriter.shared.enqueue(line) }
    }

    private static let syslogOpened = Atomic<Bool>(false)

    private static func openSyslog() {
        if syslogOpened.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            openlog("meridiand", LOG_PID | LOG_NDELAY, LOG_DAEMON)
        }
    }
}

import Dispatch
import GNSSReference
import Glibc
import LinuxPlatform
import Logging
import MeridianConfig
import ServiceLifecycle
import Synchronization
import UnixSignals

/// What the command line asked for, in ptp4l's terms (`-f`, `-i`, `-2/-4/-6`, `-E/-P`, `-S/-H`, `-s`,
/// `-m`, `-q`, `-l`), plus Meridian's `--check-config` and `--clock`.
public struct DaemonOptions: Sendable, Hashable {
    public var configFile: String?
    public var interfaces: [String]
    /// Options that the flags set; they win over the files, as in ptp4l.
    public var overrides: [String: String]
    /// Validate, print the effective settings and exit.
    public var checkConfig: Bool

    public init(
        configFile: String? = nil, interfaces: [String] = [], overrides: [String: String] = [:], checkConfig: Bool = false
    ) {
        self.configFile = configFile
        self.interfaces = interfaces
        self.overrides = overrides
        self.checkConfig = checkConfig
    }
}

/// How `meridiand` ends, as an exit status operators and scripts can rely on.
public enum DaemonExit: Int32, Sendable {
    case success = 0
    /// A run-time failure after start-up.
    case failure = 1
    /// Bad command line or configuration: nothing was opened.
    case usage = 2
}

/// The entry point `meridiand` calls after parsing its arguments.
public enum Meridiand {
    /// The signal meridiand uses inside itself to drop capabilities in every thread (``Privileges``); `main`
    /// unblocks it with SIGTERM, SIGINT and SIGHUP before any other thread exists.
    public static var capabilitySignal: Int32 { ProcessCapabilities.signal }

    /// The signal meridiand uses inside itself to switch every thread to the `user` option's user after start-up
    /// (``Privileges``); `main` unblocks it too.
    public static var switchSignal: Int32 { ProcessCapabilities.switchSignal }

    /// Least privilege (``Privileges``): limits the process's capabilities to what the configuration needs.
    /// Call it from `main` while the process is one thread, before ``serve(_:)``; what it did is logged by
    /// ``serve(_:)``. Does nothing when the configuration does not load (``serve(_:)`` then reports it).
    public static func limitPrivileges(_ options: DaemonOptions) {
        guard case .success(let configuration) = ConfigurationLoader.load(options) else { return }
        privilegeReport.withLock { $0 = Privileges.limit(configuration) }
    }

    private static let privilegeReport = Mutex<Privileges.Report?>(nil)

    /// docs/options.md: every option, its meaning and what Meridian does with it (`meridiand --list-options`).
    public static func optionsDocument() -> String {
        ConfigKeys.optionsDocument()
    }

    /// Loads and validates the configuration; with `--check-config` prints it. Returns the exit status
    /// and everything to print (standard output, standard error).
    public static func run(_ options: DaemonOptions) -> (status: DaemonExit, output: String, errors: String) {
        let configuration: Configuration
        switch ConfigurationLoader.load(options) {
        case .failure(let errors):
            return (.usage, "", errors.description + "\nmeridiand: configuration rejected; nothing was started\n")
        case .success(let loaded):
            configuration = loaded
        }
        let warnings = configuration.warnings.map { $0.description + "\n" }.joined()
        if options.checkConfig {
            return (.success, configuration.effectiveSettingsText(), warnings)
        }
        return (.success, "", warnings)
    }

    /// ``serve(_:)`` for a synchronous `main`: the daemon runs on the cooperative pool while the calling thread
    /// waits for its exit status. meridiand's `main` is not Swift's async main, which ends the main thread with
    /// `pthread_exit` inside `dispatch_main`: glibc cancels that thread by a forced unwind, which reads the unwind
    /// tables of the executable and of libc (about 0.5 MB of them stay resident for the daemon's life:
    /// ARCHITECTURE.md, "Memory and CPU"), and the process's main thread, the one `/proc/PID/status` describes, would be
    /// an exiting one for as long as the daemon runs.
    public static func serveWaiting(_ options: DaemonOptions) -> DaemonExit {
        let outcome = ServeOutcome()
        Task.detached { outcome.finish(await serve(options)) }
        return outcome.wait()
    }

    /// Validates the configuration, then runs the daemon until SIGTERM or SIGINT. Returns the exit status.
    public static func serve(_ options: DaemonOptions) async -> DaemonExit {
        let configuration: Configuration
        switch ConfigurationLoader.load(options) {
        case .failure(let errors):
            writeError(errors.description + "\nmeridiand: configuration rejected; nothing was started\n")
            return .usage
        case .success(let loaded):
            configuration = loaded
        }
        let verbose = configuration.flag("verbose")
        let syslog = configuration.flag("use_syslog")
        let level = DaemonLogHandler.level(forSyslogPriority: Int(configuration.integer("logging_level")))
        var logger = Logger(label: "meridiand") { label in
            DaemonLogHandler(
                label: label, level: level, standardOutput: verbose, syslog: syslog,
                tag: configuration.string("message_tag"))
        }
        logger.logLevel = level
        for warning in configuration.warnings { logger.warning("\(warning)") }
        if let report = privilegeReport.withLock({ $0 }) {
            for line in report.notices { logger.notice("\(line)") }
            for line in report.warnings { logger.warning("\(line)") }
        }
        // Whom the gpsd client believes on a loopback address (issue #17); every GPSDClient made from here reads it.
        GPSDPeerTrust.configured = GPSDPeerTrust(user: configuration.string("gpsd_user"))
        let service = MeridianService(options: options, configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // The log writer's thread writes what is queued before the process exits (``LogWriter``).
        defer { LogWriter.shared.flush() }
        do {
            try await group.run()
            return .success
        } catch {
            logger.critical("\(error)")
            LogWriter.shared.flush()
            writeError("meridiand: \(error)\n")
            return (error as? StartupError)?.exit ?? .failure
        }
    }

    static func writeError(_ text: String) {
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}

/// The exit status ``Meridiand/serveWaiting(_:)`` waits for: set once by the task that ran the daemon.
private final class ServeOutcome: Sendable {
    private let status = Mutex<DaemonExit?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ exit: DaemonExit) {
        status.withLock { $0 = exit }
        done.signal()
    }

    func wait() -> DaemonExit {
        done.wait()
        return status.withLock { $0 } ?? .failure
    }
}

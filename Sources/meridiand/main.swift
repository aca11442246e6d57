// meridiand: the Meridian daemon. Argument parsing only; everything else is in MeridianDaemon.
import ArgumentParser
import Glibc
import MeridianDaemon

/// The command line mirrors ptp4l's so operators and scripts feel at home.
struct MeridiandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meridiand",
        abstract: "IEEE 1588-2019 grandmaster and boundary clock daemon (ptp4l-compatible options)."
    )

    @Option(name: .customShort("f"), help: "Read the configuration from FILE (ptp4l format; ports.d/ next to it).")
    var file: String?
    @Option(name: .customShort("i", allowingJoined: true), help: "Add a port on interface IFACE (repeatable).")
    var interfaces: [String] = []
    @Flag(name: .customShort("2"), help: "IEEE 802.3 transport.") var ieee802_3 = false
    @Flag(name: .customShort("4"), help: "UDP over IPv4 transport (default).") var udpIPv4 = false
    @Flag(name: .customShort("6"), help: "UDP over IPv6 transport.") var udpIPv6 = false
    @Flag(name: .customShort("E"), help: "End-to-end delay mechanism (default).") var e2e = false
    @Flag(name: .customShort("P"), help: "Peer-to-peer delay mechanism.") var p2p = false
    @Flag(
        name: .customShort("S"),
        help:
            "Software timestamping; with clock_device auto the system clock is the PTP clock, steered unless free_running (as ptp4l -S)."
    )
    var software = false
    @Flag(name: .customShort("H"), help: "Hardware timestamping (default).") var hardware = false
    @Flag(name: .customShort("s"), help: "Slave only.") var slaveOnly = false
    @Flag(name: .customShort("m"), help: "Print messages to standard output.") var verbose = false
    @Flag(name: .customShort("q"), help: "Do not print messages to syslog.") var quiet = false
    @Option(name: .customShort("l"), help: "Logging level 0-7 (6 = info).") var level: Int?
    @Flag(name: .customShort("v"), help: "Print the version and exit.") var version = false
    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print the effective settings, exit.")
    var checkConfig = false
    @Flag(name: .customLong("list-options"), help: "Print every option, its meaning and Meridian's support (docs/options.md).")
    var listOptions = false
    @Option(name: .customLong("clock"), help: "Clock to discipline: virtual, system or /dev/ptpN.") var clock: String?
    // Meridian's own options are long ones (ptp4l has no user switch; pmc's -u means something else).
    @Option(
        name: .customLong("user"),
        help: "Once the sockets and devices are open, run as USER (the `user` option; start as root).")
    var user: String?

    func options() throws -> DaemonOptions {
        var overrides: [String: String] = [:]
        let transports = [(ieee802_3, "L2"), (udpIPv4, "UDPv4"), (udpIPv6, "UDPv6")].filter(\.0)
        guard transports.count <= 1 else { throw ValidationError("choose one of -2, -4 and -6") }
        if let transport = transports.first { overrides["network_transport"] = transport.1 }
        guard !(e2e && p2p) else { throw ValidationError("choose one of -E and -P") }
        if e2e { overrides["delay_mechanism"] = "E2E" }
        if p2p { overrides["delay_mechanism"] = "P2P" }
        guard !(software && hardware) else { throw ValidationError("choose one of -S and -H") }
        if software { overrides["time_stamping"] = "software" }
        if hardware { overrides["time_stamping"] = "hardware" }
        if slaveOnly { overrides["slaveOnly"] = "1" }
        if verbose { overrides["verbose"] = "1" }
        if quiet { overrides["use_syslog"] = "0" }
        if let level { overrides["logging_level"] = String(level) }
        if let clock { overrides["clock_device"] = clock }
        if let user { overrides["user"] = user }
        return DaemonOptions(configFile: file, interfaces: interfaces, overrides: overrides, checkConfig: checkConfig)
    }
}

func emit(_ text: String, to fd: Int32) {
    guard !text.isEmpty else { return }
    _ = text.withCString { write(fd, $0, strlen($0)) }
}

let command: MeridiandCommand
do {
    command = try MeridiandCommand.parseAsRoot() as? MeridiandCommand ?? MeridiandCommand()
} catch {
    let code = MeridiandCommand.exitCode(for: error)
    emit(MeridiandCommand.fullMessage(for: error) + "\n", to: code == .success ? 1 : 2)
    exit(code == .success ? 0 : DaemonExit.usage.rawValue)
}
if command.version {
    emit("meridiand 0.1.0\n", to: 1)
    exit(0)
}
if command.listOptions {
    emit(Meridiand.optionsDocument(), to: 1)
    exit(0)
}
let options: DaemonOptions
do {
    options = try command.options()
} catch {
    emit("meridiand: \(MeridiandCommand.fullMessage(for: error))\n", to: 2)
    exit(DaemonExit.usage.rawValue)
}
// A parent (a test runner, some supervisors) may start us with signals blocked; the daemon must still
// hear SIGTERM, SIGINT and SIGHUP to shut down cleanly and to reload.
var handled = sigset_t()
sigemptyset(&handled)
for signal in [SIGTERM, SIGINT, SIGHUP, Meridiand.capabilitySignal, Meridiand.switchSignal] {
    sigaddset(&handled, signal)
}
pthread_sigmask(SIG_UNBLOCK, &handled, nil)

if options.checkConfig {
    let (status, output, errors) = Meridiand.run(options)
    emit(output, to: 1)
    emit(errors, to: 2)
    exit(status.rawValue)
}
// Least privilege: limited here, while this is the only thread, so every thread made later inherits it.
Meridiand.limitPrivileges(options)
exit(Meridiand.serveWaiting(options).rawValue)

/// meridiand's command line, read as ptp4l reads its own: POSIX getopt(3) short options (`-f FILE`, `-fFILE`,
/// bundled flags such as `-mq` or `-2Sm`, `--` ends the options), plus Meridian's long options (`--clock X` or
/// `--clock=X`). A ptp4l command line (`ptp4l -f gm.cfg -i eth0 -m -q -l 7`) means the same here.
///
/// Hand-written rather than swift-argument-parser: that library discovers a command's options by reflecting
/// over its properties at every start, which makes the runtime read the reflection metadata of the whole
/// program and demangle type names (ARCHITECTURE.md, "Memory and CPU": about 0.5 MB more resident for the daemon's life),
/// and its syntax differs from getopt's in the corners ptp4l users rely on (`-l7`, `-mq`).
public enum DaemonArguments {
    /// What the command line asks for.
    public enum Request: Equatable, Sendable {
        /// Start (or, with `checkConfig`, validate) with these options.
        case run(DaemonOptions)
        /// `-h`, `--help`: print ``usage`` to standard output, exit 0.
        case help
        /// `-v`, `--version`: print ``version``, exit 0.
        case version
        /// `--list-options`: print every configuration option (docs/options.md), exit 0.
        case listOptions
    }

    /// A command line that cannot be right: printed with a pointer to `-h`, exit 2, nothing started.
    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public static let version = "meridiand 0.1.0"

    public static let usage = """
        usage: meridiand [options]

        IEEE 1588-2019 grandmaster and boundary clock daemon; its options are ptp4l's.

         Delay mechanism
         -E              end-to-end delay mechanism (default)
         -P              peer-to-peer delay mechanism
         Network transport
         -2              IEEE 802.3
         -4              UDP over IPv4 (default)
         -6              UDP over IPv6
         Time stamping
         -H              hardware time stamping (default)
         -S              software time stamping; with clock_device auto the system clock is the PTP clock,
                         steered unless free_running (as ptp4l -S)
         Other options
         -f FILE         read the configuration from FILE (ptp4l format; ports.d/ next to it)
         -i IFACE        add a port on interface IFACE (repeatable)
         -s              slave only
         -l LEVEL        logging level 0-7 (6 = info)
         -m              print messages to standard output
         -q              do not print messages to syslog
         -v, --version   print the version and exit
         -h, --help      print this message and exit
         Meridian's own
         --check-config  validate the configuration, print the effective settings, exit
         --list-options  print every option, its meaning and Meridian's support (docs/options.md)
         --clock CLOCK   clock to discipline: virtual, system or /dev/ptpN
         --user USER     once the sockets and devices are open, run as USER (the `user` option; start as root)

        """

    /// The short options that take no argument.
    private static let flags: Set<Character> = ["E", "P", "2", "4", "6", "H", "S", "s", "m", "q", "v", "h"]
    /// The short options that take an argument.
    private static let valued: Set<Character> = ["f", "i", "l"]
    /// The long options that take an argument.
    private static let longValued: Set<String> = ["clock", "user"]

    /// Reads `arguments` (without the program's name). The first `-h` or `-v` wins over everything after it, as
    /// in ptp4l; a usage error anywhere before it stops the parse.
    public static func parse(_ arguments: [String]) throws(UsageError) -> Request {
        var seen: [Character] = []
        var values: [(Character, String)] = []
        var long: [String: String] = [:]
        var longFlags: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                if index < arguments.count { throw UsageError("unexpected argument '\(arguments[index])'") }
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                switch name {
                case "help": return .help
                case "version": return .version
                case "check-config", "list-options":
                    guard inline == nil else { throw UsageError("option --\(name) takes no value") }
                    longFlags.insert(name)
                case _ where longValued.contains(name):
                    if let inline {
                        long[name] = inline
                    } else {
                        guard index < arguments.count else { throw UsageError("option --\(name) needs a value") }
                        long[name] = arguments[index]
                        index += 1
                    }
                default:
                    throw UsageError("unknown option --\(name)")
                }
                continue
            }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                throw UsageError("unexpected argument '\(argument)'")
            }
            // One argument of short options: flags bundled, the last of them possibly one that takes a value
            // (joined, `-fgm.cfg`, or the next argument).
            var rest = argument.dropFirst()
            while let option = rest.first {
                rest = rest.dropFirst()
                if flags.contains(option) {
                    if option == "h" { return .help }
                    if option == "v" { return .version }
                    seen.append(option)
                } else if valued.contains(option) {
                    let value: String
                    if !rest.isEmpty {
                        value = String(rest)
                    } else {
                        guard index < arguments.count else { throw UsageError("option -\(option) needs a value") }
                        value = arguments[index]
                        index += 1
                    }
                    values.append((option, value))
                    break
                } else {
                    throw UsageError("unknown option -\(option)")
                }
            }
        }
        if longFlags.contains("list-options") { return .listOptions }
        return .run(try options(flags: seen, values: values, long: long, checkConfig: longFlags.contains("check-config")))
    }

    /// The options the flags and values set, as configuration overrides (they win over the files, as in ptp4l).
    private static func options(
        flags: [Character], values: [(Character, String)], long: [String: String], checkConfig: Bool
    ) throws(UsageError) -> DaemonOptions {
        var overrides: [String: String] = [:]
        /// One of a group of exclusive flags, or none.
        func oneOf(_ group: [(Character, String)]) throws(UsageError) -> String? {
            let chosen = group.filter { flags.contains($0.0) }
            guard chosen.count <= 1 else {
                let names = group.map { "-\($0.0)" }
                throw UsageError("choose one of \(names.dropLast().joined(separator: ", ")) and \(names.last ?? "")")
            }
            return chosen.first?.1
        }
        overrides["network_transport"] = try oneOf([("2", "L2"), ("4", "UDPv4"), ("6", "UDPv6")])
        overrides["delay_mechanism"] = try oneOf([("E", "E2E"), ("P", "P2P")])
        overrides["time_stamping"] = try oneOf([("S", "software"), ("H", "hardware")])
        if flags.contains("s") { overrides["slaveOnly"] = "1" }
        if flags.contains("m") { overrides["verbose"] = "1" }
        if flags.contains("q") { overrides["use_syslog"] = "0" }
        var file: String?
        var interfaces: [String] = []
        for (option, value) in values {
            switch option {
            case "f":
                file = value  // The last -f counts, as in ptp4l.
            case "i":
                interfaces.append(value)
            default:  // "l"
                guard let level = Int(value) else { throw UsageError("option -l needs an integer, not '\(value)'") }
                overrides["logging_level"] = String(level)
            }
        }
        if let clock = long["clock"] { overrides["clock_device"] = clock }
        if let user = long["user"] { overrides["user"] = user }
        return DaemonOptions(configFile: file, interfaces: interfaces, overrides: overrides, checkConfig: checkConfig)
    }
}

/// meridianctl's command line: pmc's flags (getopt style, `-b0` or `-b 0`), Meridian's verbs and
/// `--json`, `--timeout`, `--interval`.
struct CtlOptions {
    enum Transport: String {
        case uds = "-u"
        case ieee802_3 = "-2"
        case udpIPv4 = "-4"
        case udpIPv6 = "-6"
    }

    enum Verb: String {
        case status
        case watch
        case events
        case tracking
    }

    var transport: Transport = .uds
    var boundaryHops: UInt8 = 0
    var domainNumber: UInt8 = 0
    var serverPath = "/var/run/ptp4l"
    var localPath: String?
    var transportSpecific: UInt8 = 0
    var json = false
    /// `events --time-sync`: also linuxptp 4's NOTIFY_TIME_SYNC (TIME_STATUS_NP after every measurement).
    var timeSync = false
    /// How long to wait for the first reply to each request.
    var timeoutMilliseconds: Int32 = 1000
    var intervalMilliseconds: Int32 = 1000
    var verb: Verb?
    var commands: [String] = []
    var help = false
    var version = false

    struct UsageError: Error {
        var message: String
    }

    static let usage = """
        usage: meridianctl [options] [commands]
               meridianctl [options] status|watch|events|tracking

         Transport (as pmc)
          -u            Unix domain socket (meridianctl's default)
          -2 | -4 | -6  IEEE 802.3, UDPv4, UDPv6 on interface -i (default eth0)

         Options (as pmc)
          -b num        boundary hops, default 0: this daemon only (pmc's default 1 also asks the clocks beyond it)
          -d num        domain number, default 0
          -i path|dev   local socket path (default /var/run/meridianctl.$pid), or the interface
          -s path       server address, default /var/run/ptp4l (read-only: /var/run/ptp4lro)
          -t hex        transport specific field, default 0x0
          -z            accepted for pmc compatibility (GETs are always sent with empty data)
          -h            this message    -v  version

         Meridian
          status            one screen: role, grandmaster, ports, servo, reference, holdover
          watch             status, refreshed every --interval
          events            subscribe to port state, grandmaster (and clockClass) changes and
                            Meridian's status changes (reference state, holdover entered and left,
                            LOCKED/HOLDOVER/FREERUN) and print each notification
          --time-sync       with events: also TIME_SYNC (TIME_STATUS_NP after every measurement)
          tracking          chronyc tracking's fields for this clock: reference ID (grandmaster),
                            offsets, RMS offset, frequency, residual, skew, root delay, error bound,
                            update interval, leap status
          --json            JSON output (an array of replies; one object per status or event)
          --timeout secs    wait for an answer, default 1
          --interval secs   watch refresh, default 1

         Commands (pmc grammar): GET|SET|CMD <ID> [values], TARGET <portIdentity>|*
         Exit: 0 answered, 1 the daemon said no (error status), 2 usage, 3 no answer in time.
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> CtlOptions {
        var options = CtlOptions()
        var index = 0
        func value(_ flag: String, _ inline: Substring) throws(UsageError) -> String {
            if !inline.isEmpty { return String(inline) }
            index += 1
            guard index < arguments.count else { throw UsageError(message: "option \(flag) needs a value") }
            return arguments[index]
        }
        func number<T: FixedWidthInteger>(_ flag: String, _ text: String, radix: Int = 10) throws(UsageError) -> T {
            guard let value = T(text, radix: radix) else { throw UsageError(message: "bad value for \(flag): \(text)") }
            return value
        }
        func seconds(_ flag: String, _ text: String) throws(UsageError) -> Int32 {
            guard let value = Double(text), value > 0, value < 86_400 else {
                throw UsageError(message: "bad value for \(flag): \(text)")
            }
            return Int32(value * 1000)
        }
        var positional: [String] = []
        while index < arguments.count {
            let argument = arguments[index]
            defer { index += 1 }
            if argument == "--json" {
                options.json = true
            } else if argument == "--time-sync" {
                options.timeSync = true
            } else if argument == "--timeout" || argument.hasPrefix("--timeout=") {
                options.timeoutMilliseconds = try seconds(
                    "--timeout", try value("--timeout", argument.dropFirst("--timeout".count).drop { $0 == "=" }))
            } else if argument == "--interval" || argument.hasPrefix("--interval=") {
                options.intervalMilliseconds = try seconds(
                    "--interval", try value("--interval", argument.dropFirst("--interval".count).drop { $0 == "=" }))
            } else if argument == "--help" {
                options.help = true
            } else if argument.hasPrefix("-"), argument.count >= 2, !argument.hasPrefix("--") {
                let flag = String(argument.prefix(2))
                let inline = argument.dropFirst(2)
                switch flag {
                case "-u": options.transport = .uds
                case "-2": options.transport = .ieee802_3
                case "-4": options.transport = .udpIPv4
                case "-6": options.transport = .udpIPv6
                case "-b": options.boundaryHops = try number("-b", try value("-b", inline))
                case "-d": options.domainNumber = try number("-d", try value("-d", inline))
                case "-s": options.serverPath = try value("-s", inline)
                case "-i": options.localPath = try value("-i", inline)
                case "-t":
                    let text = try value("-t", inline)
                    let hex = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
                    options.transportSpecific = try number("-t", hex, radix: 16)
                case "-z": break
                case "-h": options.help = true
                case "-v": options.version = true
                default: throw UsageError(message: "unknown option \(argument)")
                }
                let takesValue = ["-b", "-d", "-s", "-i", "-t"].contains(flag)
                if !takesValue, !inline.isEmpty { throw UsageError(message: "unknown option \(argument)") }
            } else {
                positional.append(argument)
            }
        }
        if let first = positional.first, let verb = Verb(rawValue: first.lowercased()) {
            guard positional.count == 1 else { throw UsageError(message: "\(first) takes no commands") }
            options.verb = verb
        } else {
            options.commands = positional
        }
        return options
    }
}

import FoundationEssentials
import Glibc
import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire

/// What meridianctl does with its parsed options.
enum MeridianCtl {
    enum Exit: Int32 {
        case answered = 0
        case refused = 1
        case usage = 2
        case noAnswer = 3
    }

    static func run(_ arguments: [String]) -> Int32 {
        let options: CtlOptions
        do {
            options = try CtlOptions.parse(arguments)
        } catch {
            printError("meridianctl: \(error.message)\n" + CtlOptions.usage)
            return Exit.usage.rawValue
        }
        if options.help {
            print(CtlOptions.usage)
            return Exit.answered.rawValue
        }
        if options.version {
            print("meridianctl (Meridian) management client, pmc 3.1 compatible")
            return Exit.answered.rawValue
        }
        let client: ManagementClient
        do {
            client = try ManagementClient(options: options)
        } catch {
            printError("meridianctl: \(error)")
            return Exit.usage.rawValue
        }
        switch options.verb {
        case .status: return status(client, options: options).rawValue
        case .watch: return watch(client, options: options).rawValue
        case .events: return events(client, options: options).rawValue
        case .tracking: return tracking(client, options: options).rawValue
        case nil: return commands(client, options: options).rawValue
        }
    }

    /// pmc mode: each command line in turn (from the arguments, else from stdin).
    static func commands(_ client: ManagementClient, options: CtlOptions) -> Exit {
        var lines = options.commands
        if lines.isEmpty {
            while let line = readLine() {
                if !line.trimmingCharacters(in: " \t").isEmpty { lines.append(line) }
            }
        }
        var parsed: [(String, PMCCommand)] = []
        var bad = false
        for line in lines {
            do {
                parsed.append((line, try PMCCommandParser.parse(line)))
            } catch {
                printError("bad command: \(line) (\(error))")
                bad = true
            }
        }
        if bad { return .usage }
        var refused = false
        var unanswered = false
        var documents: [ManagementJSON.Document] = []
        for (_, command) in parsed {
            switch command {
            case .target(let pid):
                client.target = pid
            case .request(let action, let id, let data):
                if !options.json { print("sending: \(action) \(id.meridianName ?? "\(id)")") }
                let result: (all: [PTPMessage], matching: [PTPMessage])
                do {
                    result = try client.exchange(action: action, id: id, data: data)
                } catch {
                    printError("meridianctl: \(error)")
                    unanswered = true
                    continue
                }
                for message in result.all {
                    if options.json {
                        if let document = ManagementJSON.document(message) { documents.append(document) }
                    } else if let text = PMCFormatter.format(message) {
                        print(text, terminator: "")
                    }
                }
                if result.matching.isEmpty { unanswered = true }
                if result.matching.contains(where: isError) { refused = true }
            }
        }
        if options.json { print(encode(documents)) }
        return unanswered ? .noAnswer : refused ? .refused : .answered
    }

    static func isError(_ message: PTPMessage) -> Bool {
        if case .managementErrorStatus = message.tlvs.first { return true }
        return false
    }

    /// Gathers the replies `status` needs; nil when nothing answered.
    static func collectStatus(_ client: ManagementClient) -> StatusReport? {
        var replies: [PTPMessage] = []
        for id in StatusReport.requests {
            guard let result = try? client.exchange(action: .get, id: id, data: nil) else { continue }
            replies += result.matching
        }
        guard !replies.isEmpty else { return nil }
        return StatusReport(replies: replies)
    }

    static func status(_ client: ManagementClient, options: CtlOptions) -> Exit {
        guard let report = collectStatus(client) else {
            printError("meridianctl: no answer from \(options.serverPath)")
            return .noAnswer
        }
        print(options.json ? json(report) : report.text, terminator: options.json ? "\n" : "")
        return .answered
    }

    /// `tracking`: chronyc tracking's fields (``TrackingReport``), as text or one JSON object.
    static func tracking(_ client: ManagementClient, options: CtlOptions) -> Exit {
        var replies: [PTPMessage] = []
        for id in TrackingReport.requests {
            guard let result = try? client.exchange(action: .get, id: id, data: nil) else { continue }
            replies += result.matching
        }
        guard !replies.isEmpty else {
            printError("meridianctl: no answer from \(options.serverPath)")
            return .noAnswer
        }
        let report = TrackingReport(replies: replies)
        if options.json {
            print(encode(report.document))
        } else {
            print(report.text, terminator: "")
        }
        return .answered
    }

    /// The report as one line of JSON, from its `Codable` document (the daemon's `/status.json` is the same).
    static func json(_ report: StatusReport) -> String { encode(report.document) }

    /// One line of JSON, keys sorted, from FoundationEssentials' encoder.
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{\"error\":\"cannot encode\"}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func watch(_ client: ManagementClient, options: CtlOptions) -> Exit {
        while true {
            let report = collectStatus(client)
            if options.json {
                print(report.map(json) ?? "{\"error\":\"no answer\"}")
            } else {
                print("\u{1B}[H\u{1B}[2J", terminator: "")
                print(report?.text ?? "no answer from \(options.serverPath)\n", terminator: "")
            }
            fflush(nil)
            usleep(UInt32(options.intervalMilliseconds) * 1000)
        }
    }

    /// `events`: SET SUBSCRIBE_EVENTS_NP for port state changes, grandmaster changes (PARENT_DATA_SET,
    /// linuxptp 4's event) and reference state changes (Meridian's MERIDIAN_STATUS_NP), renewed before it
    /// lapses, and print every notification as pmc prints it, or one JSON object per line.
    static func events(_ client: ManagementClient, options: CtlOptions) -> Exit {
        let duration: UInt16 = 60
        var subscription = SubscribeEventsNP(duration: duration)
        for bit in [
            SubscribeEventsNP.notifyPortState, SubscribeEventsNP.notifyParentDataSet, SubscribeEventsNP.notifyMeridianStatus,
        ] {
            subscription.set(bit, subscribed: true)
        }
        if options.timeSync { subscription.set(SubscribeEventsNP.notifyTimeSync, subscribed: true) }
        while true {
            let answer: [PTPMessage]
            do {
                let exchanged = try client.exchange(
                    action: .set, id: .subscribeEventsNP, data: .subscribeEventsNP(subscription))
                answer = exchanged.matching
                // Notifications that came while the subscription was being renewed are printed, not lost.
                for message in exchanged.all where !exchanged.matching.contains(message) { printEvent(message, options: options) }
            } catch {
                printError("meridianctl: \(error)")
                return .noAnswer
            }
            guard !answer.isEmpty else {
                printError("meridianctl: no answer from \(options.serverPath)")
                return .noAnswer
            }
            if answer.contains(where: isError) {
                answer.compactMap { PMCFormatter.format($0) }.forEach { print($0, terminator: "") }
                return .refused
            }
            let renew = ContinuousClock.now + .seconds(Int64(duration) - 10)
            while ContinuousClock.now < renew {
                guard let message = try? client.listen(timeoutMilliseconds: 500) else { continue }
                printEvent(message, options: options)
            }
        }
    }

    /// One notification (a RESPONSE), as pmc prints it or as one JSON object per line.
    static func printEvent(_ message: PTPMessage, options: CtlOptions) {
        guard case .management(let body) = message.body, body.action == .response else { return }
        if options.json {
            if let document = ManagementJSON.document(message) { print(encode(document)) }
        } else if let text = PMCFormatter.format(message) {
            print(text, terminator: "")
        }
        fflush(nil)
    }

    static func printError(_ text: String) {
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        fflush(nil)
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

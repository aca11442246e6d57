import PTPCore
import PTPWire

/// Parses pmc's command grammar, as linuxptp 3.1's `pmc_common.c` reads it:
///
/// - the action is a case-insensitive prefix of GET, SET, CMD or COMMAND (`g` is GET);
/// - the ID is a case-insensitive name or unique prefix (`PRIORITY` is ambiguous, `DEFAULT` is not);
/// - SET values follow the ID: one number for PRIORITY1, PRIORITY2, DOMAIN,
///   SYNCHRONIZATION_UNCERTAIN_NP; `name value` pairs for GRANDMASTER_SETTINGS_NP (all eleven, as
///   pmc) and SUBSCRIBE_EVENTS_NP (`duration N NOTIFY_PORT_STATE on|off`); the rest of the line for
///   USER_DESCRIPTION (Meridian; pmc 3.1 cannot SET it);
/// - `TARGET 769927.fffe.71c27a-1` or `TARGET *` addresses later requests.
///
/// Unlike pmc 3.1, COMMAND ENABLE_PORT and DISABLE_PORT are sent (pmc says "not supported yet").
public enum PMCCommandParser {
    static let settable: Set<ManagementID> = [
        .priority1, .priority2, .domain, .userDescription, .grandmasterSettingsNP, .subscribeEventsNP,
        .synchronizationUncertainNP, .nullManagement,
    ]
    static let commands: Set<ManagementID> = [.enablePort, .disablePort, .nullManagement]

    public static func parse(_ line: String) throws(PMCCommandError) -> PMCCommand {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { throw .empty }
        if matches(first, "TARGET") {
            guard words.count >= 2 else { throw .badValue(line) }
            if words[1] == "*" { return .target(.all) }
            guard let pid = PortIdentity(words[1]) else { throw .badValue(words[1]) }
            return .target(pid)
        }
        let action = try parseAction(first)
        guard words.count >= 2 else { throw .unknownID("") }
        let id = try parseID(words[1])
        let name = id.meridianName ?? "\(id)"
        let values = Array(words.dropFirst(2))
        switch action {
        case .get:
            return .request(action: .get, id: id, data: nil)
        case .command:
            guard commands.contains(id) else { throw .actionNotAllowed(name, .command) }
            return .request(action: .command, id: id, data: nil)
        default:
            guard settable.contains(id) else { throw .actionNotAllowed(name, .set) }
            return .request(action: .set, id: id, data: try setData(id, values: values, line: line))
        }
    }

    static func matches(_ word: String, _ full: String) -> Bool {
        !word.isEmpty && full.hasPrefix(word.uppercased())
    }

    static func parseAction(_ word: String) throws(PMCCommandError) -> ManagementAction {
        if matches(word, "GET") { return .get }
        if matches(word, "SET") { return .set }
        if matches(word, "CMD") || matches(word, "COMMAND") { return .command }
        throw .badAction(word)
    }

    static func parseID(_ word: String) throws(PMCCommandError) -> ManagementID {
        if let exact = ManagementID.named(word) { return exact }
        let upper = word.uppercased()
        let all = ManagementID.known.compactMap { id in id.name.map { (id, $0) } } + ManagementID.meridianIDs
        let candidates = all.filter { $0.1.hasPrefix(upper) }
        guard !upper.isEmpty, let first = candidates.first else { throw .unknownID(word) }
        guard candidates.count == 1 else { throw .ambiguousID(word) }
        return first.0
    }

    /// A number in decimal or 0x-hex.
    static func number<T: FixedWidthInteger>(_ s: String, as: T.Type) throws(PMCCommandError) -> T {
        let lower = s.lowercased()
        let value = lower.hasPrefix("0x") ? T(lower.dropFirst(2), radix: 16) : T(lower)
        guard let value else { throw .badValue(s) }
        return value
    }

    static func setData(_ id: ManagementID, values: [String], line: String) throws(PMCCommandError) -> ManagementData {
        switch id {
        case .priority1, .priority2, .domain, .synchronizationUncertainNP:
            guard let word = values.first else { throw .badValue(line) }
            let v = try number(word, as: UInt8.self)
            switch id {
            case .priority1: return .priority1(v)
            case .priority2: return .priority2(v)
            case .domain: return .domain(v)
            default: return .synchronizationUncertainNP(SynchronizationUncertainNP(rawValue: v))
            }
        case .userDescription:
            return .userDescription(PTPText(values.joined(separator: " ")))
        case .nullManagement:
            return .empty(.nullManagement)
        case .subscribeEventsNP:
            let pairs = try keyValues(values, line: line)
            guard let duration = pairs["duration"], let portState = pairs["notify_port_state"] else {
                throw .badValue(line)
            }
            var events = SubscribeEventsNP(duration: try number(duration, as: UInt16.self))
            events.set(SubscribeEventsNP.notifyPortState, subscribed: try onOff(portState))
            if let timeSync = pairs["notify_time_sync"] {
                events.set(SubscribeEventsNP.notifyTimeSync, subscribed: try onOff(timeSync))
            }
            // linuxptp 4's name, and Meridian's own event (meridianctl; pmc 3.1 knows neither).
            if let parent = pairs["notify_parent_data_set"] {
                events.set(SubscribeEventsNP.notifyParentDataSet, subscribed: try onOff(parent))
            }
            if let status = pairs["notify_meridian_status"] {
                events.set(SubscribeEventsNP.notifyMeridianStatus, subscribed: try onOff(status))
            }
            return .subscribeEventsNP(events)
        case .grandmasterSettingsNP:
            return .grandmasterSettingsNP(try grandmasterSettings(try keyValues(values, line: line), line: line))
        default:
            throw .actionNotAllowed(id.meridianName ?? "\(id)", .set)
        }
    }

    static func keyValues(_ values: [String], line: String) throws(PMCCommandError) -> [String: String] {
        guard values.count % 2 == 0 else { throw .badValue(line) }
        var pairs: [String: String] = [:]
        for index in stride(from: 0, to: values.count, by: 2) {
            pairs[values[index].lowercased()] = values[index + 1]
        }
        return pairs
    }

    static func onOff(_ s: String) throws(PMCCommandError) -> Bool {
        switch s.lowercased() {
        case "on", "1": return true
        case "off", "0": return false
        default: throw .badValue(s)
        }
    }

    static func grandmasterSettings(_ p: [String: String], line: String) throws(PMCCommandError)
        -> GrandmasterSettingsNP
    {
        func value<T: FixedWidthInteger>(_ key: String, _ type: T.Type) throws(PMCCommandError) -> T {
            guard let word = p[key.lowercased()] else { throw .badValue("\(key) missing in: \(line)") }
            return try number(word, as: type)
        }
        func flag(_ key: String) throws(PMCCommandError) -> Bool { try value(key, UInt8.self) != 0 }
        let quality = ClockQuality(
            clockClass: try value("clockClass", UInt8.self),
            clockAccuracy: ClockAccuracy(rawValue: try value("clockAccuracy", UInt8.self)),
            offsetScaledLogVariance: try value("offsetScaledLogVariance", UInt16.self))
        let properties = TimePropertiesDS(
            currentUtcOffset: try value("currentUtcOffset", Int16.self),
            currentUtcOffsetValid: try flag("currentUtcOffsetValid"), leap59: try flag("leap59"),
            leap61: try flag("leap61"), timeTraceable: try flag("timeTraceable"),
            frequencyTraceable: try flag("frequencyTraceable"), ptpTimescale: try flag("ptpTimescale"),
            timeSource: TimeSource(rawValue: try value("timeSource", UInt8.self)))
        return GrandmasterSettingsNP(clockQuality: quality, timeProperties: properties)
    }
}

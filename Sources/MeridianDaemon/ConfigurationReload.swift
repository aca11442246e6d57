import MeridianConfig

/// What a SIGHUP may change while the daemon runs: the BMCA attributes (priority1, priority2, slaveOnly)
/// take effect at once; every other difference is refused with a log line naming it, so an operator sees
/// exactly what only a restart would change and nothing changes behind their back.
enum ConfigurationReload {
    /// Options a reload applies without a restart.
    static let liveOptions: Set<String> = ["priority1", "priority2", "slaveOnly"]

    struct Plan: Sendable {
        var priority1: UInt8?
        var priority2: UInt8?
        var slaveOnly: Bool?
        var lines: [String] = []
    }

    static func plan(from old: Configuration, to new: Configuration) -> Plan {
        var plan = Plan()
        for key in ConfigKeys.all where key.scope == .global {
            let before = old.setting(key.name)?.value
            let after = new.setting(key.name)?.value
            guard before != after else { continue }
            let change = "\(key.name) changed from \(before?.description ?? "-") to \(after?.description ?? "-")"
            if liveOptions.contains(key.name), old.overrides[key.name] == nil {
                switch key.name {
                case "priority1": plan.priority1 = UInt8(clamping: new.integer(key.name))
                case "priority2": plan.priority2 = UInt8(clamping: new.integer(key.name))
                default: plan.slaveOnly = new.flag(key.name)
                }
                plan.lines.append("SIGHUP: \(change): applied")
            } else {
                plan.lines.append("SIGHUP: \(change): not applied while running; restart meridiand to apply it")
            }
        }
        let oldPorts = old.ports.map(\.interface)
        let newPorts = new.ports.map(\.interface)
        if oldPorts != newPorts {
            plan.lines.append(
                "SIGHUP: ports changed from \(oldPorts) to \(newPorts): not applied while running; restart meridiand to apply it")
        }
        for port in new.ports where oldPorts.contains(port.interface) {
            for key in ConfigKeys.all where key.scope == .port {
                let before = old.setting(key.name, port: port.interface)?.value
                let after = new.setting(key.name, port: port.interface)?.value
                if before != after {
                    plan.lines.append(
                        "SIGHUP: [\(port.interface)] \(key.name) changed from \(before?.description ?? "-") to "
                            + "\(after?.description ?? "-"): not applied while running; restart meridiand to apply it")
                }
            }
        }
        // The unicast master tables, by content (their lines may have moved).
        func tables(_ c: Configuration) -> [String] {
            c.unicastMasterTables.map { t in
                "table_id \(t.tableID) logQueryInterval \(t.logQueryInterval) "
                    + t.masters.map { "\($0.transport) \($0.address)" }.joined(separator: " ")
                    + (t.peer.map { " peer_address \($0.address)" } ?? "")
            }
        }
        if tables(old) != tables(new) {
            plan.lines.append(
                "SIGHUP: [unicast_master_table] changed from \(tables(old)) to \(tables(new)): not applied while running; restart meridiand to apply it"
            )
        }
        if plan.lines.isEmpty { plan.lines.append("SIGHUP: configuration unchanged") }
        return plan
    }
}

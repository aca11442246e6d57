import MeridianConfig

/// What a SIGHUP may change while the daemon runs. Today nothing is applied live: every difference is
/// reported, so an operator sees exactly what a restart would change, and nothing changes behind their back.
enum ConfigurationReload {
    static func differences(from old: Configuration, to new: Configuration) -> [String] {
        var lines: [String] = []
        for key in ConfigKeys.all where key.scope == .global {
            let before = old.setting(key.name)?.value
            let after = new.setting(key.name)?.value
            if before != after {
                lines.append("SIGHUP: \(key.name) changed from \(before?.description ?? "-") to \(after?.description ?? "-"): "
                    + "not applied while running; restart meridiand to apply it")
            }
        }
        let oldPorts = old.ports.map(\.interface)
        let newPorts = new.ports.map(\.interface)
        if oldPorts != newPorts {
            lines.append("SIGHUP: ports changed from \(oldPorts) to \(newPorts): not applied while running; restart meridiand to apply it")
        }
        for port in new.ports where oldPorts.contains(port.interface) {
            for key in ConfigKeys.all where key.scope == .port {
                let before = old.setting(key.name, port: port.interface)?.value
                let after = new.setting(key.name, port: port.interface)?.value
                if before != after {
                    lines.append("SIGHUP: [\(port.interface)] \(key.name) changed from \(before?.description ?? "-") to "
                        + "\(after?.description ?? "-"): not applied while running; restart meridiand to apply it")
                }
            }
        }
        if lines.isEmpty { lines.append("SIGHUP: configuration unchanged") }
        return lines
    }
}

import PTPCore
import PTPEngine
import PTPManagement

/// The status page at `/`: one screen an operator reads at a glance, with every figure in the HTML the
/// server sends (readable with scripts off) and no asset fetched from anywhere.
enum StatusPage {
    static func html(_ state: ObservedState) -> String {
        let report = StatusReport(snapshot: state.snapshot)
        let document = report.document
        var rows: [(String, String)] = [
            ("role", report.role),
            ("clock", document.clockIdentity ?? "?"),
            ("grandmaster", document.grandmasterIdentity ?? "?"),
            ("grandmaster clockClass", document.grandmasterClockClass.map { "\($0)" } ?? "?"),
            ("stepsRemoved", document.stepsRemoved.map { "\($0)" } ?? "?"),
            ("offset from master", document.offsetFromMasterNs.map { "\($0) ns" } ?? "?"),
            ("mean path delay", document.meanPathDelayNs.map { "\($0) ns" } ?? "?"),
        ]
        if let m = document.meridian {
            rows.append(("servo", m.servoState))
            rows.append(("frequency", "\(m.servoFrequencyPPB) ppb"))
            rows.append(("reference", "\(m.referenceKind) \(m.referenceState), \(m.satellites) satellites"))
            rows.append(("holdover", m.inHoldover ? "yes, \(m.holdoverSeconds) s" : "no"))
            if let predicted = state.published.engine.clock.reference?.status.predictedError {
                rows.append(("holdover predicted error", "\(predicted.roundedNanoseconds) ns"))
            }
            if let error = m.virtualClockError { rows.append(("virtual clock true error", "\(error) ns")) }
        }
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>meridiand \(escape(document.clockIdentity ?? ""))</title>
            <meta http-equiv="refresh" content="10">
            <style>body{font-family:sans-serif;margin:1em}td,th{padding:2px 10px;text-align:left}th{background:#eee}</style>
            </head><body><h1>meridiand</h1><table id="clock">

            """
        for (name, value) in rows {
            html += "<tr><th>\(escape(name))</th><td id=\"\(escape(name.replacingSpaces()))\">\(escape(value))</td></tr>\n"
        }
        html += "</table><h2>Ports</h2><table id=\"ports\"><tr><th>port</th><th>interface</th><th>state</th>"
        html += "<th>delay mechanism</th><th>peer delay (ns)</th></tr>\n"
        for port in document.ports {
            html += "<tr><td>\(escape(port.portIdentity))</td><td>\(escape(port.interface))</td>"
            html += "<td>\(escape(port.portState))</td><td>\(escape(port.delayMechanism))</td>"
            html += "<td>\(port.peerMeanPathDelayNs)</td></tr>\n"
        }
        html += "</table><p><a href=\"/metrics\">metrics</a> · <a href=\"/status.json\">status.json</a></p></body></html>\n"
        return html
    }

    /// HTML text escaping (&, <, >, ", ').
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == " " ? "-" : $0 })
    }
}

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
            <noscript><meta http-equiv="refresh" content="10"></noscript>
            <style>body{font-family:sans-serif;margin:1em}td,th{padding:2px 10px;text-align:left}th{background:#eee}
            canvas{border:1px solid #ccc;display:block;margin:4px 0}</style>
            </head><body><h1>meridiand</h1><table id="figures">

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
        html += "</table>\n" + chart
        // A grandmaster with a reference: its PPS offset too (the offset from master is 0 there).
        if state.published.engine.clock.reference != nil { html += ppsChart }
        html += "<p><a href=\"/metrics\">metrics</a> · <a href=\"/status.json\">status.json</a> · "
        html += "<a href=\"/history.json\">history.json</a></p></body></html>\n"
        return html
    }

    /// The chart: three small plots (offset, path delay, frequency) of `/history.json`, drawn on canvases by an
    /// inline script every 2 s; the script also refreshes the figures above from `/status.json`. Nothing is
    /// fetched from outside the appliance. Each canvas says how many points it drew (`data-points`).
    static let chart = """
        <h2>Last minutes</h2>
        <noscript><p>The chart needs scripts; the figures above are current (this page reloads every 10 s).</p></noscript>
        <canvas id="chart-offset" width="900" height="140" data-label="offset from master (ns)" data-points="0"></canvas>
        <canvas id="chart-delay" width="900" height="140" data-label="mean path delay (ns)" data-points="0"></canvas>
        <canvas id="chart-frequency" width="900" height="140" data-label="frequency adjustment (ppb)" data-points="0"></canvas>
        <script>
        "use strict";
        function plot(id, xs, ys) {
          const c = document.getElementById(id), g = c.getContext("2d"), w = c.width, h = c.height;
          g.clearRect(0, 0, w, h);
          g.fillStyle = "#333"; g.font = "12px sans-serif";
          c.dataset.points = String(ys.length);
          if (ys.length === 0) { g.fillText(c.dataset.label + ": no samples yet", 8, 16); return; }
          let lo = Math.min(...ys), hi = Math.max(...ys);
          if (hi === lo) { hi += 1; lo -= 1; }
          const span = Math.max(60, Math.max(...xs));
          const x = a => w - 50 - (w - 60) * a / span, y = v => h - 18 - (h - 36) * (v - lo) / (hi - lo);
          g.fillText(c.dataset.label + "  last " + ys[ys.length - 1].toFixed(1) + "  min " + lo.toFixed(1) + "  max " + hi.toFixed(1), 8, 14);
          g.fillText("-" + Math.round(span) + " s", 8, h - 4); g.fillText("now", w - 40, h - 4);
          g.strokeStyle = "#0a58ca"; g.lineWidth = 1.5; g.beginPath();
          ys.forEach((v, i) => { if (i === 0) g.moveTo(x(xs[i]), y(v)); else g.lineTo(x(xs[i]), y(v)); });
          g.stroke();
        }
        function set(id, text) { const e = document.getElementById(id); if (e) e.textContent = text; }
        async function refresh() {
          try {
            const history = await (await fetch("/history.json", {cache: "no-store"})).json();
            plot("chart-offset", history.secondsAgo, history.offsetNs);
            plot("chart-delay", history.secondsAgo, history.pathDelayNs);
            plot("chart-frequency", history.secondsAgo, history.frequencyPPB);
            const status = await (await fetch("/status.json", {cache: "no-store"})).json();
            set("role", status.role);
            if (status.offsetFromMasterNs !== undefined) set("offset-from-master", status.offsetFromMasterNs + " ns");
            if (status.meanPathDelayNs !== undefined) set("mean-path-delay", status.meanPathDelayNs + " ns");
            if (status.meridian) set("servo", status.meridian.servoState);
          } catch (e) {
            set("chart-state", "cannot reach the daemon: " + e);
          }
        }
        refresh();
        setInterval(refresh, 2000);
        </script>
        <p id="chart-state"></p>

        """

    /// The fourth plot, for a clock with a reference: drawn by the same script when the canvas exists.
    static let ppsChart = """
        <canvas id="chart-pps" width="900" height="140" data-label="reference PPS offset (ns)" data-points="0"></canvas>
        <script>
        "use strict";
        setInterval(async () => {
          try {
            const history = await (await fetch("/history.json", {cache: "no-store"})).json();
            plot("chart-pps", history.secondsAgo, history.ppsOffsetNs);
          } catch (e) { set("chart-state", "cannot reach the daemon: " + e); }
        }, 2000);
        </script>

        """

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

import PTPCore
import PTPServo

// The zone report as text, JSON and an SVG picture, written by hand (no Foundation in the pure targets),
// with every number formatted here so the same file and seed give the same bytes.

extension ZoneReport {
    private func ns(_ x: Double) -> String { format(x, 0) }

    /// The plain-text report: per tier, faults, grandmaster changes, then the worst clocks (or every clock
    /// of a small zone).
    public var text: String {
        func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
        }
        var lines: [String] = []
        lines.append(
            "zone \(zone.name): \(clocks.count) clocks, \(format(zone.duration, 0)) s simulated, seed \(zone.seed), "
                + "sync 2^\(zone.logSyncInterval) s; |TE| against true time from \(format(zone.settle, 0)) s "
                + "(percentiles at most, 12 % bins)")
        lines.append(pad("tier", 6) + pad("clocks", 8) + pad("p50 ns", 10) + pad("p95 ns", 10) + pad("p99 ns", 10) + "max|TE| ns")
        for t in tiers {
            lines.append(
                pad(String(t.tier), 6) + pad(String(t.clocks), 8) + pad(ns(t.histogram.percentile(0.5)), 10)
                    + pad(ns(t.histogram.percentile(0.95)), 10) + pad(ns(t.histogram.percentile(0.99)), 10)
                    + ns(t.histogram.maximum))
        }
        if !faults.isEmpty {
            lines.append("faults (recovery: every clock back within \(ns(zone.recoveryThreshold)) ns to the next fault):")
            for f in faults {
                var recovery = f.recovery.map { $0 == 0 ? "never left" : "recovered in \(format($0, 2)) s" } ?? "not recovered"
                if let t = f.takeover { recovery += "; grandmaster changed after \(format(t, 2)) s" }
                if f.fault.kind == .restart {
                    recovery +=
                        f.reacquired.map { "; \(f.fault.targets[0]) locked again after \(format($0, 2)) s" }
                        ?? "; \(f.fault.targets[0]) did not lock again"
                }
                lines.append(
                    "  \(f.fault.label): \(recovery); hosts moved up to \(ns(f.hostPeak)) ns, zone up to "
                        + "\(ns(f.zonePeak)) ns; \(f.steps) clock steps")
            }
        }
        if !bmcaChanges.isEmpty {
            lines.append("grandmaster changes:")
            for c in bmcaChanges { lines.append("  [\(format(c.time, 2))] \(c.clocks) clocks now follow \(c.grandmaster)") }
        }
        if !grandmasterStates.isEmpty {
            lines.append("grandmaster port states:")
            for s in grandmasterStates { lines.append("  " + s) }
        }
        let shown = clocks.count <= 40 ? clocks : Array(clocks.sorted { $0.histogram.maximum > $1.histogram.maximum }.prefix(10))
        lines.append(clocks.count <= 40 ? "clocks:" : "worst 10 clocks:")
        lines.append(
            "  " + pad("clock", 16) + pad("role", 12) + pad("tier", 5) + pad("p50 ns", 9) + pad("p99 ns", 9)
                + pad("max ns", 10) + pad("steps", 6) + pad("servo", 7) + "grandmaster")
        for c in shown {
            lines.append(
                "  " + pad(c.name, 16) + pad(c.role.rawValue, 12) + pad(String(c.tier), 5)
                    + pad(ns(c.histogram.percentile(0.5)), 9) + pad(ns(c.histogram.percentile(0.99)), 9)
                    + pad(ns(c.histogram.maximum), 10) + pad(String(c.steps), 6) + pad(c.servoState.description, 7)
                    + c.grandmaster)
        }
        lines.append("\(eventsProcessed) events, \(messagesDelivered) messages")
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (keys in a fixed order).
    public var json: String {
        func str(_ s: String) -> String { JSONString.quoted(s) }
        func stats(_ h: TimeErrorHistogram) -> String {
            "\"p50\": \(ns(h.percentile(0.5))), \"p95\": \(ns(h.percentile(0.95))), \"p99\": \(ns(h.percentile(0.99))), "
                + "\"max\": \(ns(h.maximum)), \"samples\": \(h.samples)"
        }
        var out = "{\n"
        out += "  \"zone\": \(str(zone.name)), \"clocks\": \(clocks.count), \"duration\": \(format(zone.duration, 3)), "
        out += "\"seed\": \(zone.seed), \"settle\": \(format(zone.settle, 3)), \"window\": \(format(zone.window, 3)),\n"
        out += "  \"events\": \(eventsProcessed), \"messages\": \(messagesDelivered),\n"
        out += "  \"tiers\": [\n"
        out += tiers.map { t in
            "    {\"tier\": \(t.tier), \"clocks\": \(t.clocks), \(stats(t.histogram)), \"maxTEWindows\": ["
                + t.windows.map { ns($0) }.joined(separator: ", ") + "]}"
        }.joined(separator: ",\n")
        out += "\n  ],\n  \"faults\": [\n"
        out += faults.map { f in
            "    {\"fault\": \(str(f.fault.kind.rawValue)), \"targets\": [\(f.fault.targets.map(str).joined(separator: ", "))], "
                + "\"at\": \(format(f.fault.at, 3)), \"for\": \(f.fault.duration.map { format($0, 3) } ?? "null"), \"recovery\": \(f.recovery.map { format($0, 3) } ?? "null"), "
                + "\"takeover\": \(f.takeover.map { format($0, 3) } ?? "null"), "
                + "\"reacquired\": \(f.reacquired.map { format($0, 3) } ?? "null"), "
                + "\"hostPeak\": \(ns(f.hostPeak)), \"zonePeak\": \(ns(f.zonePeak)), \"steps\": \(f.steps)}"
        }.joined(separator: ",\n")
        out += "\n  ],\n  \"bmcaChanges\": [\n"
        out += bmcaChanges.map { c in
            "    {\"time\": \(format(c.time, 3)), \"grandmaster\": \(str(c.grandmaster)), \"clocks\": \(c.clocks)}"
        }.joined(separator: ",\n")
        out += "\n  ],\n  \"clockList\": [\n"
        out += clocks.map { c in
            "    {\"name\": \(str(c.name)), \"role\": \(str(c.role.rawValue)), \"tier\": \(c.tier), \(stats(c.histogram)), "
                + "\"steps\": \(c.steps), \"servo\": \(str(c.servoState.description)), \"grandmaster\": \(str(c.grandmaster))}"
        }.joined(separator: ",\n")
        out += "\n  ]\n}"
        return out
    }

    /// An SVG picture: max|TE| per tier per window over time on a log scale (1 ns … 1 ms), faults as red
    /// lines with their labels.
    public var svg: String {
        let width = 900.0
        let height = 420.0
        let left = 70.0
        let right = 160.0
        let top = 30.0
        let bottom = 50.0
        let plotW = width - left - right
        let plotH = height - top - bottom
        let minDecade = 0.0
        let maxDecade = 6.0
        func x(_ t: Double) -> Double { left + plotW * min(1, max(0, t / max(zone.duration, 1e-9))) }
        func y(_ v: Double) -> Double {
            let d = v <= 1 ? 0 : RealFunctions.log(v) / RealFunctions.log(10)
            return top + plotH * (1 - (min(maxDecade, max(minDecade, d)) - minDecade) / (maxDecade - minDecade))
        }
        let colours = ["#000000", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        s += "font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(format(left, 0))\" y=\"18\" font-size=\"13\">zone \(escape(zone.name)): max|TE| to true time per tier, "
        s += "\(format(zone.window, 0)) s windows, seed \(zone.seed)</text>\n"
        for d in 0...6 {
            let yy = format(y(RealFunctions.pow(10, Double(d))), 1)
            let label = ["1 ns", "10 ns", "100 ns", "1 µs", "10 µs", "100 µs", "1 ms"][d]
            s += "<line x1=\"\(format(left, 1))\" y1=\"\(yy)\" x2=\"\(format(left + plotW, 1))\" y2=\"\(yy)\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(format(left - 6, 1))\" y=\"\(yy)\" text-anchor=\"end\" dy=\"4\">\(label)</text>\n"
        }
        let ticks = 6
        for i in 0...ticks {
            let t = zone.duration * Double(i) / Double(ticks)
            s +=
                "<text x=\"\(format(x(t), 1))\" y=\"\(format(top + plotH + 16, 1))\" text-anchor=\"middle\">\(format(t, 0)) s</text>\n"
        }
        s +=
            "<rect x=\"\(format(left, 1))\" y=\"\(format(top, 1))\" width=\"\(format(plotW, 1))\" height=\"\(format(plotH, 1))\" "
        s += "fill=\"none\" stroke=\"#888\"/>\n"
        for (i, t) in tiers.enumerated() {
            let points = t.windows.enumerated().map { w, v in
                "\(format(x(Double(w + 1) * zone.window), 1)),\(format(y(v), 1))"
            }.joined(separator: " ")
            let colour = colours[i % colours.count]
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            let ly = format(top + 14 * Double(i + 1), 1)
            s +=
                "<text x=\"\(format(left + plotW + 10, 1))\" y=\"\(ly)\" fill=\"\(colour)\">tier \(t.tier) (\(t.clocks))</text>\n"
        }
        for (i, f) in faults.enumerated() {
            let xx = format(x(f.fault.at), 1)
            s += "<line x1=\"\(xx)\" y1=\"\(format(top, 1))\" x2=\"\(xx)\" y2=\"\(format(top + plotH, 1))\" stroke=\"red\" "
            s += "stroke-dasharray=\"4 3\"/>"
            s +=
                "<text x=\"\(xx)\" y=\"\(format(top + plotH + 30 + Double(i % 2) * 12, 1))\" fill=\"red\" text-anchor=\"middle\">"
            s += "\(escape(f.fault.label))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

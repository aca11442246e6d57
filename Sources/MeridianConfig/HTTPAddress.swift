/// Where meridiand serves its read-only HTTP endpoint (`http_address`, issue 16): `host:port`, `[v6]:port`,
/// or `none` for no endpoint. The host is given to the resolver as written (a name, an IPv4 or IPv6
/// literal); binding it is the daemon's business, and an address it cannot bind stops start-up.
public struct HTTPAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Loopback only by default: metrics and status are for the machine's own scraper or an operator's SSH
    /// tunnel until someone chooses to expose them. 9319 is free in Prometheus's default port allocations.
    public static let defaultText = "127.0.0.1:9319"

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The address `text` names; nil for `none`. Throws a ``ConfigProblem`` that says what was expected.
    public static func parse(_ text: String) -> Result<HTTPAddress?, ConfigProblem> {
        if text == "none" { return .success(nil) }
        let expected = "host:port, [v6]:port or none (port 0-65535; 0 lets the kernel choose)"
        let bad = Result<HTTPAddress?, ConfigProblem>.failure(
            .badValue(option: "http_address", value: text, expected: expected))
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return bad }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return bad }
            portText = rest.dropFirst()
            guard host.contains(":") else { return bad }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return bad }
            host = parts[0]
            portText = parts[1]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "\t" || $0 == "/" }),
            portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (0...65_535).contains(port)
        else { return bad }
        return .success(HTTPAddress(host: String(host), port: port))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension Configuration {
    /// `http_address` as a diagnostic when it does not parse (the parser's table only knows it is a string).
    public func httpAddressDiagnostics(file: String) -> [ConfigDiagnostic] {
        guard case .failure(let problem) = HTTPAddress.parse(string("http_address")) else { return [] }
        let line = ReferenceConfigCheck.lineNumber(setting("http_address")?.origin)
        return [ConfigDiagnostic(file: file, line: line, problem: problem)]
    }
}

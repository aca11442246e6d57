import MeridianConfig
import MeridianHTTP
import PTPManagement

/// The routes of the read-only HTTP endpoint (`http_address`, issue 16). Every answer is built from the
/// state the clock actor last published and the management server's published counters, on the endpoint's
/// own thread: nothing here waits for, or can change, the clock.
///
/// - `/metrics`: the Prometheus text format (``MetricsExporter``; names in docs/metrics.md).
/// - `/status.json`: what `meridianctl status --json` prints, from the same snapshot management answers from.
/// - `/history.json`: the last ten minutes of offset, path delay and frequency (``History``), for the page's chart.
/// - `/`: a page an operator reads at a glance (``StatusPage``).
struct ObservabilityEndpoint: Sendable {
    let observe: @Sendable () -> ObservedState
    let history: History
    let metrics = MetricsExporter()

    /// The Prometheus text exposition format's content type (version 0.0.4).
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    func respond(_ request: HTTPRequest) -> HTTPReply {
        switch request.path {
        case "/metrics":
            return HTTPReply(status: 200, contentType: Self.metricsContentType, body: metrics.render(observe()))
        case "/status.json":
            return HTTPReply(status: 200, contentType: "application/json", body: Self.statusJSON(observe()))
        case "/history.json":
            return HTTPReply(status: 200, contentType: "application/json", body: Self.json(history.document()))
        case "/", "/index.html":
            return HTTPReply(status: 200, contentType: "text/html; charset=utf-8", text: StatusPage.html(observe()))
        default:
            return HTTPReply(status: 404, text: "not found; try /metrics, /status.json or /\n")
        }
    }

    /// The status report's `Codable` document, as JSON (``JSONText``, the same text as meridianctl's).
    static func statusJSON(_ state: ObservedState) -> [UInt8] {
        json(StatusReport(snapshot: state.snapshot).document)
    }

    static func json(_ value: some Encodable) -> [UInt8] {
        (try? JSONText.encode(value)) ?? Array(#"{"error":"cannot encode"}"#.utf8)
    }

    /// Starts the endpoint on `address`; throws a start-up error (exit 2) with the reason when it cannot be bound.
    static func start(
        _ address: HTTPAddress, history: History, statistics: HTTPStatistics,
        observe: @escaping @Sendable () -> ObservedState
    ) async throws -> HTTPEndpoint {
        let routes = ObservabilityEndpoint(observe: observe, history: history)
        do {
            return try await HTTPEndpoint.start(host: address.host, port: address.port, statistics: statistics) {
                routes.respond($0)
            }
        } catch {
            throw StartupError("http_address \(address): \(error)", exit: .usage)
        }
    }
}

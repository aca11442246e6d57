import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as the responder sees it: the method and the path, query split off. Nothing else of the request
/// is read (no body is accepted), so nothing a client sends can change the daemon.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: String

    public init(method: String, path: String, query: String = "") {
        self.method = method
        self.path = path
        self.query = query
    }
}

/// What the responder answers: a status, a content type and the whole body.
public struct HTTPReply: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", text: String) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// meridiand's read-only HTTP/1.1 endpoint on SwiftNIO (`http_address`, issue 16). SwiftNIO parses the
/// requests (llhttp); a request it cannot parse, or whose header block is too large (llhttp's 80 KiB), gets
/// 400 and the connection is closed. Only GET and HEAD are served (405 otherwise), a request that carries a
/// body gets 413, and an idle connection is closed after ``idleTimeout``. The responder is called on the
/// endpoint's one event-loop thread, never on the daemon's clock: it must only read published state.
public final class HTTPEndpoint: Sendable {
    /// Answers a request; called on the endpoint's event loop, so it must not block.
    public typealias Responder = @Sendable (HTTPRequest) -> HTTPReply

    /// The largest request body accepted: none (the endpoint is read-only).
    public static let maximumBody = 0
    /// A connection with nothing to read or write for this long is closed.
    public static let idleTimeout = TimeAmount.seconds(30)
    /// At most this many connections are open at once: a new one beyond it closes the oldest, so clients that
    /// open connections and send nothing cannot lock a scraper out (it is served as soon as it connects).
    public static let maximumConnections = 64

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let connections: ConnectionCount

    /// The address the endpoint is bound to (the port chosen by the kernel when 0 was asked for).
    public let boundAddress: String
    public let boundPort: Int

    private init(
        group: MultiThreadedEventLoopGroup, channel: any Channel, connections: ConnectionCount, address: String,
        port: Int
    ) {
        self.group = group
        self.channel = channel
        self.connections = connections
        self.boundAddress = address
        self.boundPort = port
    }

    /// Binds `host:port` and starts serving on one thread of its own. Throws ``HTTPEndpointError`` with the
    /// reason when the address cannot be resolved or bound (in use, not local, no permission).
    public static func start(
        host: String, port: Int, statistics: HTTPStatistics = HTTPStatistics(), responder: @escaping Responder
    ) async throws -> HTTPEndpoint {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionCount()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY at the TCP level: `.socketOption(.tcp_nodelay)` would set option 1 at SOL_SOCKET, which is
            // SO_DEBUG (needs CAP_NET_ADMIN: once meridiand drops its capabilities every connection failed).
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let key = ObjectIdentifier(channel)
                    connections.open(key, channel)?.close(promise: nil)
                    channel.closeFuture.whenComplete { _ in connections.close(key) }
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(RequestHandler(responder: responder, statistics: statistics))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            let local = channel.localAddress
            return HTTPEndpoint(
                group: group, channel: channel, connections: connections, address: local?.ipAddress ?? host,
                port: local?.port ?? port)
        } catch {
            try? await group.shutdownGracefully()
            throw HTTPEndpointError(description: "cannot listen on \(host):\(port): \(Self.reason(error))")
        }
    }

    /// Stops listening, closes every connection and the thread.
    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let error = error as? SocketAddressError { return "\(error)" }
        return "\(error)"
    }
}

/// Requests answered, by status code (parse errors count as 400): the endpoint's own `/metrics` series.
public final class HTTPStatistics: Sendable {
    private let counts = Mutex([Int: Int]())

    public init() {}

    func count(_ status: Int) {
        counts.withLock { $0[status, default: 0] += 1 }
    }

    /// Responses sent so far, by status code.
    public var byStatus: [Int: Int] { counts.withLock { $0 } }
}

/// Why the endpoint did not start.
public struct HTTPEndpointError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Open connections, oldest first.
private final class ConnectionCount: Sendable {
    private struct Table {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var order: [ObjectIdentifier] = []
    }

    private let table = Mutex(Table())

    /// Records a new connection; returns the oldest one to close when there are now too many.
    func open(_ key: ObjectIdentifier, _ channel: any Channel) -> (any Channel)? {
        table.withLock { table in
            table.channels[key] = channel
            table.order.append(key)
            guard table.order.count > HTTPEndpoint.maximumConnections else { return nil }
            let oldest = table.order.removeFirst()
            return table.channels.removeValue(forKey: oldest)
        }
    }

    func close(_ key: ObjectIdentifier) {
        table.withLock { table in
            guard table.channels.removeValue(forKey: key) != nil else { return }
            table.order.removeAll { $0 == key }
        }
    }
}

/// One connection's requests, one at a time (NIO's pipeline handler holds back pipelined ones).
private final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: HTTPEndpoint.Responder
    private let statistics: HTTPStatistics
    private var head: HTTPRequestHead?
    private var bodyBytes = 0

    init(responder: @escaping HTTPEndpoint.Responder, statistics: HTTPStatistics) {
        self.responder = responder
        self.statistics = statistics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes &+= chunk.readableBytes
            // Refused at the first byte over the limit, not after reading all of it.
            if let head, bodyBytes > HTTPEndpoint.maximumBody {
                self.head = nil
                respond(context: context, head: head)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let reply: HTTPReply
        var close = !head.isKeepAlive
        if bodyBytes > HTTPEndpoint.maximumBody {
            reply = HTTPReply(status: 413, text: "request bodies are not accepted\n")
            close = true
        } else if head.method != .GET && head.method != .HEAD {
            reply = HTTPReply(status: 405, text: "read-only: GET and HEAD only\n")
        } else {
            let target = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = target.first.map(String.init) ?? "/"
            let query = target.count > 1 ? String(target[1]) : ""
            reply = responder(HTTPRequest(method: head.method.rawValue, path: path, query: query))
        }
        statistics.count(reply.status)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        if reply.status == 405 { headers.add(name: "Allow", value: "GET, HEAD") }
        if close { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD && !reply.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
            buffer.writeBytes(reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A parse error has had its 400 from NIO's error handler; whatever else, the connection ends.
        if error is HTTPParserError { statistics.count(400) }
        context.close(promise: nil)
    }
}

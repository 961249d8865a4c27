import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The bounds of the web server, as the mail readers have theirs: nothing a client sends can make
/// it hold more memory or more connections, or wait longer, than these.
public struct HTTPLimits: Sendable {
    /// The request line and header fields together, in bytes (beyond: 431, RFC 6585 §5).
    public var maximumHeaderBytes: Int
    /// The number of header fields (beyond: 431).
    public var maximumHeaderFields: Int
    /// A request body, in bytes (beyond: 413). Forms here are small; a message body is the largest.
    public var maximumBodyBytes: Int
    /// Connections served at once, event streams included (beyond: 503 and close).
    public var maximumConnections: Int
    /// How long a whole request (head and body) may take to arrive once the connection is open
    /// (beyond: 408 and close), so that a client trickling bytes cannot hold a connection.
    public var requestTimeout: Duration
    /// How long one send of a response may wait for the client to read.
    public var writeTimeout: Duration

    /// Limits; the defaults suit a person's browser on the same machine.
    public init(
        maximumHeaderBytes: Int = 16 << 10, maximumHeaderFields: Int = 64, maximumBodyBytes: Int = 256 << 10,
        maximumConnections: Int = 32, requestTimeout: Duration = .seconds(15), writeTimeout: Duration = .seconds(30)
    ) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderFields = maximumHeaderFields
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumConnections = maximumConnections
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
    }
}

/// A response: a status, header fields, and a body that is either bytes or an event stream.
public struct WebResponse: Sendable {
    /// What follows the head.
    public enum Body: Sendable {
        /// A body of known length.
        case bytes([UInt8])
        /// A `text/event-stream` (HTML Living Standard §9.2): the closure writes events until it
        /// returns or the client goes away (a send then throws).
        case events(@Sendable (EventStreamWriter) async -> Void)
    }

    /// The status code.
    public var status: Int
    /// The header fields (the server adds `Content-Length` and `Connection`).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// A response.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A body of text with its type.
    public init(status: Int = 200, contentType: String, text: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(Array(text.utf8)))
    }

    /// The reason phrase for the statuses this server sends.
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 303: "See Other"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 421: "Misdirected Request"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Writes server-sent events to one client.
public struct EventStreamWriter: Sendable {
    let connection: any MailConnection

    /// Sends one event; throws once the client has gone.
    /// - Parameters:
    ///   - event: the event's type, letters only.
    ///   - data: its data; each line becomes one `data:` line.
    public func send(event: String, data: String) async throws {
        precondition(event.allSatisfy { $0.isLetter }, "an event name is letters only")
        let lines = data.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "data: " + $0.replacing("\r", with: "") }
        try await connection.send(Array(("event: \(event)\n" + lines.joined(separator: "\n") + "\n\n").utf8))
    }

    /// Sends a comment line, which keeps the stream open and finds out whether the client is still there.
    public func keepAlive() async throws { try await connection.send(Array(":\n\n".utf8)) }
}

/// A small HTTP/1.1 server (RFC 9112) over MailTransport's sockets, one request per connection.
///
/// Bounded in every way a client could push it: head size and field count, body size, the time a
/// request may take to arrive, the time a response may wait to be read, and the number of
/// connections at once. The handler sees only complete, well-formed requests.
public final class HTTPServer: Sendable {
    /// The port bound (useful after asking for port 0).
    public let port: Int
    /// The address bound.
    public let host: String
    /// The limits in force.
    public let limits: HTTPLimits
    /// The number of connections being served now.
    public var activeConnections: Int { active.count }

    private let listener: SocketListener
    private let acceptor: Task<Void, Never>
    private let active: ConnectionCount

    /// Listens on `host` (an IPv4 or IPv6 literal; loopback unless the caller chose otherwise) and
    /// `port` (0: any free port) and serves every request with `handler`.
    public init(
        host: String = "127.0.0.1", port: Int = 0, limits: HTTPLimits = HTTPLimits(),
        handler: @escaping @Sendable (WebRequest) async -> WebResponse
    ) throws {
        let listener = try SocketListener(
            host: host, port: port,
            timeouts: Timeouts(connect: limits.requestTimeout, read: limits.requestTimeout, write: limits.writeTimeout))
        self.listener = listener
        self.port = listener.port
        self.host = host
        self.limits = limits
        let active = ConnectionCount()
        self.active = active
        acceptor = Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener.connections {
                    let admitted = active.admit(within: limits.maximumConnections)
                    group.addTask {
                        guard admitted else {
                            await Self.refuse(connection, status: 503, reason: "too many connections")
                            return
                        }
                        await Self.serve(connection, limits: limits, handler: handler)
                        active.release()
                    }
                }
            }
        }
    }

    /// Stops accepting; connections being served end with their request (event streams at once).
    public func close() {
        listener.close()
        acceptor.cancel()
    }

    private static func serve(
        _ connection: SocketConnection, limits: HTTPLimits, handler: @Sendable (WebRequest) async -> WebResponse
    ) async {
        defer { connection.close() }
        // The whole request must arrive in time, however slowly its bytes trickle in.
        let watchdog = Task {
            do { try await Task.sleep(for: limits.requestTimeout) } catch { return }
            connection.close()
        }
        let request: WebRequest
        do {
            request = try await read(connection, limits: limits)
            watchdog.cancel()
        } catch let error as WebRequestError {
            watchdog.cancel()
            await refuse(connection, status: error.status, reason: "\(error)")
            return
        } catch {
            // Timed out (the watchdog closed the socket), or the client went away: nothing to answer.
            watchdog.cancel()
            return
        }
        let response = await handler(request)
        await write(response, to: connection)
    }

    /// Reads one request: the head up to the empty line, then exactly `Content-Length` bytes.
    static func read(_ connection: any MailConnection, limits: HTTPLimits) async throws -> WebRequest {
        var buffer: [UInt8] = []
        var searchFrom = 0
        var headEnd: (Int, Int)?
        while headEnd == nil {
            guard let bytes = try await connection.receive(maximumCount: 8192) else {
                throw WebRequestError.malformed("the connection closed before the request was complete")
            }
            buffer += bytes
            headEnd = endOfHead(in: buffer, from: searchFrom)
            searchFrom = max(0, buffer.count - 3)
            if headEnd == nil, buffer.count > limits.maximumHeaderBytes { throw WebRequestError.headerTooLarge }
        }
        guard let (headLength, bodyStart) = headEnd else { preconditionFailure("the loop ends with a head") }
        var (request, contentLength) = try WebRequestParser.parseHead(buffer[0..<headLength], limits: limits)
        var body = Array(buffer[bodyStart...])
        while body.count < contentLength {
            guard let bytes = try await connection.receive(maximumCount: min(65536, contentLength - body.count)) else {
                throw WebRequestError.malformed("the connection closed before the body was complete")
            }
            body += bytes
        }
        // Bytes beyond Content-Length would be a second (pipelined) request; this server answers one
        // per connection and says so with `Connection: close`.
        request.body = Array(body.prefix(contentLength))
        return request
    }

    /// The length of the head (through its last field's line end) and where the body starts,
    /// once CRLF CRLF (or a bare LF LF) arrived.
    static func endOfHead(in buffer: [UInt8], from start: Int) -> (Int, Int)? {
        var index = start
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                if index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "\n") { return (index + 1, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == UInt8(ascii: "\r"),
                    buffer[index + 2] == UInt8(ascii: "\n")
                {
                    return (index + 1, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    static func head(_ response: WebResponse, contentLength: Int?) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status) \(WebResponse.reason(response.status))\r\n"
        for (name, value) in response.headers {
            precondition(!(name + value).contains(where: { $0 == "\r" || $0 == "\n" }), "CR or LF in a header field")
            text += "\(name): \(value)\r\n"
        }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    private static func write(_ response: WebResponse, to connection: any MailConnection) async {
        switch response.body {
        case .bytes(let bytes):
            try? await connection.send(head(response, contentLength: bytes.count) + bytes)
        case .events(let produce):
            var streaming = response
            streaming.headers += [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")]
            do { try await connection.send(head(streaming, contentLength: nil)) } catch { return }
            await produce(EventStreamWriter(connection: connection))
        }
    }

    private static func refuse(_ connection: any MailConnection, status: Int, reason: String) async {
        let response = WebResponse(
            status: status, contentType: "text/plain; charset=utf-8", text: WebResponse.reason(status) + "\n",
            headers: [("X-Content-Type-Options", "nosniff")])
        await write(response, to: connection)
        connection.close()
    }
}

/// The number of connections being served, shared by the acceptor and the connections' tasks.
final class ConnectionCount: Sendable {
    private let value = Mutex(0)

    var count: Int { value.withLock { $0 } }

    /// Counts one more connection, unless `maximum` are being served already.
    func admit(within maximum: Int) -> Bool {
        value.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    func release() { value.withLock { $0 -= 1 } }
}

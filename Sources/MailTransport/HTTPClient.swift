/// A minimal HTTP/1.1 client (RFC 9112) over ``MailConnector``: one request per connection,
/// `Connection: close`, no cookies, no redirects followed, every answer bounded.
///
/// Why not URLSession: on Linux, trusting an extra CA (a company's, or the test bench's) is not
/// practical with FoundationNetworking, whereas the transport already has a ``TLSPolicy`` with
/// extra CA files, pins and typed certificate failures. Going through the connector makes HTTPS
/// verification identical to the mail connections and keeps every socket on the same
/// non-blocking Dispatch machinery. Autoconfig lookups and OAuth 2.0 token requests use it.
///
/// ```swift
/// let client = HTTPClient(tlsPolicy: TLSPolicy(additionalTrustedCAFiles: ["/etc/company-ca.pem"]))
/// let response = try await client.send(.get("https://example.com/x.xml", accept: "text/xml"), timeout: .seconds(10))
/// ```
///
/// Errors are ``TransportError``s: the connector's (refused, TLS, certificate, time-out),
/// ``TransportError/Code/invalidURL``, ``TransportError/Code/invalidRequest``,
/// ``TransportError/Code/httpMalformed`` and ``TransportError/Code/responseTooLarge``. Any status
/// code is returned; deciding what a 3xx or 4xx means is the caller's business.
public struct HTTPClient: Sendable {
    /// Opens the TCP/TLS connections.
    public var connector: any MailConnector
    /// How HTTPS servers are verified.
    public var tlsPolicy: TLSPolicy
    /// The largest body accepted; a larger one is ``TransportError/Code/responseTooLarge``.
    public var maximumBodySize: Int
    /// The `User-Agent` header (RFC 9110 §10.1.5).
    public var userAgent: String
    /// When set, host names are resolved through this function (e.g. a chosen DNS server) and
    /// the connection goes to each address in turn, the name still verified in TLS; when nil
    /// the connector resolves names with the system's resolver.
    public var addresses: (@Sendable (_ host: String) async throws -> [String])?

    /// A client; 256 KiB is ample for configuration files and token answers.
    public init(
        connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
        maximumBodySize: Int = 256 * 1024, userAgent: String = "MailLink",
        addresses: (@Sendable (_ host: String) async throws -> [String])? = nil
    ) {
        self.connector = connector
        self.tlsPolicy = tlsPolicy
        self.maximumBodySize = maximumBodySize
        self.userAgent = userAgent
        self.addresses = addresses
    }

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// `timeout` bounds the whole exchange (connect, send, every wait for bytes); task
    /// cancellation closes the connection.
    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = try HTTPURL(request.url)
        let deadline = ContinuousClock.now + timeout
        for field in request.headers {
            // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            guard !(field.name + field.value).utf8.contains(where: { $0 == 13 || $0 == 10 }), !field.name.isEmpty
            else { throw TransportError(.invalidRequest, "a header field contains a line break") }
        }
        let connection = try await open(target, timeout: timeout)
        defer { connection.close() }
        try await withTaskCancellationHandler {
            try await connection.send(head(of: request, to: target) + request.body)
        } onCancel: {
            connection.close()
        }
        let parser = HTTPResponseParser(maximumBody: maximumBodySize)
        let bound = maximumBodySize + HTTPResponseParser.maximumHeaderBytes + 16 * 1024
        var buffer: [UInt8] = []
        while true {
            guard ContinuousClock.now < deadline else {
                throw TransportError(.timedOut, "\(target.host) port \(target.port) took longer than \(timeout)")
            }
            var received: [UInt8]?
            do {
                received = try await withTaskCancellationHandler {
                    try await connection.receive(maximumCount: 16384)
                } onCancel: {
                    connection.close()
                }
            } catch let error as TransportError where error.code == .closedByPeer && !buffer.isEmpty {
                received = nil
            }
            guard let bytes = received else {
                guard case .complete(let status, let headers, let body) = try parser.parse(buffer, atEnd: true) else {
                    throw TransportError(.httpMalformed, "the response from \(target.host) ends early")
                }
                return response(status, headers, body, target)
            }
            buffer += bytes
            guard buffer.count <= bound else {
                throw TransportError(
                    .responseTooLarge, "the response from \(target.host) exceeds \(maximumBodySize) bytes")
            }
            if case .complete(let status, let headers, let body) = try parser.parse(buffer, atEnd: false) {
                return response(status, headers, body, target)
            }
        }
    }

    private func response(
        _ status: Int, _ headers: [(String, String)], _ body: [UInt8], _ target: HTTPURL
    )
        -> HTTPResponse
    {
        HTTPResponse(
            status: status, headers: headers.map { HTTPHeaderField(name: $0.0, value: $0.1) }, body: body,
            url: target.text)
    }

    private func head(of request: HTTPRequest, to target: HTTPURL) -> [UInt8] {
        var text = "\(request.method.rawValue) \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        text += "User-Agent: \(userAgent)\r\n"
        for field in request.headers { text += "\(field.name): \(field.value)\r\n" }
        if request.method == .post || !request.body.isEmpty { text += "Content-Length: \(request.body.count)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    private func open(_ target: HTTPURL, timeout: Duration) async throws -> any MailConnection {
        var hosts = [target.host]
        var policy = tlsPolicy
        if let addresses, !TLSPolicy.isIPLiteral(target.host), target.host != "localhost" {
            hosts = try await addresses(target.host)
            guard !hosts.isEmpty else { throw TransportError(.nameNotFound, "\(target.host) has no address") }
            policy.serverNameOverride = policy.serverNameOverride ?? target.host
        }
        for (index, host) in hosts.enumerated() {
            let endpoint = Endpoint(host: host, port: target.port, security: target.isHTTPS ? .tls : .insecurePlaintext)
            do {
                return try await connector.connect(to: endpoint, tls: policy, timeouts: .all(timeout))
            } catch let error as TransportError
                where index + 1 < hosts.count && [.connectionRefused, .unreachable, .timedOut].contains(error.code)
            {
                continue
            }
        }
        throw TransportError(.connectionRefused, "no address of \(target.host) answered")
    }
}

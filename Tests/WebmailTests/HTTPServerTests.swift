import Foundation
import MailTransport
import Testing

@testable import WebmailKit

/// Sends `bytes` to the server (or nothing), then reads until the server closes the connection.
private func exchange(port: Int, sending chunks: [[UInt8]], pause: Duration = .zero) async throws -> String {
    let connection = try await SocketConnector().connect(
        to: Endpoint(host: "127.0.0.1", port: port, security: .insecurePlaintext), tls: .default,
        timeouts: .all(.seconds(60)))
    defer { connection.close() }
    for chunk in chunks {
        try await connection.send(chunk)
        if pause > .zero { try await Task.sleep(for: pause) }
    }
    var received: [UInt8] = []
    while let bytes = try? await connection.receive(maximumCount: 65536) { received += bytes }
    return String(decoding: received, as: UTF8.self)
}

private func request(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("HTTP server: bounds on what a client can make it hold")
struct HTTPServerTests {
    static func echoServer(_ limits: HTTPLimits) throws -> HTTPServer {
        try HTTPServer(limits: limits) { request in
            WebResponse(
                contentType: "text/plain", text: "\(request.method) \(request.path) \(request.body.count) bytes")
        }
    }

    @Test("answers a request with its length and Connection: close")
    func answers() async throws {
        let server = try Self.echoServer(HTTPLimits())
        defer { server.close() }
        let response = try await exchange(
            port: server.port,
            sending: [
                request("POST /form?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello")
            ])
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.contains("\r\nContent-Length: 18\r\n"))
        #expect(response.contains("\r\nConnection: close\r\n"))
        #expect(response.hasSuffix("POST /form 5 bytes"))
    }

    @Test("a head larger than the limit is refused with 431, never read whole")
    func headTooLarge() async throws {
        let server = try Self.echoServer(HTTPLimits(maximumHeaderBytes: 1024))
        defer { server.close() }
        let filler = String(repeating: "a", count: 4096)
        let response = try await exchange(
            port: server.port,
            sending: [
                request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(filler)\r\n\r\n")
            ])
        #expect(response.hasPrefix("HTTP/1.1 431 "))
    }

    @Test("a body larger than the limit is refused with 413 before it is sent")
    func bodyTooLarge() async throws {
        let server = try Self.echoServer(HTTPLimits(maximumBodyBytes: 100))
        defer { server.close() }
        let response = try await exchange(
            port: server.port,
            sending: [
                request("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n")
            ])
        #expect(response.hasPrefix("HTTP/1.1 413 "))
    }

    @Test("a request that trickles in is cut off at the request time limit")
    func slowRequest() async throws {
        let server = try Self.echoServer(HTTPLimits(requestTimeout: .milliseconds(500)))
        defer { server.close() }
        // One byte of the head, then silence: the server closes without answering.
        let response = try await exchange(port: server.port, sending: [request("G")])
        #expect(response.isEmpty)
    }

    @Test("connections beyond the limit get 503 while the others are served")
    func connectionLimit() async throws {
        let server = try Self.echoServer(HTTPLimits(maximumConnections: 2, requestTimeout: .seconds(60)))
        defer { server.close() }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port, security: .insecurePlaintext)
        var idle: [any MailConnection] = []
        for _ in 0..<2 {
            let connection = try await SocketConnector().connect(
                to: endpoint, tls: .default, timeouts: .all(.seconds(60)))
            try await connection.send(request("GET / HTTP/1.1\r\n"))  // an unfinished head holds a slot
            idle.append(connection)
        }
        // Both slots are taken once the server has accepted both.
        let deadline = ContinuousClock.now + .seconds(30)
        while server.activeConnections < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let refused = try await exchange(port: server.port, sending: [request("GET / HTTP/1.1\r\nHost: a\r\n\r\n")])
        #expect(refused.hasPrefix("HTTP/1.1 503 "))
        // Finishing one of the held requests is still answered.
        try await idle[0].send(request("Host: 127.0.0.1\r\n\r\n"))
        var answer: [UInt8] = []
        while let bytes = try? await idle[0].receive(maximumCount: 4096) { answer += bytes }
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
        for connection in idle { connection.close() }
    }

    @Test("an event stream sends events as they come, in the text/event-stream format")
    func eventStream() async throws {
        let server = try HTTPServer { _ in
            WebResponse(
                body: .events { writer in
                    try? await writer.send(event: "step", data: "one\ntwo")
                    try? await writer.send(event: "done", data: "{}")
                })
        }
        defer { server.close() }
        let response = try await exchange(port: server.port, sending: [request("GET /e HTTP/1.1\r\nHost: a\r\n\r\n")])
        #expect(response.contains("Content-Type: text/event-stream\r\n"))
        #expect(!response.contains("Content-Length"))
        #expect(response.hasSuffix("\r\n\r\nevent: step\ndata: one\ndata: two\n\nevent: done\ndata: {}\n\n"))
    }
}

@Suite("HTTP request parser: strict where leniency lets requests be smuggled")
struct WebRequestParserTests {
    let limits = HTTPLimits()

    func parse(_ text: String) throws(WebRequestError) -> (request: WebRequest, contentLength: Int) {
        try WebRequestParser.parseHead(Array(text.utf8)[...], limits: limits)
    }

    @Test("parses the request line, the query and the fields")
    func parses() throws {
        let (request, length) = try parse(
            "POST /mail%20box?folder=Old+mail&x=%3Cb%3E HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 12\r\n"
                + "Cookie: a=1; webmail_session=abc\r\n")
        #expect(request.method == "POST")
        #expect(request.path == "/mail box")
        #expect(request.queryValue("folder") == "Old mail")
        #expect(request.queryValue("x") == "<b>")
        #expect(request.header("HOST") == "127.0.0.1:8080")
        #expect(request.cookies["webmail_session"] == "abc")
        #expect(length == 12)
    }

    @Test(
        "refuses heads that do not follow the grammar",
        arguments: [
            "GET / HTTP/1.1\r\nHost : a\r\n",  // whitespace before the colon
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n",  // obsolete line folding
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n",
            "GET / HTTP/1.1\r\n",  // no Host
            "GET / HTTP/2.0\r\nHost: a\r\n",
            "GET http://elsewhere.example/ HTTP/1.1\r\nHost: a\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n",
            "GET / HTTP/1.1\r\nHost: a\rb\r\n",  // CR inside a field
        ])
    func refusesMalformed(_ head: String) {
        #expect(throws: WebRequestError.self) { try parse(head) }
        do { _ = try parse(head) } catch { #expect(error.status == 400) }
    }

    @Test("a request body in Transfer-Encoding is refused (Content-Length only)")
    func transferEncoding() {
        #expect(throws: WebRequestError.transferEncodingUnsupported) {
            try parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n")
        }
    }

    @Test("too many fields is 431")
    func tooManyFields() {
        let fields = (0..<100).map { "X-\($0): y\r\n" }.joined()
        #expect(throws: WebRequestError.headerTooLarge) { try parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields) }
    }

    @Test("a declared body above the limit is 413 before it is read")
    func bodyLimit() {
        #expect(throws: WebRequestError.bodyTooLarge) {
            try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(limits.maximumBodyBytes + 1)\r\n")
        }
    }
}

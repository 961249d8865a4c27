import MailTransport

/// The loopback redirect receiver of RFC 8252 §7.3: listens on 127.0.0.1 on a port the system
/// picks, takes the first `GET` of the callback path, answers the browser with a small page and
/// hands back the query parameters.
///
/// Requests for other paths (a browser's `/favicon.ico`) get 404 and are otherwise ignored; a
/// connection that sends nothing (a browser's preconnect) does not block the others. Requests
/// are bounded to 8 KiB.
final class LoopbackRedirectListener: Sendable {
    /// The redirect URI to register and send: `http://127.0.0.1:PORT/callback`.
    let redirectURI: String
    private let listener: SocketListener
    private let callbacks: AsyncStream<[(name: String, value: String)]>
    private let continuation: AsyncStream<[(name: String, value: String)]>.Continuation
    private static let path = "/callback"
    private static let maximumRequest = 8 * 1024

    init() throws(OAuthError) {
        do {
            listener = try SocketListener(host: "127.0.0.1", port: 0, timeouts: Timeouts.all(.seconds(30)))
        } catch {
            throw OAuthError(.network, "cannot listen on 127.0.0.1 for the redirect")
        }
        redirectURI = "http://127.0.0.1:\(listener.port)\(Self.path)"
        (callbacks, continuation) = AsyncStream.makeStream(of: [(name: String, value: String)].self)
    }

    /// Waits for the callback; `page(parameters)` gives the HTML to show the user. Returns nil
    /// when the listener was closed (or the task cancelled) first.
    func receive(
        page: @escaping @Sendable ([(name: String, value: String)]) -> String
    ) async
        -> [(name: String, value: String)]?
    {
        let listener = self.listener
        let continuation = self.continuation
        let server = Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener.connections {
                    group.addTask {
                        if let parameters = await Self.handle(connection, page: page) {
                            continuation.yield(parameters)
                        }
                    }
                }
            }
            continuation.finish()
        }
        defer { server.cancel() }
        return await withTaskCancellationHandler {
            for await parameters in callbacks { return parameters }
            return nil
        } onCancel: {
            listener.close()
            continuation.finish()
        }
    }

    /// Stops listening.
    func close() {
        listener.close()
        continuation.finish()
    }

    deinit { close() }

    // Serves one connection; returns the parameters when it was the callback.
    private static func handle(
        _ connection: SocketConnection, page: @Sendable ([(name: String, value: String)]) -> String
    ) async -> [(name: String, value: String)]? {
        defer { connection.close() }
        var buffer: [UInt8] = []
        while HTTPResponseParser.find([13, 10, 13, 10], in: buffer[...]) == nil {
            guard buffer.count < maximumRequest, let bytes = try? await connection.receive(maximumCount: 4096) else {
                return nil
            }
            buffer += bytes
        }
        let line = String(decoding: buffer.prefix { $0 != 13 }, as: UTF8.self)
        let words = line.split(separator: " ")
        guard words.count == 3, words[0] == "GET", words[2].hasPrefix("HTTP/1.") else {
            try? await connection.send(
                Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            return nil
        }
        let target = words[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard target[0] == path else {
            try? await connection.send(
                Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            return nil
        }
        let parameters = target.count > 1 ? HTTPForm.decode(target[1]) : []
        let html = page(parameters)
        let response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
            + "Content-Length: \(html.utf8.count)\r\nConnection: close\r\n\r\n\(html)"
        try? await connection.send(Array(response.utf8))
        return parameters
    }
}

import MailTesting
import MailTransport

/// A hand-driven POP3 client for testing the fake server byte by byte (not the real client:
/// the fake must be checked on its own).
final class RawPOP3Client {
    let connection: InMemoryConnection
    private let reader: BufferedReader

    /// Connects to a new session of `server` in memory.
    init(_ server: FakePOP3Server, readTimeout: Duration = .seconds(5)) {
        let (client, serverSide) = InMemoryConnection.makePair(readTimeout: readTimeout)
        connection = client
        reader = BufferedReader(connection: client)
        Task { await server.serve(serverSide) }
    }

    func line() async throws -> String { String(decoding: try await rawLine(), as: UTF8.self) }

    /// The next line's bytes, without its line end.
    func rawLine() async throws -> [UInt8] { try await reader.readLine() }

    func send(_ text: String) async throws { try await connection.send(Array((text + "\r\n").utf8)) }

    /// Sends a command and returns the first answer line.
    func command(_ text: String) async throws -> String {
        try await send(text)
        return try await line()
    }

    /// Reads a multi-line block's raw lines (still stuffed) up to, not including, the ".".
    func block() async throws -> [String] {
        var lines: [String] = []
        while true {
            let next = try await line()
            if next == "." { return lines }
            lines.append(next)
        }
    }
}

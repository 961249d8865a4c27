import MailTesting
import MailTransport

/// A hand-driven IMAP client for testing the fake server line by line (not the real client:
/// the fake must be checked on its own).
final class RawIMAPClient {
    let connection: InMemoryConnection
    private let reader: BufferedReader

    /// Connects to a new session of `server` in memory.
    init(_ server: FakeIMAPServer, readTimeout: Duration = .seconds(5)) {
        let (client, serverSide) = InMemoryConnection.makePair(readTimeout: readTimeout)
        connection = client
        reader = BufferedReader(connection: client)
        Task { await server.serve(serverSide) }
    }

    func line() async throws -> String { String(decoding: try await reader.readLine(), as: UTF8.self) }

    func bytes(_ count: Int) async throws -> [UInt8] { try await reader.readBytes(count) }

    func send(_ text: String) async throws { try await connection.send(Array((text + "\r\n").utf8)) }

    /// Sends a tagged command and returns every line up to and including its completion.
    func command(_ tag: String, _ text: String) async throws -> [String] {
        try await send("\(tag) \(text)")
        return try await until(tag)
    }

    /// Reads lines up to and including the completion for `tag`.
    func until(_ tag: String) async throws -> [String] {
        var lines: [String] = []
        while true {
            let next = try await line()
            lines.append(next)
            if next.hasPrefix(tag + " ") { return lines }
        }
    }
}

import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// Helpers for transcript tests: the test plays the server over an ``EmbeddedConnection``.
enum Transcript {
    /// Opens a client after pushing `greeting` and a CAPA answer (`capabilities` nil: CAPA refused).
    static func open(
        _ embedded: EmbeddedConnection,
        greeting: String = "+OK ready",
        capabilities: [String]? = ["USER", "UIDL", "TOP"],
        security: Endpoint.Security = .insecurePlaintext,
        configuration: POP3Client.Configuration = .init()
    ) async throws -> POP3Client {
        embedded.pushInbound(greeting + "\r\n")
        embedded.pushInbound(capaAnswer(capabilities))
        let client = try await POP3Client.open(
            connection: embedded.connection, serverName: "pop.example.com", security: security,
            configuration: configuration)
        #expect(try await outbound(embedded) == "CAPA\r\n")
        return client
    }

    /// A CAPA answer listing `capabilities`, or -ERR for nil.
    static func capaAnswer(_ capabilities: [String]?) -> String {
        guard let capabilities else { return "-ERR unknown command\r\n" }
        return "+OK\r\n" + capabilities.map { $0 + "\r\n" }.joined() + ".\r\n"
    }

    /// Opens and logs in with USER/PASS (allowed in plaintext), checking the bytes written.
    static func loggedIn(
        _ embedded: EmbeddedConnection, capabilities: [String]? = ["USER", "UIDL", "TOP"],
        configuration: POP3Client.Configuration = .init()
    ) async throws -> POP3Client {
        let client = try await open(embedded, capabilities: capabilities, configuration: configuration)
        embedded.pushInbound("+OK\r\n+OK logged in\r\n")
        try await client.authenticate(username: "alice", password: "pw", allowInsecureAuthentication: true)
        #expect(try await outbound(embedded) == "USER alice\r\nPASS pw\r\n")
        return client
    }

    /// What the client wrote so far, as text.
    static func outbound(_ embedded: EmbeddedConnection) async throws -> String {
        String(decoding: embedded.takeOutbound(), as: UTF8.self)
    }
}

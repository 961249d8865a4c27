import MailTesting
import MailTransport
import Testing

@testable import IMAPProtocol

/// Helpers for transcript tests: the test plays the server over an ``EmbeddedConnection``.
/// Client tags are predictable (`A1`, `A2`, ...), so a whole server side can be pushed up front.
enum Transcript {
    static let capabilities = "IMAP4rev1 SASL-IR LITERAL+ IDLE UIDPLUS ID ENABLE AUTH=PLAIN"

    /// Opens a client after a greeting that carries `[CAPABILITY ...]`, so nothing is sent.
    static func open(
        _ embedded: EmbeddedConnection,
        capabilities: String = Transcript.capabilities,
        security: Endpoint.Security = .tls,
        configuration: IMAPClient.Configuration = .init()
    ) async throws -> IMAPClient {
        embedded.pushInbound("* OK [CAPABILITY \(capabilities)] ready\r\n")
        if security == .tls { try await embedded.connection.startTLS(serverName: "imap.example.com", policy: .default) }
        let client = try await IMAPClient.open(
            connection: embedded.connection, serverName: "imap.example.com",
            security: security == .tls ? .insecurePlaintext : security, configuration: configuration)
        #expect(try await outbound(embedded) == "")
        return client
    }

    /// Opens and logs in with LOGIN (tag A1), the completion carrying capabilities.
    static func loggedIn(
        _ embedded: EmbeddedConnection, capabilities: String = Transcript.capabilities + " CONDSTORE SPECIAL-USE",
        configuration: IMAPClient.Configuration = .init()
    ) async throws -> IMAPClient {
        let client = try await open(embedded, configuration: configuration)
        embedded.pushInbound("A1 OK [CAPABILITY \(capabilities)] Logged in\r\n")
        try await client.login(username: "alice", password: "pw")
        #expect(try await outbound(embedded) == "A1 LOGIN \"alice\" \"pw\"\r\n")
        return client
    }

    /// Logs in (A1) and selects INBOX (A2) with UIDVALIDITY 7, UIDNEXT 5, 3 messages.
    static func selected(
        _ embedded: EmbeddedConnection, configuration: IMAPClient.Configuration = .init()
    ) async throws -> IMAPClient {
        let client = try await loggedIn(embedded, configuration: configuration)
        embedded.pushInbound(
            "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 5] n\r\n"
                + "* OK [HIGHESTMODSEQ 90] m\r\nA2 OK [READ-WRITE] done\r\n")
        try await client.select(.inbox)
        #expect(try await outbound(embedded) == "A2 SELECT \"INBOX\" (CONDSTORE)\r\n")
        return client
    }

    /// What the client wrote so far, as text.
    static func outbound(_ embedded: EmbeddedConnection) async throws -> String {
        String(decoding: embedded.takeOutbound(), as: UTF8.self)
    }
}

/// A clock whose sleeps never end until cancelled (an IDLE that only the server ends), or
/// end at once.
struct TestClock: Clock {
    typealias Instant = ContinuousClock.Instant
    let endsAtOnce: Bool

    var now: Instant { ContinuousClock.now }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        if endsAtOnce { return }
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

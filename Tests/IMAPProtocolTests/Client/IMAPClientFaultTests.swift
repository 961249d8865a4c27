import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import IMAPProtocol

@Suite("IMAPClient against a misbehaving server")
struct IMAPClientFaultTests {
    static let endpoint = Endpoint(host: "imap.example.com", port: 993, security: .tls)

    static func server(_ faults: [FakeIMAPFault]) -> FakeIMAPServer {
        var configuration = FakeIMAPConfiguration()
        configuration.faults = faults
        return FakeIMAPServer(configuration: configuration, accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
    }

    static func connect(_ server: FakeIMAPServer, timeouts: Timeouts = .all(.seconds(10))) async throws -> IMAPClient {
        try await IMAPClient.connect(
            to: endpoint, credentials: Credentials(user: "alice", secret: .password("pw")), timeouts: timeouts,
            connector: server.connector)
    }

    @Test("a BYE [UNAVAILABLE] greeting is transient")
    func unavailableGreeting() async throws {
        let server = Self.server([.refuse(command: "GREETING", response: "BYE [UNAVAILABLE] Maintenance")])
        await #expect { _ = try await Self.connect(server) } throws: { error in
            let error = error as? IMAPError
            return error?.code == .greetingRefused && error?.serverText == "Maintenance"
        }
    }

    @Test("a LOGIN refused with [LIMIT] is transient and keeps the server's words")
    func limit() async throws {
        let server = Self.server([.refuse(command: "AUTHENTICATE", response: "NO [LIMIT] Too many connections")])
        await #expect { _ = try await Self.connect(server) } throws: { error in
            let error = error as? IMAPError
            return error?.code == .limit && error?.isTransient == true && error?.serverText == "Too many connections"
        }
    }

    @Test("a silent server times out")
    func silent() async throws {
        let server = Self.server([.silent(command: "UID FETCH")])
        let client = try await Self.connect(server, timeouts: .all(.milliseconds(200)))
        try await client.select(.inbox)
        await #expect { _ = try await client.messageSummaries() } throws: { ($0 as? TransportError)?.code == .timedOut }
        #expect(await client.isClosed)
    }

    @Test("a dropped connection mid-greeting is a closed connection")
    func dropped() async throws {
        let server = Self.server([.dropConnection(afterBytes: 5)])
        await #expect { _ = try await Self.connect(server) } throws: { ($0 as? TransportError)?.code == .closedByPeer }
    }

    @Test("garbage instead of an answer is malformed and ends the session")
    func malformed() async throws {
        let server = Self.server([.malformedLine(command: "SELECT", line: "HTTP/1.1 400 Bad Request")])
        let client = try await Self.connect(server)
        await #expect { try await client.select(.inbox) } throws: { ($0 as? IMAPError)?.code == .malformedResponse }
        #expect(await client.isClosed)
        await #expect { try await client.noop() } throws: { ($0 as? IMAPError)?.code == .invalidState }
    }

    @Test("an oversized line is refused within the limit")
    func oversizedLine() async throws {
        let server = Self.server([.oversizedLine(command: "NOOP", length: 10_000)])
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Credentials(user: "alice", secret: .password("pw")),
            connector: server.connector, configuration: IMAPClient.Configuration(maximumLineLength: 4096))
        await #expect { try await client.noop() } throws: { ($0 as? TransportError)?.code == .lineTooLong }
    }

    @Test("an oversized body literal is refused before it is read")
    func oversizedLiteral() async throws {
        let server = Self.server([.oversizedLiteral(command: "UID FETCH", size: 1 << 30)])
        let client = try await Self.connect(server)
        try await client.select(.inbox)
        await #expect { _ = try await client.fetchMessage(uid: 1, maximumSize: 1 << 20) } throws: {
            ($0 as? TransportError)?.code == .responseTooLarge
        }
    }

    @Test("a BYE mid-session ends it as transient")
    func byeMidSession() async throws {
        let server = Self.server([.bye(command: "SELECT", text: "Server shutting down")])
        let client = try await Self.connect(server)
        await #expect { try await client.select(.inbox) } throws: { error in
            (error as? IMAPError)?.code == .serverClosed && (error as? IMAPError)?.isTransient == true
        }
    }

    @Test("an untagged ALERT before an answer reaches the caller")
    func alert() async throws {
        let server = Self.server([.untaggedBefore(command: "SELECT", line: "* OK [ALERT] Quota at 95%")])
        let client = try await Self.connect(server)
        try await client.select(.inbox)
        #expect(await client.alerts == ["Quota at 95%"])
    }

    @Test("SELECT refused with [UNAVAILABLE] keeps the session")
    func selectUnavailable() async throws {
        let server = Self.server([.refuse(command: "SELECT", response: "NO [UNAVAILABLE] Try later")])
        let client = try await Self.connect(server)
        await #expect { try await client.select(.inbox) } throws: { ($0 as? IMAPError)?.code == .unavailable }
        try await client.noop()
    }
}

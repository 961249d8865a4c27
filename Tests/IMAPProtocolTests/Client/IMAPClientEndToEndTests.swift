import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import IMAPProtocol

@Suite("IMAPClient end to end over FakeIMAPServer")
struct IMAPClientEndToEndTests {
    static let endpoint = Endpoint(host: "imap.example.com", port: 993, security: .tls)
    static let alice = Credentials(user: "alice", secret: .password("pw"))

    static func server(_ configure: (inout FakeIMAPConfiguration) -> Void = { _ in }) -> FakeIMAPServer {
        var configuration = FakeIMAPConfiguration()
        configure(&configuration)
        return FakeIMAPServer(
            configuration: configuration,
            accounts: SASLServerAccounts(passwords: ["alice": "pw"], tokens: ["alice": "token-1"]))
    }

    @Test("a sync pass: select, list UIDs with sizes, fetch with PEEK, delete, expunge")
    func syncPass() async throws {
        let server = Self.server()
        for index in 1...5 {
            server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\nbody \(index)\n"), to: "alice")
        }
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let inbox = try await client.select(.inbox)
        #expect(inbox.messageCount == 5)
        let summaries = try await client.messageSummaries()
        #expect(summaries.map(\.uid) == [1, 2, 3, 4, 5])
        #expect(summaries[0].size == server.messages(of: "alice")[0].content.count)
        let fetched = Collected()
        try await client.fetchMessages(summaries.map(\.uid)) { message in
            #expect(message.content == server.messages(of: "alice")[Int(message.uid) - 1].content)
            fetched.append(message.uid)
        }
        #expect(fetched.values == [1, 2, 3, 4, 5])
        #expect(server.messages(of: "alice").allSatisfy { !$0.flags.contains("\\Seen") })  // PEEK
        try await client.markDeleted([1, 2])
        #expect(try await client.expunge([1]) == 1)
        #expect(server.messages(of: "alice").map(\.uid) == [2, 3, 4, 5])
        try await client.logout()
    }

    @Test("new mail since the recorded UIDNEXT, with the server's n:* quirk filtered")
    func newSince() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: old\n\n"), to: "alice")
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let inbox = try await client.select(.inbox, readOnly: true)
        #expect(try await client.messageSummaries(.starting(at: try #require(inbox.uidNext))).isEmpty)
        try await client.logout()
    }

    @Test(
        "every SASL mechanism MailAuth has logs in",
        arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "LOGIN"])
    func mechanisms(name: String) async throws {
        let server = Self.server { $0.saslMechanisms = [name] }
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        #expect(await client.isAuthenticated)
        try await client.logout()
    }

    @Test("OAuth 2.0 tokens log in with OAUTHBEARER and XOAUTH2", arguments: ["OAUTHBEARER", "XOAUTH2"])
    func oauth(name: String) async throws {
        let server = Self.server { $0.saslMechanisms = [name] }
        let credentials = Credentials(user: "alice", secret: .oauth2(.fixed("token-1")))
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: credentials, connector: server.connector)
        #expect(await client.isAuthenticated)
        try await client.logout()
    }

    @Test("LOGIN with a literal password when the server offers no SASL")
    func loginLiteral() async throws {
        let server = FakeIMAPServer(
            configuration: {
                var c = FakeIMAPConfiguration(); c.saslMechanisms = []; c.literalExtension = nil; return c
            }(),
            accounts: SASLServerAccounts(passwords: ["alice": "pässword"]))
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Credentials(user: "alice", secret: .password("pässword")),
            connector: server.connector)
        #expect(await client.isAuthenticated)
        #expect(server.receivedCommands.contains("A2 LOGIN alice <redacted>"))
        try await client.logout()
    }

    @Test("STARTTLS, then login once LOGINDISABLED is lifted")
    func startTLS() async throws {
        let server = Self.server {
            $0.offersStartTLS = true
            $0.requiresTLSForLogin = true
        }
        let client = try await IMAPClient.connect(
            to: Endpoint(host: "imap.example.com", port: 143, security: .startTLS), credentials: Self.alice,
            connector: server.connector)
        #expect(client.isSecure)
        #expect(await client.isAuthenticated)
        try await client.logout()
    }

    @Test("special-use mailboxes are found whatever their names")
    func specialUse() async throws {
        let server = Self.server {
            $0.defaultMailboxes = ["Gesendet": "\\Sent", "Papierkorb": "\\Trash", "Entw&APw-rfe": "\\Drafts"]
        }
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let mailboxes = try await client.listMailboxes()
        #expect(mailboxes.first { $0.specialUse == .sent }?.name.wire == "Gesendet")
        #expect(mailboxes.first { $0.specialUse == .drafts }?.name.displayName == "Entwürfe")
        try await client.logout()
    }

    @Test("a UIDVALIDITY change is detected on SELECT")
    func uidValidity() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: a\n\n"), to: "alice")
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let first = try #require(try await client.select(.inbox).uidValidity)
        server.changeUIDValidity(for: "alice")
        await #expect { try await client.select(.inbox, expectedUIDValidity: first) } throws: {
            ($0 as? IMAPError)?.code == .uidValidityChanged
        }
        try await client.logout()
    }

    @Test("IDLE wakes when a message is delivered")
    func idleWakes() async throws {
        let server = Self.server()
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        try await client.select(.inbox)
        let idling = Task { try await client.idle(timeout: .seconds(30), clock: TestClock(endsAtOnce: false)) }
        while !server.receivedCommands.contains(where: { $0.hasSuffix("IDLE") }) { await Task.yield() }
        server.deliver(FakeIMAPMessage(text: "Subject: new\n\n"), to: "alice")
        #expect(try await idling.value == .changed([.exists(1)]))
        try await client.logout()
    }

    @Test("STATUS and EXAMINE agree with the server")
    func statusAndExamine() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: a\n\n", flags: ["\\Seen"]), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: b\n\n"), to: "alice")
        let client = try await IMAPClient.connect(
            to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let status = try await client.status(.inbox)
        #expect(status.messageCount == 2)
        #expect(status.unseenCount == 1)
        #expect(status.uidNext == 3)
        let inbox = try await client.select(.inbox, readOnly: true)
        #expect(inbox.isReadOnly)
        #expect(inbox.uidValidity == status.uidValidity)
        try await client.logout()
    }

    @Test("a large message streams into a sink over loopback TLS")
    func loopbackTLS() async throws {
        let authority = try TestCertificateAuthority()
        let certificate = try authority.issue()
        let server = Self.server()
        let big = FakeIMAPMessage(content: Array(repeating: UInt8(ascii: "a"), count: 300_000) + Array("\r\n".utf8))
        let uid = server.deliver(big, to: "alice")
        let listener = try server.listen(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let client = try await IMAPClient.connect(
            to: Endpoint(host: "localhost", port: listener.port, security: .tls), credentials: Self.alice,
            tls: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]),
            timeouts: .all(.seconds(10)))
        try await client.select(.inbox)
        let received = Collected()
        try await client.streamMessage(uid: uid) { chunk in received.append(UInt32(chunk.count)) }
        #expect(received.values.reduce(0, +) == UInt32(big.content.count))
        try await client.logout()
    }
}

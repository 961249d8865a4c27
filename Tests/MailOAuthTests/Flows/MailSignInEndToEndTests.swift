import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import SMTPSender
import Testing

@testable import MailOAuth

@Suite("Signed in with OAuth, the POP3 and SMTP clients authenticate unchanged (fakes on loopback)")
struct MailSignInEndToEndTests {
    let user = "alice@example.test"

    func signedIn(_ server: FakeAuthorizationServer) async throws -> OAuthTokenSession {
        let (client, _, tokens) = try await deviceSignIn(server)
        return try OAuthTokenSession(client: client, tokens: tokens)
    }

    func pop3(_ server: FakeAuthorizationServer, mechanisms: [String]) -> FakePOP3Server {
        var configuration = FakePOP3Configuration()
        configuration.saslMechanisms = mechanisms
        return FakePOP3Server(
            configuration: configuration, accounts: SASLServerAccounts(tokenValidator: server.tokenValidator))
    }

    func connect(_ pop3: FakePOP3Server) async throws -> POP3Client {
        try await POP3Client.connect(
            to: Endpoint(host: "pop.fake.test", port: 995, security: .tls), timeouts: .all(.seconds(30)),
            connector: pop3.connector)
    }

    @Test("POP3 XOAUTH2 and OAUTHBEARER accept the issued token", arguments: ["XOAUTH2", "OAUTHBEARER"])
    func pop3Login(mechanism: String) async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let session = try await signedIn(server)
        let client = try await connect(pop3(server, mechanisms: [mechanism]))
        try await client.authenticate(Credentials(user: user, session: session))
        #expect(await client.isAuthenticated)
        #expect(server.counters.validations == 1)
        try await client.quit()
    }

    @Test("an expired access token is refused, refreshed through the session, and the retry succeeds")
    func refreshOnRefusal() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let session = try await signedIn(server)
        server.expireAccessTokens()
        let client = try await connect(pop3(server, mechanisms: ["XOAUTH2"]))
        try await client.authenticate(Credentials(user: user, session: session))
        #expect(await client.isAuthenticated)
        #expect(server.counters.tokenRequests["refresh_token"] == 1 && server.counters.validations == 2)
    }

    @Test("a revoked grant fails the login and the session reports sign in again")
    func revoked() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let session = try await signedIn(server)
        server.revokeAll(user: user)
        let client = try await connect(pop3(server, mechanisms: ["XOAUTH2"]))
        await #expect(throws: (any Error).self) {
            try await client.authenticate(Credentials(user: user, session: session))
        }
        let error = await #expect(throws: OAuthError.self) { _ = try await session.accessToken() }
        #expect(error?.code == .signInRequired)
    }

    @Test("SMTP XOAUTH2 submission with the issued token")
    func smtpSend() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let session = try await signedIn(server)
        let smtp = FakeSMTPServer(
            configuration: .init(
                accounts: SASLServerAccounts(tokenValidator: server.tokenValidator),
                authenticationMechanisms: ["XOAUTH2"], requiresAuthentication: true))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "smtp.fake.test", port: 465, security: .tls),
            credentials: Credentials(user: user, session: session), timeouts: .all(.seconds(30)),
            connector: smtp.connector)
        let envelope = try SMTPEnvelope(from: user, to: ["bob@example.org"])
        _ = try await client.send(envelope: envelope, message: Array("Subject: hi\r\n\r\nbody\r\n".utf8))
        try await client.quit()
        #expect(smtp.receivedMessages.first?.authenticatedUser == user)
    }
}

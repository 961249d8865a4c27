import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

@Suite("POP3Client SASL (RFC 5034)")
struct POP3ClientSASLTests {
    @Test("PLAIN goes on the AUTH line as an initial response")
    func plain() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL PLAIN"])
        embedded.pushInbound("+OK logged in\r\n")
        try await client.authenticate(
            Credentials(user: "alice", secret: .password("pw")), mechanism: .plain, allowInsecureAuthentication: true)
        #expect(try await Transcript.outbound(embedded) == "AUTH PLAIN AGFsaWNlAHB3\r\n")
        #expect(await client.isAuthenticated)
        try embedded.finish()
    }

    @Test("automatic on plaintext picks CRAM-MD5 over PLAIN and answers RFC 2195's example challenge")
    func cramMD5() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL PLAIN CRAM-MD5"])
        let login = Task { try await client.authenticate(username: "tim", password: "tanstaaftanstaaf") }
        #expect(try await embedded.readOutboundLine() == "AUTH CRAM-MD5\r\n")
        embedded.pushInbound("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n")
        #expect(try await embedded.readOutboundLine() == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n")
        embedded.pushInbound("+OK\r\n")
        try await login.value
        #expect(await client.isAuthenticated)
        try embedded.finish()
    }

    @Test("LOGIN answers each challenge with one line")
    func login() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL LOGIN"])
        embedded.pushInbound("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n+OK\r\n")
        try await client.authenticate(
            Credentials(user: "alice", secret: .password("pw")), mechanism: .login, allowInsecureAuthentication: true)
        let written = try await Transcript.outbound(embedded)
        #expect(written == "AUTH LOGIN\r\nYWxpY2U=\r\ncHc=\r\n")
        try embedded.finish()
    }

    @Test("only cleartext mechanisms on plaintext: refused before anything is sent")
    func cleartextOnly() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL PLAIN LOGIN"])
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(Credentials(user: "alice", secret: .password("pw")))
        }
        #expect(error?.code == .cleartextRefused)
        #expect(try await Transcript.outbound(embedded) == "")
        try embedded.finish()
    }

    @Test("-ERR [AUTH] to AUTH is authenticationFailed with the server's text")
    func refused() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL PLAIN"])
        embedded.pushInbound("-ERR [AUTH] Invalid credentials\r\n")
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(
                Credentials(user: "alice", secret: .password("pw")), allowInsecureAuthentication: true)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.serverText == "Invalid credentials")
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("a challenge that is not base64 makes the client cancel with *")
    func badChallenge() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL CRAM-MD5"])
        embedded.pushInbound("+ not base64!\r\n-ERR cancelled\r\n")
        await #expect(throws: MailAuthError.self) {
            try await client.authenticate(Credentials(user: "tim", secret: .password("x")))
        }
        #expect(try await Transcript.outbound(embedded) == "AUTH CRAM-MD5\r\n*\r\n")
        #expect(!(await client.isClosed))
        try embedded.finish()
    }

    @Test("a long XOAUTH2 initial response waits for the empty challenge (255-octet AUTH line)")
    func longInitialResponse() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: ["SASL XOAUTH2"])
        let token = String(repeating: "t", count: 300)
        let provider = OAuth2TokenProvider { _ in token }
        embedded.pushInbound("+ \r\n+OK\r\n")
        try await client.authenticate(
            Credentials(user: "alice@example.com", secret: .oauth2(provider)), allowInsecureAuthentication: true)
        let lines = try await Transcript.outbound(embedded).split(separator: "\r\n")
        #expect(lines.first == "AUTH XOAUTH2")
        #expect(lines.count == 2)
        #expect(try SASLCodec.decode(lines[1]) == Array("user=alice@example.com\u{01}auth=Bearer \(token)\u{01}\u{01}".utf8))
        try embedded.finish()
    }
}

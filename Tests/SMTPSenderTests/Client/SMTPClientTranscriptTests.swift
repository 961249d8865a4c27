import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// The test plays the server byte for byte and checks the client's exact bytes.
@Suite("SMTPClient transcripts")
struct SMTPClientTranscriptTests {
    /// A read timeout turns a missing byte into a failure instead of a hang.
    let embedded = EmbeddedConnection(readTimeout: .seconds(10))

    /// A client; with `.tls` the in-memory connection is made secure first, as implicit TLS would be.
    func makeClient(
        security: Endpoint.Security = .tls, allowCleartext: Bool = false
    ) async throws -> (SMTPClient, RecordingConnection) {
        if security == .tls { try await embedded.connection.startTLS(serverName: "mx.example.com", policy: .default) }
        let recording = RecordingConnection(embedded.connection)
        let client = SMTPClient(
            connection: recording, serverName: "mx.example.com", security: security,
            configuration: .init(allowInsecureCleartextAuthentication: allowCleartext))
        return (client, recording)
    }

    /// Expects the client to write exactly `text` next.
    func expectWritten(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let bytes = try await embedded.readOutbound(atLeast: text.utf8.count)
        #expect(String(decoding: bytes, as: UTF8.self) == text, sourceLocation: sourceLocation)
    }

    /// Greets and answers EHLO with `extensions`.
    func open(_ client: SMTPClient, extensions: [String]) async throws {
        let opened = Task { try await client.open() }
        embedded.pushInbound("220 mx.example.com ESMTP\r\n")
        try await expectWritten("EHLO [127.0.0.1]\r\n")
        let lines = ["mx.example.com"] + extensions
        embedded.pushInbound(
            lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)\r\n" }.joined())
        _ = try await opened.value
    }

    let envelope: SMTPEnvelope = {
        do { return try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org", "carol@example.org"]) } catch {
            preconditionFailure("\(error)")
        }
    }()

    @Test("a pipelined transaction goes in one write, and the message is dot-stuffed with CRLF")
    func pipelinedSend() async throws {
        let (client, recording) = try await makeClient()
        try await open(client, extensions: ["PIPELINING", "SIZE 10000", "8BITMIME"])
        let message = Array("Subject: hi\n\n.leading dot\nlast".utf8)
        let sent = Task { try await client.send(envelope: envelope, message: message) }
        try await expectWritten(
            "MAIL FROM:<alice@example.com> SIZE=30\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n"
        )
        #expect(recording.sends.count == 2)  // EHLO, then the whole group at once
        embedded.pushInbound("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n354 go ahead\r\n")
        try await expectWritten("Subject: hi\r\n\r\n..leading dot\r\nlast\r\n.\r\n")
        embedded.pushInbound("250 2.0.0 Ok: queued as 4F2A1\r\n")
        let result = try await sent.value
        #expect(result.acceptedRecipients.map(\.address) == ["bob@example.org"])
        #expect(result.refusedRecipients.map(\.address) == ["carol@example.org"])
        #expect(result.finalReply.text == "Ok: queued as 4F2A1")

        async let quit: Void = client.quit()
        try await expectWritten("QUIT\r\n")
        embedded.pushInbound("221 2.0.0 bye\r\n")
        try await quit
        try embedded.finish()
    }

    @Test("with CHUNKING a message goes as BDAT n LAST behind its RCPTs in one write, unstuffed")
    func chunkedSend() async throws {
        let (client, recording) = try await makeClient()
        try await open(client, extensions: ["PIPELINING", "CHUNKING"])
        let sent = Task { try await client.send(envelope: envelope, message: Array(".dot\nend".utf8)) }
        try await expectWritten(
            "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT 11 LAST\r\n.dot\r\nend\r\n"
        )
        #expect(recording.sends.count == 2)  // EHLO, then the transaction with its data
        embedded.pushInbound("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n250 2.0.0 Ok: queued as 9C\r\n")
        #expect(try await sent.value.finalReply.text == "Ok: queued as 9C")
        try embedded.finish()
    }

    @Test("the next transaction of a burst goes in the same write as the end of the previous message")
    func burstAcrossTransactions() async throws {
        let (client, recording) = try await makeClient()
        try await open(client, extensions: ["PIPELINING"])
        let single = try SMTPEnvelope(from: "a@b.c", to: ["d@e.f"])
        let sent = Task {
            try await client.send([
                SMTPSubmission(envelope: single, message: Array("one\r\n".utf8)),
                SMTPSubmission(envelope: single, message: Array("two\r\n".utf8)),
            ])
        }
        try await expectWritten("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n")
        embedded.pushInbound("250 ok\r\n250 ok\r\n354 go\r\n")
        try await expectWritten("one\r\n.\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n")
        embedded.pushInbound("250 queued 1\r\n250 ok\r\n250 ok\r\n354 go\r\n")
        try await expectWritten("two\r\n.\r\n")
        embedded.pushInbound("250 queued 2\r\n")
        let results = try await sent.value
        #expect(try results.map { try $0.get().finalReply.text } == ["queued 1", "queued 2"])
        #expect(recording.sends.count == 4)  // EHLO, then one write per 354 answered
        try embedded.finish()
    }

    @Test("without PIPELINING each command waits for its reply")
    func lockstepSend() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["8BITMIME"])
        let sent = Task {
            try await client.send(
                envelope: try SMTPEnvelope(from: "a@b.c", to: ["d@e.f"]), message: Array("x\r\n".utf8))
        }
        try await expectWritten("MAIL FROM:<a@b.c>\r\n")
        #expect(embedded.takeOutbound().isEmpty)
        embedded.pushInbound("250 ok\r\n")
        try await expectWritten("RCPT TO:<d@e.f>\r\n")
        embedded.pushInbound("250 ok\r\n")
        try await expectWritten("DATA\r\n")
        embedded.pushInbound("354 go\r\n")
        try await expectWritten("x\r\n.\r\n")
        embedded.pushInbound("250 queued\r\n")
        _ = try await sent.value
        try embedded.finish()
    }

    @Test("after a refused transaction the client sends RSET and can send the next message")
    func rsetThenNextMessage() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["PIPELINING"])
        let single = try SMTPEnvelope(from: "a@b.c", to: ["d@e.f"])
        let first = Task { try await client.send(envelope: single, message: Array("one\r\n".utf8)) }
        try await expectWritten("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n")
        embedded.pushInbound("250 ok\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients\r\n")
        try await expectWritten("RSET\r\n")
        embedded.pushInbound("250 flushed\r\n")
        let error = await #expect(throws: SMTPError.self) { _ = try await first.value }
        #expect(error?.code == .recipientRefused)
        #expect(error?.reply?.enhancedStatus == EnhancedStatusCode(5, 1, 1))

        async let second = client.send(envelope: single, message: Array("two\r\n".utf8))
        try await expectWritten("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n")
        embedded.pushInbound("250 ok\r\n250 ok\r\n354 go\r\n")
        try await expectWritten("two\r\n.\r\n")
        embedded.pushInbound("250 queued\r\n")
        #expect(try await second.acceptedRecipients.count == 1)
        try embedded.finish()
    }

    @Test("STARTTLS is sent, the connection upgraded, and EHLO repeated before AUTH PLAIN")
    func startTLSThenAuth() async throws {
        let (client, _) = try await makeClient(security: .startTLS)
        let opened = Task { try await client.open() }
        embedded.pushInbound("220 mx ESMTP\r\n")
        try await expectWritten("EHLO [127.0.0.1]\r\n")
        embedded.pushInbound("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")
        try await expectWritten("STARTTLS\r\n")
        #expect(!embedded.connection.isSecure)
        embedded.pushInbound("220 2.0.0 ready\r\n")
        try await expectWritten("EHLO [127.0.0.1]\r\n")
        #expect(embedded.connection.isSecure)
        embedded.pushInbound("250-mx\r\n250 AUTH PLAIN LOGIN\r\n")
        let capabilities = try await opened.value
        #expect(capabilities.authenticationMechanisms == ["PLAIN", "LOGIN"])

        let authenticated = Task {
            try await client.authenticate(Credentials(user: "tim", secret: .password("tanstaaf")))
        }
        try await expectWritten("AUTH PLAIN \(SASLCodec.encode(Array("\0tim\0tanstaaf".utf8)))\r\n")
        embedded.pushInbound("235 2.7.0 ok\r\n")
        try await authenticated.value
        try embedded.finish()
    }

    @Test("bytes arriving with the STARTTLS reply are refused as injected, before any handshake")
    func startTLSInjection() async throws {
        let (client, _) = try await makeClient(security: .startTLS)
        let opened = Task { try await client.open() }
        embedded.pushInbound("220 mx\r\n")
        try await expectWritten("EHLO [127.0.0.1]\r\n")
        embedded.pushInbound("250-mx\r\n250 STARTTLS\r\n")
        try await expectWritten("STARTTLS\r\n")
        embedded.pushInbound("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n")
        let error = await #expect(throws: TransportError.self) { _ = try await opened.value }
        #expect(error?.code == .dataBeforeTLS)
        #expect(embedded.connection.startTLSCount == 0)
    }

    @Test("STARTTLS required but not offered ends the session without sending anything else")
    func startTLSMissing() async throws {
        let (client, _) = try await makeClient(security: .startTLS)
        let opened = Task { try await client.open() }
        embedded.pushInbound("220 mx\r\n")
        try await expectWritten("EHLO [127.0.0.1]\r\n")
        embedded.pushInbound("250-mx\r\n250 AUTH PLAIN\r\n")
        let error = await #expect(throws: SMTPError.self) { _ = try await opened.value }
        #expect(error?.code == .startTLSNotOffered)
        #expect(embedded.takeOutbound().isEmpty)
    }

    @Test("a password is not sent over plaintext unless explicitly allowed")
    func cleartextRefused() async throws {
        let (client, _) = try await makeClient(security: .insecurePlaintext)
        try await open(client, extensions: ["AUTH PLAIN LOGIN"])
        let error = await #expect(throws: SMTPError.self) {
            try await client.authenticate(Credentials(user: "tim", secret: .password("secret")))
        }
        #expect(error?.code == .cleartextRefused)
        #expect(embedded.takeOutbound().isEmpty)
        #expect(error.map { !"\($0)".contains("secret") } == true)
    }

    @Test("AUTH LOGIN answers each 334 challenge on its own line")
    func authLogin() async throws {
        let (client, _) = try await makeClient(security: .insecurePlaintext, allowCleartext: true)
        try await open(client, extensions: ["AUTH LOGIN"])
        let authenticated = Task { try await client.authenticate(Credentials(user: "tim", secret: .password("pw"))) }
        try await expectWritten("AUTH LOGIN\r\n")
        embedded.pushInbound("334 VXNlcm5hbWU6\r\n")
        try await expectWritten("dGlt\r\n")
        embedded.pushInbound("334 UGFzc3dvcmQ6\r\n")
        try await expectWritten("cHc=\r\n")
        embedded.pushInbound("235 ok\r\n")
        try await authenticated.value
        try embedded.finish()
    }

    @Test("534 5.7.9 is reported as needing an app password")
    func applicationPassword() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["AUTH PLAIN"])
        let authenticated = Task { try await client.authenticate(Credentials(user: "tim", secret: .password("pw"))) }
        try await expectWritten("AUTH PLAIN AHRpbQBwdw==\r\n")
        embedded.pushInbound("534-5.7.9 Application-specific password required.\r\n534 5.7.9 Learn more\r\n")
        let error = await #expect(throws: SMTPError.self) { try await authenticated.value }
        #expect(error?.code == .applicationPasswordRequired)
        try embedded.finish()
    }

    @Test("a rejected OAuth token is acknowledged, refreshed once, and AUTH retried")
    func oauthRefresh() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["AUTH XOAUTH2"])
        let provider = OAuth2TokenProvider { refresh in refresh ? "fresh" : "stale" }
        let authenticated = Task {
            try await client.authenticate(Credentials(user: "u@example.com", secret: .oauth2(provider)))
        }
        try await expectWritten(
            "AUTH XOAUTH2 \(SASLCodec.encode(Array("user=u@example.com\u{1}auth=Bearer stale\u{1}\u{1}".utf8)))\r\n")
        embedded.pushInbound(
            "334 \(SASLCodec.encode(Array(#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#.utf8)))\r\n"
        )
        try await expectWritten("\r\n")
        embedded.pushInbound("535 5.7.8 Username and Password not accepted\r\n")
        try await expectWritten(
            "AUTH XOAUTH2 \(SASLCodec.encode(Array("user=u@example.com\u{1}auth=Bearer fresh\u{1}\u{1}".utf8)))\r\n")
        embedded.pushInbound("235 2.7.0 Accepted\r\n")
        try await authenticated.value
        try embedded.finish()
    }

    @Test("421 in the middle of a transaction closes the session with a transient error")
    func serviceClosing() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["PIPELINING"])
        let sent = Task { try await client.send(envelope: envelope, message: []) }
        _ = try await embedded.readOutbound(atLeast: 1)
        embedded.pushInbound("421 4.3.2 shutting down\r\n")
        let error = await #expect(throws: SMTPError.self) { _ = try await sent.value }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.isTransient == true)
    }

    @Test("a server that closes the connection mid-reply gives a transport error")
    func closedByPeer() async throws {
        let (client, _) = try await makeClient()
        let opened = Task { try await client.open() }
        embedded.pushInbound("220-mx\r\n")
        embedded.closeInbound()
        let error = await #expect(throws: TransportError.self) { _ = try await opened.value }
        #expect(error?.code == .closedByPeer)
    }

    @Test("an over-long reply line is refused, not buffered without end")
    func lineTooLong() async throws {
        let (client, _) = try await makeClient()
        let opened = Task { try await client.open() }
        embedded.pushInbound("220 " + String(repeating: "x", count: 5000) + "\r\n")
        let error = await #expect(throws: TransportError.self) { _ = try await opened.value }
        #expect(error?.code == .lineTooLong)
    }

    @Test("a garbage greeting is a malformed reply")
    func garbageGreeting() async throws {
        let (client, _) = try await makeClient()
        let opened = Task { try await client.open() }
        embedded.pushInbound("+OK this is POP3\r\n")
        let error = await #expect(throws: SMTPError.self) { _ = try await opened.value }
        #expect(error?.code == .malformedReply)
    }

    @Test("an initial response too long for the 512-octet AUTH line waits for the empty 334")
    func longTokenWithheld() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["AUTH XOAUTH2"])
        let token = String(repeating: "t", count: 600)
        let authenticated = Task {
            try await client.authenticate(Credentials(user: "u@example.com", secret: .oauth2(.fixed(token))))
        }
        try await expectWritten("AUTH XOAUTH2\r\n")
        embedded.pushInbound("334 \r\n")
        try await expectWritten(
            SASLCodec.encode(Array("user=u@example.com\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)) + "\r\n")
        embedded.pushInbound("235 2.7.0 Accepted\r\n")
        try await authenticated.value
        try embedded.finish()
    }

    @Test("a challenge that is not base64 is cancelled with * and reported as malformed")
    func badChallenge() async throws {
        let (client, _) = try await makeClient()
        try await open(client, extensions: ["AUTH LOGIN"])
        let authenticated = Task { try await client.authenticate(Credentials(user: "tim", secret: .password("pw"))) }
        try await expectWritten("AUTH LOGIN\r\n")
        embedded.pushInbound("334 not base64!\r\n")
        try await expectWritten("*\r\n")
        embedded.pushInbound("501 5.7.0 cancelled\r\n")
        let error = await #expect(throws: SMTPError.self) { try await authenticated.value }
        #expect(error?.code == .malformedReply)
        try embedded.finish()
    }
}

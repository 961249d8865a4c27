import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// The client against MailTesting's fake server, which parses with its own code.
@Suite("SMTPClient end to end")
struct SMTPClientEndToEndTests {
    static let accounts = SASLServerAccounts(passwords: ["tim": "tanstaaf"], tokens: ["tim@example.com": "ya29.good"])
    let timeouts = Timeouts.all(.seconds(10))

    static func envelope(_ to: [String] = ["bob@example.org"]) -> SMTPEnvelope {
        do { return try SMTPEnvelope(from: "tim@example.com", to: to) } catch { preconditionFailure("\(error)") }
    }

    @Test(
        "STARTTLS, AUTH and three messages over one in-memory connection arrive intact",
        arguments: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"])
    func inMemorySession(mechanism: String) async throws {
        let server = FakeSMTPServer(
            configuration: .init(
                accounts: Self.accounts, authenticationMechanisms: [mechanism], requiresAuthentication: true))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake-smtp.test", port: 587, security: .startTLS),
            credentials: Credentials(user: "tim", secret: .password("tanstaaf")), timeouts: timeouts,
            connector: server.connector)
        #expect(await client.isSecure)
        let bodies = ["one\n.dot\n", "two\r\n..two dots\r\n", "three without newline"]
        for body in bodies {
            let result = try await client.send(envelope: Self.envelope(), message: Array(body.utf8))
            #expect(result.acceptedRecipients.map(\.address) == ["bob@example.org"])
        }
        try await client.quit()
        let received = server.receivedMessages
        #expect(
            received.map { String(decoding: $0.data, as: UTF8.self) } == [
                "one\r\n.dot\r\n", "two\r\n..two dots\r\n", "three without newline\r\n",
            ])
        #expect(received.allSatisfy { $0.authenticatedUser == "tim" && $0.wasSecure && $0.sender == "tim@example.com" })
        #expect(server.violations.isEmpty)
        #expect(server.sessionCount == 1)
    }

    @Test("without PIPELINING the client never sends ahead of a reply")
    func lockstepAgainstFake() async throws {
        let server = FakeSMTPServer(configuration: .init(offersPipelining: false))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        _ = try await client.send(envelope: Self.envelope(["a@x.org", "b@x.org"]), message: Array("hi\r\n".utf8))
        try await client.quit()
        #expect(server.violations.isEmpty)
        #expect(
            server.receivedCommands == [
                "EHLO [127.0.0.1]", "MAIL FROM:<tim@example.com> SIZE=4", "RCPT TO:<a@x.org>", "RCPT TO:<b@x.org>",
                "DATA", "QUIT",
            ])
    }

    @Test("a dry run asks MAIL and RCPT, then RSET: no message reaches the server; a refused recipient throws its reply",
          arguments: [true, false])
    func dryRun(pipelining: Bool) async throws {
        let server = FakeSMTPServer(
            configuration: .init(offersPipelining: pipelining, faults: [
                .refuseRecipient("nobody@x.org", reply: "550 5.1.1 <nobody@x.org>: Recipient address rejected")
            ]))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        let outcomes = try await client.dryRun(envelope: Self.envelope(["somebody@x.org", "nobody@x.org"]))
        #expect(outcomes.map(\.isAccepted) == [true, false])
        let refused = await #expect(throws: SMTPError.self) {
            _ = try await client.dryRun(envelope: Self.envelope(["nobody@x.org"]))
        }
        #expect(refused?.reply?.enhancedStatus == EnhancedStatusCode(5, 1, 1))
        _ = try await client.send(envelope: Self.envelope(), message: Array("after\r\n".utf8))
        try await client.quit()
        #expect(server.receivedMessages.count == 1, "only the real send delivered a message")
        #expect(server.receivedCommands.filter { $0 == "RSET" }.count == 2)
        #expect(server.receivedCommands.filter { $0 == "DATA" || $0.hasPrefix("BDAT") }.count == 1)
        #expect(server.violations.isEmpty, "\(server.violations)")
    }

    @Test("a refused recipient is reported per recipient while the others get the message")
    func partialRefusal() async throws {
        let server = FakeSMTPServer(
            configuration: .init(faults: [
                .refuseRecipient("nobody@x.org", reply: "550 5.1.1 <nobody@x.org>: Recipient address rejected")
            ]))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        let result = try await client.send(
            envelope: Self.envelope(["nobody@x.org", "somebody@x.org"]), message: Array("x\r\n".utf8))
        #expect(result.acceptedRecipients.map(\.address) == ["somebody@x.org"])
        #expect(result.refusedRecipients.first?.reply?.enhancedStatus == EnhancedStatusCode(5, 1, 1))
        #expect(server.receivedMessages.first?.recipients == ["somebody@x.org"])
    }

    @Test("after a refused message the next one on the same connection goes through")
    func recoveryAfterFailure() async throws {
        let server = FakeSMTPServer(
            configuration: .init(faults: [.refuseRecipient("nobody@x.org", reply: "550 5.1.1 no")]))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        let error = await #expect(throws: SMTPError.self) {
            _ = try await client.send(envelope: Self.envelope(["nobody@x.org"]), message: [65])
        }
        #expect(error?.code == .recipientRefused)
        _ = try await client.send(envelope: Self.envelope(), message: Array("second\r\n".utf8))
        #expect(server.receivedMessages.count == 1)
        #expect(server.receivedCommands.contains("RSET"))
    }

    @Test("a message over the server's SIZE is refused before any data is sent")
    func sizeLimit() async throws {
        let server = FakeSMTPServer(configuration: .init(maximumMessageSize: 100))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        let error = await #expect(throws: SMTPError.self) {
            _ = try await client.send(envelope: Self.envelope(), message: Array(repeating: 65, count: 101))
        }
        #expect(error?.code == .messageTooLarge)
        #expect(!server.receivedCommands.contains { $0.hasPrefix("MAIL") })
    }

    @Test("wrong password, app-password and OAuth-required replies surface as their codes")
    func authenticationFailures() async throws {
        let wrong = FakeSMTPServer(configuration: .init(accounts: Self.accounts))
        let error = await #expect(throws: SMTPError.self) {
            _ = try await SMTPClient.connect(
                to: Endpoint(host: "fake", port: 465, security: .tls),
                credentials: Credentials(user: "tim", secret: .password("wrong")), timeouts: timeouts,
                connector: wrong.connector)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error.map { !"\($0)".contains("wrong") } == true)

        for (line, code) in [
            ("534 5.7.9 Application-specific password required", SMTPError.Code.applicationPasswordRequired),
            ("535 5.7.139 Authentication unsuccessful, basic authentication is disabled", .oauthRequired),
        ] {
            let server = FakeSMTPServer(configuration: .init(faults: [.authenticationReply(line)]))
            let error = await #expect(throws: SMTPError.self) {
                _ = try await SMTPClient.connect(
                    to: Endpoint(host: "fake", port: 465, security: .tls),
                    credentials: Credentials(user: "tim", secret: .password("pw")), timeouts: timeouts,
                    connector: server.connector)
            }
            #expect(error?.code == code)
        }
    }

    @Test("XOAUTH2 with a token from the provider authenticates")
    func xoauth2() async throws {
        let server = FakeSMTPServer(
            configuration: .init(
                accounts: Self.accounts, authenticationMechanisms: ["XOAUTH2"], requiresAuthentication: true))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls),
            credentials: Credentials(user: "tim@example.com", secret: .oauth2(.fixed("ya29.good"))), timeouts: timeouts,
            connector: server.connector)
        _ = try await client.send(envelope: Self.envelope(), message: Array("x\r\n".utf8))
        #expect(server.receivedMessages.first?.authenticatedUser == "tim@example.com")
    }

    @Test("concurrent sends on one client are queued, one transaction on the wire at a time")
    func concurrentSends() async throws {
        let server = FakeSMTPServer(configuration: .init(offersPipelining: false))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    _ = try await client.send(envelope: Self.envelope(), message: Array("message \(index)\r\n".utf8))
                }
            }
            try await group.waitForAll()
        }
        try await client.quit()
        #expect(
            Set(server.receivedMessages.map { String(decoding: $0.data, as: UTF8.self) })
                == Set((0..<8).map { "message \($0)\r\n" }))
        #expect(server.violations.isEmpty)
    }

    @Test("sending before open() or after the session ended throws instead of crashing")
    func notConnected() async throws {
        let (connection, _) = InMemoryConnection.makePair()
        let unopened = SMTPClient(connection: connection, serverName: "fake", security: .tls)
        let early = await #expect(throws: SMTPError.self) {
            _ = try await unopened.send(envelope: Self.envelope(), message: [])
        }
        #expect(early?.code == .notConnected)

        let server = FakeSMTPServer(configuration: .init(faults: [.reply(verb: "NOOP", with: "421 4.3.2 bye")]))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        await #expect(throws: SMTPError.self) { try await client.noop() }
        let late = await #expect(throws: SMTPError.self) {
            _ = try await client.send(envelope: Self.envelope(), message: [])
        }
        #expect(late?.code == .notConnected)
    }

    @Test("an EHLO name that could inject a command is refused before it is written")
    func hostnameInjection() async throws {
        let server = FakeSMTPServer()
        let error = await #expect(throws: SMTPError.self) {
            _ = try await SMTPClient.connect(
                to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts,
                connector: server.connector,
                configuration: .init(clientHostname: "me\r\nMAIL FROM:<x@y.z>"))
        }
        #expect(error?.code == .invalidArgument)
        #expect(server.receivedCommands.isEmpty)
    }

    @Test("a long OAuth token is sent after the fake's empty challenge and accepted")
    func longToken() async throws {
        let token = String(repeating: "k", count: 900)
        let server = FakeSMTPServer(
            configuration: .init(
                accounts: SASLServerAccounts(tokens: ["tim@example.com": token]), authenticationMechanisms: ["XOAUTH2"],
                requiresAuthentication: true))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls),
            credentials: Credentials(user: "tim@example.com", secret: .oauth2(.fixed(token))), timeouts: timeouts,
            connector: server.connector)
        _ = try await client.send(envelope: Self.envelope(), message: Array("x\r\n".utf8))
        #expect(server.receivedMessages.first?.authenticatedUser == "tim@example.com")
        #expect(server.receivedCommands.contains("AUTH XOAUTH2"))
    }

    @Test(
        "a server that drops the connection mid-transaction gives a transport error, and later sends say notConnected")
    func dropped() async throws {
        let server = FakeSMTPServer(
            configuration: .init(offersPipelining: false, faults: [.disconnect(afterCommands: 2)]))
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.send(envelope: Self.envelope(), message: Array("x\r\n".utf8))
        }
        #expect(error?.code == .closedByPeer)
        let later = await #expect(throws: SMTPError.self) {
            _ = try await client.send(envelope: Self.envelope(), message: Array("x\r\n".utf8))
        }
        #expect(later?.code == .notConnected)
        #expect(server.receivedMessages.isEmpty)
    }

    @Test("a 554 greeting is refused as service unavailable")
    func refusedGreeting() async throws {
        let server = FakeSMTPServer(configuration: .init(faults: [.greeting("554 5.7.1 no service for you")]))
        let error = await #expect(throws: SMTPError.self) {
            _ = try await SMTPClient.connect(
                to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector
            )
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.reply?.text == "no service for you")
    }
}

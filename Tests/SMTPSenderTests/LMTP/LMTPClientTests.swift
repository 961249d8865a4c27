import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// The client against MailTesting's fake LMTP server, which parses with its own code.
@Suite("LMTPClient")
struct LMTPClientTests {
    let timeouts = Timeouts.all(.seconds(10))
    let endpoint = Endpoint(host: "fake-lmtp.test", port: 24, security: .insecurePlaintext)

    static func path(_ address: String) -> SMTPPath {
        do { return try SMTPPath(address) } catch { preconditionFailure("\(error)") }
    }

    func connect(_ server: FakeLMTPServer) async throws -> LMTPClient {
        try await LMTPClient.connect(to: endpoint, timeouts: timeouts, connector: server.connector)
    }

    @Test("a recipient that fails after DATA does not take the message from the one that succeeds")
    func perRecipientReplies() async throws {
        let server = FakeLMTPServer(
            configuration: .init(faults: [.failAfterData("ivan@example.test", reply: "452 4.2.2 Mailbox is full")]))
        let client = try await connect(server)
        let result = try await client.deliver(
            Array("Subject: hi\r\n\r\nbody\r\n".utf8), from: nil,
            to: [Self.path("judy@example.test"), Self.path("ivan@example.test")])
        try await client.quit()
        #expect(result.deliveredRecipients.map(\.address) == ["judy@example.test"])
        let failure = try #require(result.failures.first)
        #expect(failure.address == "ivan@example.test")
        #expect(failure.isTransient)
        #expect(failure.reply?.code == 452)
        #expect(server.deliveries.map(\.recipient) == ["judy@example.test"])
        #expect(server.violations.isEmpty)
    }

    @Test("with PIPELINING the envelope goes in one write; LHLO opens the session")
    func pipelined() async throws {
        let server = FakeLMTPServer()
        let client = try await connect(server)
        _ = try await client.deliver(
            Array("x\r\n".utf8), from: Self.path("a@example.org"), to: [Self.path("judy@example.test")])
        try await client.quit()
        #expect(
            server.receivedCommands == [
                "LHLO localhost", "MAIL FROM:<a@example.org>", "RCPT TO:<judy@example.test>", "DATA", "QUIT",
            ])
        #expect(server.violations.isEmpty)
    }

    @Test("without PIPELINING the client never sends ahead of a reply")
    func lockstep() async throws {
        let server = FakeLMTPServer(configuration: .init(offersPipelining: false))
        let client = try await connect(server)
        let result = try await client.deliver(
            Array("x\r\n".utf8), from: nil, to: [Self.path("judy@example.test"), Self.path("ivan@example.test")])
        try await client.quit()
        #expect(result.deliveredRecipients.count == 2)
        #expect(server.violations.isEmpty)
    }

    @Test("lines starting with a dot are stuffed and bare LFs become CRLF")
    func dotStuffing() async throws {
        let server = FakeLMTPServer()
        let client = try await connect(server)
        _ = try await client.deliver(Array("a\n.\n..b\nlast".utf8), from: nil, to: [Self.path("judy@example.test")])
        try await client.quit()
        #expect(server.deliveries.first?.data == Array("a\r\n.\r\n..b\r\nlast\r\n".utf8))
        #expect(server.violations.isEmpty)
    }

    @Test("every recipient refused: the call throws, and the session delivers the next message")
    func refusedThenNext() async throws {
        let server = FakeLMTPServer(
            configuration: .init(faults: [
                .refuseRecipient("nobody@example.test", reply: "550 5.1.1 User doesn't exist")
            ]))
        let client = try await connect(server)
        await #expect(throws: SMTPError.self) {
            _ = try await client.deliver(Array("x\r\n".utf8), from: nil, to: [Self.path("nobody@example.test")])
        }
        let result = try await client.deliver(Array("y\r\n".utf8), from: nil, to: [Self.path("judy@example.test")])
        try await client.quit()
        #expect(result.deliveredRecipients.count == 1)
        #expect(server.sessionCount == 1)
    }

    @Test("a streamed message reaches the server before it ends, and arrives whole")
    func streaming() async throws {
        let server = FakeLMTPServer()
        let client = try await connect(server)
        try await client.beginMessage(from: nil, to: [Self.path("judy@example.test")])
        let chunk = Array(
            repeating: Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".utf8), count: 1024
        )
        .flatMap { $0 }
        for _ in 0..<4 { try await client.appendMessage(chunk) }
        // The bytes are on their way while the message is still open: nothing waits for the end.
        var waited = 0
        while server.messageBytesInFlight < 3 * chunk.count, waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(server.messageBytesInFlight >= 3 * chunk.count)
        let result = try await client.endMessage()
        try await client.quit()
        #expect(result.deliveredRecipients.count == 1)
        #expect(server.deliveries.first?.data.count == 4 * chunk.count)
    }

    @Test("appending without a message begun is refused and the session goes on")
    func outOfSequence() async throws {
        let server = FakeLMTPServer()
        let client = try await connect(server)
        await #expect(throws: SMTPError.self) { try await client.appendMessage([1, 2, 3]) }
        await #expect(throws: SMTPError.self) { _ = try await client.deliver([1], from: nil, to: []) }
        try await client.reset()
        try await client.quit()
    }

    @Test("a server that closes after the message leaves the outcome unknown, never a success")
    func closedAfterData() async throws {
        let server = FakeLMTPServer(configuration: .init(faults: [.closeAfterData]))
        let client = try await connect(server)
        do {
            _ = try await client.deliver(Array("x\r\n".utf8), from: nil, to: [Self.path("judy@example.test")])
            Issue.record("the delivery must not succeed")
        } catch let error as SMTPError {
            #expect(error.code == .messageOutcomeUnknown)
        }
        #expect(await client.hasEnded)
    }

    @Test("an SMTP server's refusal of LHLO ends the session with a hint")
    func notLMTP() async throws {
        let server = FakeSMTPServer()
        do {
            _ = try await LMTPClient.connect(to: endpoint, timeouts: timeouts, connector: server.connector)
            Issue.record("an SMTP server must not pass for LMTP")
        } catch let error as SMTPError {
            #expect(error.detail.contains("LMTP"))
        }
    }

    @Test("a reply longer than the line bound is an error, not unbounded memory")
    func boundedReplies() async throws {
        let (client, server) = InMemoryConnection.makePair()
        let lmtp = LMTPClient(
            connection: client, serverName: "x", security: .insecurePlaintext,
            configuration: .init(maximumLineLength: 1024))
        try server.sendNow(Array(("220 " + String(repeating: "x", count: 5000) + "\r\n").utf8))
        await #expect(throws: TransportError.self) { try await lmtp.open() }
    }
}

import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// `SMTPClient.send(_:)` against FakeSMTPServer, with BDAT (CHUNKING offered) and with DATA:
/// what arrives, in what order, and that each refusal fails its own message only.
@Suite("SMTPClient bursts")
struct SMTPClientBurstTests {
    private func connect(
        _ server: FakeSMTPServer, configuration: SMTPClient.Configuration = .init()
    ) async throws -> SMTPClient {
        try await SMTPClient.connect(
            to: Endpoint(host: "fake-smtp.test", port: 465, security: .tls), timeouts: .all(.seconds(20)),
            connector: server.connector, configuration: configuration)
    }

    private func submission(
        from: String = "a@example.com", to: [String] = ["b@example.org"], _ text: String
    ) throws
        -> SMTPSubmission
    {
        SMTPSubmission(envelope: try SMTPEnvelope(from: from, to: to), message: Array(text.utf8))
    }

    private func codes(_ results: [Result<SMTPSendResult, SMTPError>]) -> [SMTPError.Code?] {
        results.map { result in
            if case .failure(let error) = result { return error.code }
            return nil
        }
    }

    @Test(
        "a burst arrives whole and in order, as BDAT when offered (unstuffed) and as DATA otherwise",
        arguments: [true, false])
    func burstArrivesWhole(chunking: Bool) async throws {
        let server = FakeSMTPServer(configuration: .init(offersChunking: chunking))
        let client = try await connect(server)
        let submissions = try (0..<20).map { try submission("Subject: \($0)\n\n.leading dot\nbare LF\r\nend") }
        let results = try await client.send(submissions)
        try await client.quit()

        #expect(codes(results) == Array(repeating: nil, count: 20))
        let received = server.receivedMessages
        #expect(
            received.map { String(decoding: $0.data, as: UTF8.self) }
                == (0..<20).map {
                    "Subject: \($0)\r\n\r\n.leading dot\r\nbare LF\r\nend\r\n"
                })
        #expect(received.allSatisfy { $0.chunkCount == (chunking ? 1 : 0) })
        #expect(server.violations.isEmpty)
        let commands = server.receivedCommands
        #expect(commands.filter { $0.hasPrefix("BDAT ") && $0.hasSuffix(" LAST") }.count == (chunking ? 20 : 0))
        #expect(commands.filter { $0 == "DATA" }.count == (chunking ? 0 : 20))
    }

    @Test(
        "a refused sender, a message whose recipients are all refused and a message refused after its data fail alone",
        arguments: [true, false])
    func refusalsStayApart(chunking: Bool) async throws {
        let server = FakeSMTPServer(
            configuration: .init(
                offersChunking: chunking,
                faults: [
                    .refuseSender("forged@example.com", reply: "553 5.7.1 not yours"),
                    .refuseRecipient("nobody@example.org", reply: "550 5.1.1 no such user"),
                    .refuseMessageContaining("SPAM", reply: "554 5.7.1 looks like spam"),
                ]))
        let client = try await connect(server)
        let results = try await client.send([
            try submission("one\r\n"),
            try submission(from: "forged@example.com", "two\r\n"),
            try submission(to: ["nobody@example.org"], "three\r\n"),
            try submission(to: ["nobody@example.org", "c@example.org"], "four\r\n"),
            try submission("SPAM five\r\n"),
            try submission("six\r\n"),
        ])
        #expect(codes(results) == [nil, .senderRefused, .recipientRefused, nil, .permanent, nil])
        let partly = try results[3].get()
        #expect(partly.acceptedRecipients.map(\.address) == ["c@example.org"])
        #expect(partly.refusedRecipients.map(\.address) == ["nobody@example.org"])
        #expect(
            server.receivedMessages.map { String(decoding: $0.data, as: UTF8.self) } == [
                "one\r\n", "four\r\n", "six\r\n",
            ])
        #expect(server.receivedMessages[1].recipients == ["c@example.org"])
        // After each refused BDAT the next command was an RSET (RFC 3030 §2).
        #expect(server.violations.isEmpty)

        // The session is clean for the next send.
        #expect(
            try await client.send(
                envelope: try SMTPEnvelope(from: "a@example.com", to: ["b@example.org"]),
                message: Array("seven\r\n".utf8)
            ).finalReply.code == 250)
        try await client.quit()
        #expect(server.violations.isEmpty)
    }

    @Test("a message larger than a chunk goes as several BDAT chunks and arrives intact")
    func severalChunks() async throws {
        let server = FakeSMTPServer(configuration: .init(offersChunking: true))
        let client = try await connect(server, configuration: .init(dataChunkSize: 1024))
        let body = (0..<120).map { "line \($0) of a long message\r\n" }.joined()
        let results = try await client.send([try submission(body), try submission("short\r\n")])
        try await client.quit()
        #expect(codes(results) == [nil, nil])
        let received = server.receivedMessages
        #expect(received.first.map { String(decoding: $0.data, as: UTF8.self) } == body)
        #expect(received.first?.chunkCount == SMTPBurstStateMachine.chunkCount(size: body.utf8.count, chunkSize: 1024))
        #expect((received.first?.chunkCount ?? 0) > 1)
        #expect(server.violations.isEmpty)
    }

    @Test("a message over the server's SIZE is refused before sending; the rest of the burst goes")
    func tooLargeBeforeSending() async throws {
        let server = FakeSMTPServer(configuration: .init(offersChunking: true, maximumMessageSize: 100))
        let client = try await connect(server)
        let results = try await client.send([
            try submission(String(repeating: "x", count: 200) + "\r\n"), try submission("small\r\n"),
        ])
        #expect(codes(results) == [.messageTooLarge, nil])
        #expect(server.receivedMessages.count == 1)
        #expect(server.receivedCommands.filter { $0.hasPrefix("MAIL") }.count == 1)
    }

    @Test(
        "when the server drops the connection mid-burst, every message still gets an outcome and later sends say notConnected"
    )
    func droppedMidBurst() async throws {
        // Greeting, EHLO, then each message takes MAIL, RCPT, BDAT (and an RSET after the first).
        let server = FakeSMTPServer(configuration: .init(offersChunking: true, faults: [.disconnect(afterCommands: 8)]))
        let client = try await connect(server)
        let results = try await client.send(try (0..<5).map { try submission("message \($0)\r\n") })
        let delivered = server.receivedMessages.count
        #expect(delivered >= 1)
        #expect(codes(results).prefix(delivered).allSatisfy { $0 == nil })
        #expect(codes(results).dropFirst(delivered).allSatisfy { $0 != nil })
        let error = await #expect(throws: SMTPError.self) { _ = try await client.send([try submission("late\r\n")]) }
        #expect(error?.code == .notConnected)
    }

    @Test("without PIPELINING a burst goes one command at a time, with DATA")
    func lockstepBurst() async throws {
        let server = FakeSMTPServer(configuration: .init(offersPipelining: false, offersChunking: true))
        let client = try await connect(server)
        let results = try await client.send([
            try submission("one\r\n"), try submission(to: ["nobody@example.org"], "two\r\n"),
        ])
        #expect(codes(results) == [nil, nil])
        #expect(server.violations.isEmpty)
        #expect(server.receivedMessages.allSatisfy { $0.chunkCount == 0 })
    }
}

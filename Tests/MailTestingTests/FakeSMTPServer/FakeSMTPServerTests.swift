import MailAuth
import MailTransport
import Testing

@testable import MailTesting

/// The fake server driven by hand, byte for byte, with no SMTP client involved.
@Suite("FakeSMTPServer")
struct FakeSMTPServerTests {
    /// A session with `server`; the test is the client.
    struct Session {
        let client: InMemoryConnection
        let reader: BufferedReader
        let task: Task<Void, Never>

        init(_ server: FakeSMTPServer, secure: Bool = false) async throws {
            let (client, serverSide) = InMemoryConnection.makePair(readTimeout: .seconds(10))
            if secure { try await client.startTLS(serverName: "fake", policy: .default) }
            self.client = client
            self.reader = BufferedReader(connection: client)
            self.task = Task { await server.serve(serverSide) }
        }

        func send(_ text: String) async throws { try await client.send(Array(text.utf8)) }

        /// Reads one complete reply and returns its lines.
        func reply() async throws -> [String] {
            var lines: [String] = []
            while true {
                let line = String(decoding: try await reader.readLine(), as: UTF8.self)
                lines.append(line)
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return lines }
            }
        }

        func ask(_ text: String) async throws -> [String] {
            try await send(text)
            return try await reply()
        }
    }

    @Test("the greeting and EHLO list the extensions; STARTTLS and AUTH depend on encryption")
    func ehlo() async throws {
        let server = FakeSMTPServer(configuration: .init(maximumMessageSize: 1000))
        let plain = try await Session(server)
        #expect(try await plain.reply() == ["220 fake-smtp.test ESMTP fake ready"])
        #expect(
            try await plain.ask("EHLO me\r\n") == [
                "250-fake-smtp.test greets me", "250-PIPELINING", "250-SIZE 1000", "250-8BITMIME", "250-SMTPUTF8",
                "250-ENHANCEDSTATUSCODES", "250 STARTTLS",
            ])
        let secure = try await Session(server, secure: true)
        _ = try await secure.reply()
        let lines = try await secure.ask("EHLO me\r\n")
        #expect(!lines.contains("250-STARTTLS"))
        #expect(lines.last == "250 AUTH PLAIN LOGIN")
    }

    @Test("a pipelined transaction is answered in order and the data is recorded unstuffed")
    func transaction() async throws {
        let server = FakeSMTPServer()
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        try await session.send("MAIL FROM:<a@b.c> SIZE=20\r\nRCPT TO:<d@e.f>\r\nRCPT TO:<g@h.i>\r\nDATA\r\n")
        #expect(try await session.reply() == ["250 2.1.0 Ok"])
        #expect(try await session.reply() == ["250 2.1.5 Ok"])
        #expect(try await session.reply() == ["250 2.1.5 Ok"])
        #expect(try await session.reply() == ["354 End data with <CR><LF>.<CR><LF>"])
        #expect(try await session.ask("line\r\n..dot\r\n.\r\n") == ["250 2.0.0 Ok: queued as FAKE1"])
        #expect(try await session.ask("QUIT\r\n") == ["221 2.0.0 Bye"])
        let message = try #require(server.receivedMessages.first)
        #expect(message.sender == "a@b.c")
        #expect(message.mailParameters == ["SIZE=20"])
        #expect(message.recipients == ["d@e.f", "g@h.i"])
        #expect(message.data == Array("line\r\n.dot\r\n".utf8))
        #expect(!message.wasSecure)
        #expect(server.violations.isEmpty)
    }

    @Test("sending ahead without PIPELINING is recorded as a violation")
    func pipeliningViolation() async throws {
        let server = FakeSMTPServer(configuration: .init(offersPipelining: false))
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        try await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\n")
        _ = try await session.reply()
        _ = try await session.reply()
        #expect(server.violations == [.pipeliningWithoutPermission("MAIL")])
    }

    @Test("bytes sent right after STARTTLS end the session as a violation")
    func dataAfterStartTLS() async throws {
        let server = FakeSMTPServer()
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        try await session.send("STARTTLS\r\nEHLO injected\r\n")
        #expect(try await session.reply() == ["220 2.0.0 Ready to start TLS"])
        await session.task.value
        #expect(server.violations == [.dataAfterStartTLS])
    }

    @Test("AUTH PLAIN checks the password, and MAIL needs AUTH when required")
    func authentication() async throws {
        let server = FakeSMTPServer(
            configuration: .init(accounts: SASLServerAccounts(passwords: ["tim": "pw"]), requiresAuthentication: true))
        let session = try await Session(server, secure: true)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        #expect(try await session.ask("MAIL FROM:<a@b.c>\r\n") == ["530 5.7.0 Authentication required"])
        #expect(
            try await session.ask("AUTH PLAIN \(FakeBase64.encode(Array("\0tim\0bad".utf8)))\r\n") == [
                "535 5.7.8 Error: authentication failed"
            ])
        #expect(try await session.ask("AUTH PLAIN\r\n") == ["334 "])
        #expect(
            try await session.ask("\(FakeBase64.encode(Array("\0tim\0pw".utf8)))\r\n") == [
                "235 2.7.0 Authentication successful"
            ])
        #expect(try await session.ask("MAIL FROM:<a@b.c>\r\n") == ["250 2.1.0 Ok"])
        #expect(server.receivedCommands.filter { $0.hasPrefix("AUTH") } == ["AUTH PLAIN", "AUTH PLAIN"])
    }

    @Test("AUTH is refused on a plaintext connection")
    func authNeedsTLS() async throws {
        let server = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: ["tim": "pw"])))
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        #expect(
            try await session.ask("AUTH PLAIN AHRpbQBwdw==\r\n") == [
                "538 5.7.11 Encryption required for requested authentication mechanism"
            ])
    }

    @Test("faults: a refused recipient, DATA without recipients, a refused message")
    func faults() async throws {
        let server = FakeSMTPServer(
            configuration: .init(faults: [
                .refuseRecipient("no@x.org", reply: "550 5.1.1 no"), .refuseMessage(reply: "554 5.7.1 spam"),
            ]))
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        #expect(try await session.ask("MAIL FROM:<>\r\n") == ["250 2.1.0 Ok"])
        #expect(try await session.ask("RCPT TO:<NO@x.org>\r\n") == ["550 5.1.1 no"])
        #expect(try await session.ask("DATA\r\n") == ["554 5.5.1 Error: no valid recipients"])
        #expect(try await session.ask("RCPT TO:<yes@x.org>\r\n") == ["250 2.1.5 Ok"])
        #expect(try await session.ask("DATA\r\n") == ["354 End data with <CR><LF>.<CR><LF>"])
        #expect(try await session.ask("x\r\n.\r\n") == ["554 5.7.1 spam"])
        #expect(server.receivedMessages.isEmpty)
    }

    @Test("BDAT chunks are read by their size, unstuffed data kept as is, and joined at LAST")
    func chunking() async throws {
        let server = FakeSMTPServer(configuration: .init(offersChunking: true))
        let session = try await Session(server)
        _ = try await session.reply()
        #expect(try await session.ask("EHLO me\r\n").contains { $0.dropFirst(4) == "CHUNKING" })
        #expect(try await session.ask("MAIL FROM:<a@b.c>\r\n") == ["250 2.1.0 Ok"])
        #expect(try await session.ask("RCPT TO:<d@e.f>\r\n") == ["250 2.1.5 Ok"])
        #expect(try await session.ask("BDAT 5\r\n.a\r\nb") == ["250 2.0.0 Ok: 5 octets"])
        #expect(try await session.ask("BDAT 5 LAST\r\nc\r\n\r\n") == ["250 2.0.0 Ok: queued as FAKE1"])
        #expect(server.receivedMessages.map(\.data) == [Array(".a\r\nbc\r\n\r\n".utf8)])
        #expect(server.receivedMessages.first?.chunkCount == 2)
    }

    @Test("a refused BDAT is discarded, and so is everything until RSET; MAIL before RSET is a violation")
    func refusedChunk() async throws {
        let server = FakeSMTPServer(configuration: .init(offersChunking: true))
        let session = try await Session(server)
        _ = try await session.reply()
        _ = try await session.ask("EHLO me\r\n")
        #expect(try await session.ask("BDAT 6 LAST\r\nMAIL\r\n") == ["503 5.5.1 Error: need MAIL command"])
        #expect(try await session.ask("MAIL FROM:<a@b.c>\r\n") == ["503 5.5.1 Error: send RSET after a refused BDAT"])
        #expect(server.violations == [.noResetAfterRefusedChunk("MAIL")])
        #expect(try await session.ask("RSET\r\n") == ["250 2.0.0 Ok"])
        #expect(try await session.ask("MAIL FROM:<a@b.c>\r\n") == ["250 2.1.0 Ok"])
        #expect(try await session.ask("BDAT 3 LAST\r\nx\r\n") == ["554 5.5.1 Error: no valid recipients"])
        #expect(server.receivedMessages.isEmpty)
    }

    @Test("a greeting fault ends the session after the greeting")
    func greetingFault() async throws {
        let server = FakeSMTPServer(configuration: .init(faults: [.greeting("554 5.7.1 no service")]))
        let session = try await Session(server)
        #expect(try await session.reply() == ["554 5.7.1 no service"])
        await session.task.value
        #expect(try await session.client.receive(maximumCount: 10) == nil)
    }
}

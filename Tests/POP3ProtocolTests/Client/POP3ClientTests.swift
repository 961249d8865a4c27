import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// Transcript tests: canned server bytes in, exact client bytes out, clean `finish()`.
@Suite("POP3Client transcripts")
struct POP3ClientTests {
    @Test("greeting and CAPA are read on connect; capabilities and the APOP timestamp are kept")
    func connect() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(
            embedded, greeting: "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>", capabilities: ["UIDL", "PIPELINING"])
        #expect(await client.greeting.apopTimestamp == "<1896.697170952@dbc.mtview.ca.us>")
        #expect(await client.capabilities.pipelining)
        #expect(!(await client.isAuthenticated))
        try embedded.finish()
    }

    @Test("a server without CAPA gives unknown capabilities and the session goes on")
    func noCapa() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: nil)
        #expect(await client.capabilities == .unknown)
        embedded.pushInbound("+OK bye\r\n")
        #expect(try await client.quit() == false)
        #expect(try await Transcript.outbound(embedded) == "QUIT\r\n")
        try embedded.finish()
    }

    @Test("a -ERR greeting is a typed refusal with the server's text")
    func greetingRefused() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("-ERR [SYS/TEMP] too many connections\r\n")
        let error = await #expect(throws: POP3Error.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .insecurePlaintext)
        }
        #expect(error?.code == .greetingRefused)
        #expect(error?.serverText == "too many connections")
        try embedded.finish()
    }

    @Test("USER/PASS logs in")
    func userPass() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        #expect(await client.isAuthenticated)
        try embedded.finish()
    }

    @Test("USER/PASS on plaintext is refused before anything is sent unless allowed")
    func cleartextRefused() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice", password: "pw", method: .userPass)
        }
        #expect(error?.code == .cleartextRefused)
        let automatic = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice", password: "pw")
        }
        #expect(automatic?.code == .cleartextRefused)
        #expect(try await Transcript.outbound(embedded) == "")
        #expect(!(await client.isClosed))
        try embedded.finish()
    }

    @Test("APOP sends RFC 1939's example digest")
    func apop() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, greeting: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
        embedded.pushInbound("+OK maildrop has 1 message (369 octets)\r\n")
        // Automatic picks APOP on plaintext: the password is not sent.
        try await client.authenticate(username: "mrose", password: "tanstaaf")
        #expect(try await Transcript.outbound(embedded) == "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n")
        #expect(await client.isAuthenticated)
        try embedded.finish()
    }

    @Test("APOP without a timestamp is refused before sending")
    func apopWithoutTimestamp() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "a", password: "b", method: .apop)
        }
        #expect(error?.code == .noSupportedAuthentication)
        try embedded.finish()
    }

    @Test("a wrong password is authenticationFailed with the provider's words, and the session goes on")
    func wrongPassword() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        embedded.pushInbound("+OK\r\n-ERR [AUTH] Web login required: https://support.example.com/78754\r\n")
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice", password: "pw", allowInsecureAuthentication: true)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.serverText == "Web login required: https://support.example.com/78754")
        #expect(try await Transcript.outbound(embedded) == "USER alice\r\nPASS pw\r\n")
        embedded.pushInbound("+OK bye\r\n")
        #expect(try await client.quit() == false)
        #expect(try await Transcript.outbound(embedded) == "QUIT\r\n")
        try embedded.finish()
    }

    @Test("[IN-USE] at login is typed and transient")
    func inUse() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        embedded.pushInbound("+OK\r\n-ERR [IN-USE] Mailbox locked by another session\r\n")
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice", password: "pw", allowInsecureAuthentication: true)
        }
        #expect(error?.code == .inUse)
        #expect(error?.isTransient == true)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("[LOGIN-DELAY] and [SYS/PERM] at login are typed")
    func loginDelayAndPerm() async throws {
        for (line, code) in [("-ERR [LOGIN-DELAY] wait 15 minutes", POP3Error.Code.loginDelay),
                             ("-ERR [SYS/PERM] Your account is not enabled for POP access", .permanentFailure)] {
            let embedded = EmbeddedConnection()
            let client = try await Transcript.open(embedded)
            embedded.pushInbound("+OK\r\n\(line)\r\n")
            let error = await #expect(throws: POP3Error.self) {
                try await client.authenticate(username: "alice", password: "pw", allowInsecureAuthentication: true)
            }
            #expect(error?.code == code)
            _ = embedded.takeOutbound()
            try embedded.finish()
        }
    }

    @Test("STAT, LIST, LIST n, UIDL, UIDL n")
    func listings() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK 2 320\r\n")
        #expect(try await client.stat() == POP3MaildropStatus(messageCount: 2, totalSize: 320))
        embedded.pushInbound("+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n")
        #expect(try await client.listAll() == [POP3MessageSize(number: 1, size: 120), POP3MessageSize(number: 2, size: 200)])
        embedded.pushInbound("+OK 2 200\r\n")
        #expect(try await client.list(2) == POP3MessageSize(number: 2, size: 200))
        embedded.pushInbound("+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n")
        #expect(try await client.uidlAll().map(\.uid) == ["whqtswO00WBw418f9t5JxYwZ", "QhdPYR:00WBw1Ph7x7"])
        embedded.pushInbound("+OK 2 QhdPYR:00WBw1Ph7x7\r\n")
        #expect(try await client.uidl(2) == POP3UniqueID(number: 2, uid: "QhdPYR:00WBw1Ph7x7"))
        #expect(try await Transcript.outbound(embedded) == "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 2\r\n")
        try embedded.finish()
    }

    @Test("RETR unstuffs dots and keeps CRLF; TOP previews headers")
    func retrieveAndTop() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK 40 octets\r\nSubject: hi\r\n\r\n..dotted line\r\n.\r\n")
        #expect(try await client.retrieve(1) == Array("Subject: hi\r\n\r\n.dotted line\r\n".utf8))
        embedded.pushInbound("+OK\r\nSubject: hi\r\n\r\n.\r\n")
        #expect(try await client.top(1, lines: 0) == Array("Subject: hi\r\n\r\n".utf8))
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\nTOP 1 0\r\n")
        try embedded.finish()
    }

    @Test("RETR of a missing message is commandFailed and the session goes on")
    func retrieveMissing() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("-ERR no such message\r\n")
        let error = await #expect(throws: POP3Error.self) { _ = try await client.retrieve(9) }
        #expect(error?.code == .commandFailed)
        #expect(error?.serverText == "no such message")
        embedded.pushInbound("+OK\r\n")
        try await client.noop()
        #expect(try await Transcript.outbound(embedded) == "RETR 9\r\nNOOP\r\n")
        try embedded.finish()
    }

    @Test("RETR streamed to a sink hands over every byte in chunks")
    func retrieveStreamed() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded, configuration: .init(receiveSize: 64))
        let body = (0..<200).map { "line \($0)\r\n" }.joined()
        embedded.pushInbound("+OK\r\n" + body + ".\r\n")
        let collected = Collector()
        let count = try await client.retrieve(1) { chunk in await collected.append(chunk) }
        #expect(count == body.utf8.count)
        #expect(await collected.bytes == Array(body.utf8))
        #expect(await collected.chunks > 1)
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\n")
        try embedded.finish()
    }

    @Test("DELE marks, RSET unmarks, QUIT commits the UPDATE state")
    func deleteResetQuit() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK message 1 deleted\r\n+OK\r\n+OK message 2 deleted\r\n+OK bye\r\n")
        try await client.delete(1)
        try await client.reset()
        try await client.delete(2)
        #expect(try await client.quit() == true)
        #expect(await client.isClosed)
        #expect(try await Transcript.outbound(embedded) == "DELE 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n")
        let error = await #expect(throws: POP3Error.self) { try await client.noop() }
        #expect(error?.code == .invalidState)
        try embedded.finish()
    }

    @Test("QUIT -ERR in UPDATE is updateFailed")
    func updateFailed() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("-ERR some deleted messages not removed\r\n")
        let error = await #expect(throws: POP3Error.self) { try await client.quit() }
        #expect(error?.code == .updateFailed)
        #expect(await client.isClosed)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("commands before login are refused without writing anything")
    func beforeLogin() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        let error = await #expect(throws: POP3Error.self) { _ = try await client.stat() }
        #expect(error?.code == .invalidState)
        #expect(!(await client.isClosed))
        try embedded.finish()
    }

    @Test("an injected argument is refused and nothing is written")
    func injection() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice\r\nDELE 1", password: "pw", allowInsecureAuthentication: true)
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await Transcript.outbound(embedded) == "")
        try embedded.finish()
    }
}

/// Collects streamed chunks.
actor Collector {
    var bytes: [UInt8] = []
    var chunks = 0
    func append(_ chunk: [UInt8]) {
        bytes += chunk
        chunks += 1
    }
}

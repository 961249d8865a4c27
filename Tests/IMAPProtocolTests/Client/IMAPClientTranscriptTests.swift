import MailAuth
import MailTesting
import MailTransport
import Synchronization
import Testing

@testable import IMAPProtocol

@Suite("IMAPClient transcripts")
struct IMAPClientTranscriptTests {
    @Test("a greeting without capabilities makes the client ask CAPABILITY")
    func greetingThenCapability() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* OK ready\r\n* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN\r\nA1 OK done\r\n")
        let client = try await IMAPClient.open(
            connection: embedded.connection, serverName: "imap.example.com", security: .insecurePlaintext)
        #expect(try await Transcript.outbound(embedded) == "A1 CAPABILITY\r\n")
        #expect(await client.capabilities.idle)
        await client.close()
    }

    @Test("a BYE greeting is refused with the server's words")
    func byeGreeting() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* BYE [UNAVAILABLE] maintenance\r\n")
        await #expect {
            _ = try await IMAPClient.open(
                connection: embedded.connection, serverName: "x", security: .insecurePlaintext)
        } throws: { error in
            (error as? IMAPError)?.code == .greetingRefused
                && (error as? IMAPError)?.responseCode?.name == "UNAVAILABLE"
        }
    }

    @Test("a PREAUTH greeting starts logged in")
    func preauth() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n")
        let client = try await IMAPClient.open(
            connection: embedded.connection, serverName: "x", security: .insecurePlaintext)
        #expect(await client.isAuthenticated)
        #expect(await client.wasPreauthenticated)
        await client.close()
    }

    @Test("a PREAUTH greeting where STARTTLS is required is refused: no downgrade")
    func preauthWithStartTLS() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\r\n")
        await #expect {
            _ = try await IMAPClient.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        } throws: { ($0 as? IMAPError)?.code == .startTLSNotOffered }
        #expect(try await Transcript.outbound(embedded) == "")
    }

    @Test("STARTTLS upgrades, then asks the capabilities again")
    func startTLS() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\nA1 OK begin\r\n")
        let opening = Task {
            try await IMAPClient.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        }
        #expect(try await embedded.readOutboundLine() == "A1 STARTTLS\r\n")
        #expect(try await embedded.readOutboundLine() == "A2 CAPABILITY\r\n")
        embedded.pushInbound("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n")
        let client = try await opening.value
        #expect(client.isSecure)
        #expect(await !client.capabilities.loginDisabled)
        await client.close()
    }

    @Test("STARTTLS not offered is an error, never a plaintext session")
    func startTLSMissing() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* OK [CAPABILITY IMAP4rev1] ready\r\n")
        await #expect {
            _ = try await IMAPClient.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        } throws: { ($0 as? IMAPError)?.code == .startTLSNotOffered }
        #expect(try await Transcript.outbound(embedded) == "")
    }

    @Test("bytes injected before the STARTTLS handshake end the session")
    func startTLSInjection() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\nA1 OK begin\r\n* OK injected\r\n")
        await #expect {
            _ = try await IMAPClient.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        } throws: { ($0 as? TransportError)?.code == .dataBeforeTLS }
    }

    @Test("LOGIN is refused in plaintext unless allowed, and nothing is sent")
    func loginCleartext() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, security: .insecurePlaintext)
        await #expect { try await client.login(username: "a", password: "b") } throws: {
            ($0 as? IMAPError)?.code == .cleartextRefused
        }
        #expect(try await Transcript.outbound(embedded) == "")
        await client.close()
    }

    @Test("LOGIN with a wrong password gives the server's words and code")
    func loginFails() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        embedded.pushInbound("A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
        await #expect { try await client.login(username: "a", password: "b") } throws: { error in
            let error = error as? IMAPError
            return error?.code == .authenticationFailed && error?.serverText == "Authentication failed."
        }
        #expect(await !client.isClosed)
        await client.close()
    }

    @Test("LOGIN with 8-bit text waits for the continuation of a synchronizing literal")
    func loginLiteral() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: "IMAP4rev1 AUTH=PLAIN")
        embedded.pushInbound("+ go ahead\r\nA1 OK [CAPABILITY IMAP4rev1] in\r\n")
        try await client.login(username: "alice", password: "päss")
        #expect(try await Transcript.outbound(embedded) == "A1 LOGIN \"alice\" {5}\r\npäss\r\n")
        await client.close()
    }

    @Test("LOGIN without capabilities in the completion asks CAPABILITY")
    func loginThenCapability() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        embedded.pushInbound("A1 OK in\r\n* CAPABILITY IMAP4rev1 UIDPLUS\r\nA2 OK done\r\n")
        try await client.login(username: "alice", password: "pw")
        #expect(try await Transcript.outbound(embedded) == "A1 LOGIN \"alice\" \"pw\"\r\nA2 CAPABILITY\r\n")
        #expect(await client.capabilities.uidPlus)
        await client.close()
    }

    @Test("AUTHENTICATE PLAIN with SASL-IR sends the initial response on the command line")
    func authenticatePlainIR() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded)
        embedded.pushInbound("A1 OK [CAPABILITY IMAP4rev1] in\r\n")
        try await client.authenticate(Credentials(user: "alice", secret: .password("pw")))
        #expect(try await Transcript.outbound(embedded) == "A1 AUTHENTICATE PLAIN AGFsaWNlAHB3\r\n")
        await client.close()
    }

    @Test("AUTHENTICATE without SASL-IR waits for the empty challenge")
    func authenticatePlainNoIR() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: "IMAP4rev1 AUTH=PLAIN")
        embedded.pushInbound("+ \r\nA1 OK [CAPABILITY IMAP4rev1] in\r\n")
        try await client.authenticate(Credentials(user: "alice", secret: .password("pw")))
        #expect(try await Transcript.outbound(embedded) == "A1 AUTHENTICATE PLAIN\r\nAGFsaWNlAHB3\r\n")
        await client.close()
    }

    @Test("XOAUTH2: a refused token is refreshed once, then the server's words are reported")
    func xoauth2Refresh() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: "IMAP4rev1 SASL-IR AUTH=XOAUTH2")
        let error = "{\"status\":\"401\",\"schemes\":\"bearer\"}"
        let challenge = SASLCodec.encode(Array(error.utf8))
        embedded.pushInbound(
            "+ \(challenge)\r\nA1 NO [AUTHENTICATIONFAILED] no\r\n+ \(challenge)\r\nA2 NO [AUTHENTICATIONFAILED] still no\r\n"
        )
        let provider = OAuth2TokenProvider { refresh in refresh ? "fresh" : "stale" }
        await #expect {
            try await client.authenticate(Credentials(user: "alice", secret: .oauth2(provider)))
        } throws: { ($0 as? IMAPError)?.code == .authenticationFailed }
        let sent = try await Transcript.outbound(embedded)
        #expect(sent.hasPrefix("A1 AUTHENTICATE XOAUTH2 "))
        #expect(sent.contains("\r\n\r\nA2 AUTHENTICATE XOAUTH2 "))
        await client.close()
    }

    @Test("ENABLE and ID")
    func enableAndID() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("* ENABLED CONDSTORE\r\nA2 OK enabled\r\n* ID (\"name\" \"Dovecot\")\r\nA3 OK id\r\n")
        #expect(try await client.enable(["CONDSTORE", "QRESYNC"]) == ["CONDSTORE"])
        #expect(try await client.identify() == ["name": "Dovecot"])
        #expect(try await Transcript.outbound(embedded) == "A2 ENABLE CONDSTORE\r\nA3 ID (\"name\" \"MailLink\")\r\n")
        await client.close()
    }

    @Test("LIST with SPECIAL-USE finds the mailboxes by their use")
    func list() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound(
            "* LIST (\\HasNoChildren) \".\" INBOX\r\n* LIST (\\HasNoChildren \\Sent) \".\" \"Gesendete Objekte\"\r\n"
                + "* LIST (\\Trash) \".\" \"Entw&APw-rfe\"\r\nA2 OK listed\r\n")
        let mailboxes = try await client.listMailboxes()
        #expect(try await Transcript.outbound(embedded) == "A2 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n")
        #expect(mailboxes.map(\.specialUse) == [nil, .sent, .trash])
        #expect(mailboxes[2].name.displayName == "Entwürfe")
        await client.close()
    }

    @Test("STATUS")
    func status() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound(
            "* STATUS INBOX (MESSAGES 2 UIDNEXT 9 UIDVALIDITY 4 UNSEEN 1 HIGHESTMODSEQ 30)\r\nA2 OK\r\n")
        let status = try await client.status(.inbox)
        #expect(
            try await Transcript.outbound(embedded)
                == "A2 STATUS \"INBOX\" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)\r\n")
        #expect(
            status == IMAPMailboxStatus(messageCount: 2, uidNext: 9, uidValidity: 4, unseenCount: 1, highestModSeq: 30))
        await client.close()
    }

    @Test("SELECT reads UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and EXISTS")
    func select() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        let mailbox = try #require(await client.selectedMailbox)
        #expect(mailbox.uidValidity == 7)
        #expect(mailbox.uidNext == 5)
        #expect(mailbox.highestModSeq == 90)
        #expect(mailbox.messageCount == 3)
        #expect(!mailbox.isReadOnly)
        await client.close()
    }

    @Test("EXAMINE opens read-only")
    func examine() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("* 0 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\nA2 OK [READ-ONLY] done\r\n")
        let mailbox = try await client.select(.inbox, readOnly: true)
        #expect(try await Transcript.outbound(embedded) == "A2 EXAMINE \"INBOX\" (CONDSTORE)\r\n")
        #expect(mailbox.isReadOnly)
        await client.close()
    }

    @Test("a changed UIDVALIDITY is reported with both values")
    func uidValidityChanged() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("* OK [UIDVALIDITY 8] v\r\nA2 OK [READ-WRITE] done\r\n")
        await #expect { try await client.select(.inbox, expectedUIDValidity: 7) } throws: { error in
            let error = error as? IMAPError
            return error?.code == .uidValidityChanged && error?.responseCode?.number == 8
        }
        #expect(await client.selectedMailbox?.uidValidity == 8)
        await client.close()
    }

    @Test("SELECT of a missing mailbox is NONEXISTENT and the session goes on")
    func selectMissing() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("A2 NO [NONEXISTENT] Mailbox doesn't exist: Nope\r\nA3 OK noop\r\n")
        await #expect { try await client.select(IMAPMailboxName(wire: "Nope")) } throws: {
            ($0 as? IMAPError)?.code == .nonexistent
        }
        try await client.noop()
        await client.close()
    }

    @Test("UID SEARCH")
    func search() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* SEARCH 4 2 3\r\nA3 OK searched\r\n")
        #expect(try await client.search(.undeleted) == [2, 3, 4])
        #expect(try await Transcript.outbound(embedded) == "A3 UID SEARCH UNDELETED\r\n")
        await client.close()
    }

    @Test("summaries list UIDs with sizes and flags, dropping what the set did not ask for")
    func summaries() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound(
            "* 1 FETCH (UID 2 RFC822.SIZE 100 FLAGS (\\Seen) INTERNALDATE \"01-Dec-2026 10:00:00 +0000\" MODSEQ (5))\r\n"
                + "* 3 FETCH (FLAGS ())\r\nA3 OK fetched\r\n")
        let summaries = try await client.messageSummaries(.starting(at: 3))
        #expect(
            try await Transcript.outbound(embedded)
                == "A3 UID FETCH 3:* (UID RFC822.SIZE FLAGS INTERNALDATE MODSEQ)\r\n")
        #expect(summaries.isEmpty)  // UID 2 came only because "3:*" includes the last message
        await client.close()
    }

    @Test("one message by UID with BODY.PEEK[]")
    func fetchOne() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* 2 FETCH (UID 4 RFC822.SIZE 5 FLAGS () BODY[] {5}\r\nhello)\r\nA3 OK fetched\r\n")
        let message = try #require(try await client.fetchMessage(uid: 4))
        #expect(message.content == Array("hello".utf8))
        #expect(message.summary.size == 5)
        #expect(try await Transcript.outbound(embedded) == "A3 UID FETCH 4 (UID RFC822.SIZE FLAGS BODY.PEEK[])\r\n")
        await client.close()
    }

    @Test("a vanished UID fetches as nil")
    func fetchMissing() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("A3 OK fetched\r\n")
        #expect(try await client.fetchMessage(uid: 40) == nil)
        await client.close()
    }

    @Test("pipelined fetch keeps several UID FETCH commands in flight")
    func fetchPipelined() async throws {
        let embedded = EmbeddedConnection()
        let configuration = IMAPClient.Configuration(fetchBatchSize: 2, pipelineWindow: 2)
        let client = try await Transcript.selected(embedded, configuration: configuration)
        var server = ""
        for (tag, uids) in [("A3", [1, 2]), ("A4", [3, 4]), ("A5", [5])] {
            for uid in uids { server += "* \(uid) FETCH (UID \(uid) RFC822.SIZE 1 BODY[] {1}\r\n\(uid))\r\n" }
            server += "\(tag) OK fetched\r\n"
        }
        embedded.pushInbound(server)
        let received = Collected()
        try await client.fetchMessages([5, 1, 2, 3, 4]) { message in received.append(message.uid) }
        #expect(received.values == [1, 2, 3, 4, 5])
        let sent = try await Transcript.outbound(embedded)
        #expect(sent.hasPrefix("A3 UID FETCH 1:2 (UID RFC822.SIZE FLAGS BODY.PEEK[])\r\nA4 UID FETCH 3:4 "))
        #expect(sent.hasSuffix("A5 UID FETCH 5 (UID RFC822.SIZE FLAGS BODY.PEEK[])\r\n"))
        await client.close()
    }

    @Test("a handler's error stops new commands, drains the rest and keeps the session")
    func fetchHandlerError() async throws {
        struct Stop: Error {}
        let embedded = EmbeddedConnection()
        let configuration = IMAPClient.Configuration(fetchBatchSize: 1, pipelineWindow: 2)
        let client = try await Transcript.selected(embedded, configuration: configuration)
        embedded.pushInbound(
            "* 1 FETCH (UID 1 BODY[] {1}\r\na)\r\nA3 OK\r\n* 2 FETCH (UID 2 BODY[] {1}\r\nb)\r\nA4 OK\r\nA5 OK noop\r\n"
        )
        await #expect(throws: Stop.self) {
            try await client.fetchMessages([1, 2, 3]) { _ in throw Stop() }
        }
        try await client.noop()
        #expect(!(try await Transcript.outbound(embedded)).contains("UID FETCH 3 "))
        await client.close()
    }

    @Test("a streamed message reaches the sink in chunks and never whole in memory")
    func stream() async throws {
        let embedded = EmbeddedConnection()
        let configuration = IMAPClient.Configuration(receiveSize: 1000)
        let client = try await Transcript.selected(embedded, configuration: configuration)
        let body = String(repeating: "x", count: 4500)
        embedded.pushInbound(
            "* 1 FETCH (UID 9 RFC822.SIZE 4500 FLAGS () BODY[] {4500}\r\n\(body))\r\nA3 OK fetched\r\n")
        let chunks = Collected()
        let summary = try await client.streamMessage(uid: 9) { chunk in chunks.append(UInt32(chunk.count)) }
        #expect(summary?.uid == 9)
        #expect(chunks.values.reduce(0, +) == 4500)
        #expect(chunks.values.allSatisfy { $0 <= 1000 })
        await client.close()
    }

    @Test("a sink's error is thrown after the message was drained; the session goes on")
    func streamSinkError() async throws {
        struct Full: Error {}
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* 1 FETCH (UID 9 BODY[] {5}\r\nhello)\r\nA3 OK fetched\r\nA4 OK noop\r\n")
        await #expect(throws: Full.self) { try await client.streamMessage(uid: 9) { _ in throw Full() } }
        try await client.noop()
        await client.close()
    }

    @Test("a body above the limit ends the session")
    func bodyTooLarge() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* 1 FETCH (UID 9 BODY[] {5000}\r\n")
        await #expect { _ = try await client.fetchMessage(uid: 9, maximumSize: 1000) } throws: {
            ($0 as? TransportError)?.code == .responseTooLarge
        }
        #expect(await client.isClosed)
    }

    @Test("a non-body literal above its limit ends the session before it is read")
    func literalTooLarge() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(
            embedded, configuration: IMAPClient.Configuration(maximumLiteralSize: 100))
        embedded.pushInbound("* LIST () \"/\" {100000}\r\n")
        await #expect { _ = try await client.listMailboxes() } throws: {
            ($0 as? TransportError)?.code == .responseTooLarge
        }
    }

    @Test("\\Deleted and UID EXPUNGE")
    func deleteAndExpunge() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("A3 OK stored\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nA4 OK expunged\r\n")
        try await client.markDeleted([1, 2])
        #expect(try await client.expunge([1, 2]) == 2)
        #expect(
            try await Transcript.outbound(embedded)
                == "A3 UID STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\nA4 UID EXPUNGE 1:2\r\n")
        #expect(await client.selectedMailbox?.messageCount == 1)
        await client.close()
    }

    @Test("UID EXPUNGE without UIDPLUS is refused and nothing is sent")
    func expungeWithoutUIDPlus() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: "IMAP4rev1 AUTH=PLAIN")
        embedded.pushInbound("A1 OK [CAPABILITY IMAP4rev1] in\r\n* OK [UIDVALIDITY 1] v\r\nA2 OK [READ-WRITE] done\r\n")
        try await client.login(username: "a", password: "b")
        try await client.select(.inbox)
        _ = try await Transcript.outbound(embedded)
        await #expect { try await client.expunge([1]) } throws: { ($0 as? IMAPError)?.code == .notSupported }
        #expect(try await Transcript.outbound(embedded) == "")
        await client.close()
    }

    @Test("EXPUNGE of every deleted message")
    func expungeAll() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* 3 EXPUNGE\r\nA3 OK expunged\r\n")
        #expect(try await client.expungeAll() == 1)
        #expect(try await Transcript.outbound(embedded) == "A3 EXPUNGE\r\n")
        await client.close()
    }

    @Test("NOOP collects updates")
    func noop() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* 4 EXISTS\r\nA3 OK noop\r\n")
        #expect(try await client.noop() == [.exists(4)])
        #expect(await client.selectedMailbox?.messageCount == 4)
        await client.close()
    }

    @Test("ALERT texts are kept for the user")
    func alerts() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* OK [ALERT] Mailbox is almost full\r\nA3 OK noop\r\n")
        try await client.noop()
        #expect(await client.alerts == ["Mailbox is almost full"])
        await client.close()
    }

    @Test("LOGOUT reads BYE and the completion, then closes")
    func logout() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("* BYE Logging out\r\nA3 OK Logout completed\r\n")
        try await client.logout()
        #expect(try await Transcript.outbound(embedded) == "A3 LOGOUT\r\n")
        #expect(await client.isClosed)
        try embedded.finish()
    }
}

/// Collects values from a `@Sendable` handler.
final class Collected: Sendable {
    private let storage = Mutex<[UInt32]>([])
    func append(_ value: UInt32) { storage.withLock { $0.append(value) } }
    var values: [UInt32] { storage.withLock { $0 } }
}

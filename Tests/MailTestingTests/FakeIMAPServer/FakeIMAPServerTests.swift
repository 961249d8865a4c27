import MailAuth
import MailTesting
import MailTransport
import Testing

@Suite("FakeIMAPServer")
struct FakeIMAPServerTests {
    static let accounts = SASLServerAccounts(passwords: ["alice": "pw"])

    private func server(_ configure: (inout FakeIMAPConfiguration) -> Void = { _ in }) -> FakeIMAPServer {
        var configuration = FakeIMAPConfiguration()
        configure(&configuration)
        let server = FakeIMAPServer(configuration: configuration, accounts: Self.accounts)
        server.deliver(FakeIMAPMessage(text: "Subject: one\n\nfirst\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: two\n\nsecond\n", flags: ["\\Flagged"]), to: "alice")
        return server
    }

    private func selected(_ server: FakeIMAPServer) async throws -> RawIMAPClient {
        let client = RawIMAPClient(server)
        #expect(try await client.line().hasPrefix("* OK"))
        #expect(try await client.command("a", "LOGIN alice pw").last?.hasPrefix("a OK") == true)
        #expect(try await client.command("b", "SELECT INBOX").last == "b OK [READ-WRITE] SELECT completed")
        return client
    }

    @Test("CAPABILITY lists what the configuration offers before and after login")
    func capability() async throws {
        let client = RawIMAPClient(server { $0.offersStartTLS = true })
        _ = try await client.line()
        let before = try await client.command("a", "CAPABILITY")
        #expect(before[0].contains("STARTTLS") && before[0].contains("AUTH=PLAIN") && before[0].contains("LITERAL+"))
        _ = try await client.command("b", "LOGIN alice pw")
        let after = try await client.command("c", "capability")
        #expect(after[0].contains("UIDPLUS") && after[0].contains("SPECIAL-USE") && !after[0].contains("AUTH="))
    }

    @Test("LOGIN checks the password and answers AUTHENTICATIONFAILED")
    func login() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        #expect(
            try await client.command("a", "LOGIN alice wrong") == ["a NO [AUTHENTICATIONFAILED] Authentication failed."]
        )
        #expect(try await client.command("b", "LOGIN \"alice\" \"pw\"").last?.hasPrefix("b OK [CAPABILITY") == true)
    }

    @Test("a synchronizing literal gets a continuation; a non-synchronizing one does not")
    func literals() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        try await client.send("a LOGIN {5}")
        #expect(try await client.line().hasPrefix("+ "))
        try await client.send("alice {2+}")
        try await client.send("pw")
        #expect(try await client.until("a").last?.hasPrefix("a OK") == true)
    }

    @Test("AUTHENTICATE PLAIN with an initial response")
    func authenticate() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        #expect(try await client.command("a", "AUTHENTICATE PLAIN AGFsaWNlAHB3").last?.hasPrefix("a OK") == true)
    }

    @Test("SELECT reports counts, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ")
    func select() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        _ = try await client.command("a", "LOGIN alice pw")
        let lines = try await client.command("b", "EXAMINE INBOX")
        #expect(lines.contains("* 2 EXISTS"))
        #expect(lines.contains { $0.hasPrefix("* OK [UIDVALIDITY ") })
        #expect(lines.contains("* OK [UIDNEXT 3] Predicted next UID"))
        #expect(lines.contains { $0.hasPrefix("* OK [HIGHESTMODSEQ ") })
        #expect(lines.last == "b OK [READ-ONLY] EXAMINE completed")
    }

    @Test("LIST marks special-use mailboxes")
    func list() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        _ = try await client.command("a", "LOGIN alice pw")
        let lines = try await client.command("b", "LIST \"\" \"*\" RETURN (SPECIAL-USE)")
        #expect(lines.contains("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\""))
        #expect(lines.contains("* LIST (\\HasNoChildren) \"/\" \"INBOX\""))
    }

    @Test("BODY.PEEK[] leaves \\Seen alone, BODY[] sets it")
    func peek() async throws {
        let server = server()
        let client = try await selected(server)
        let peek = try await client.command("c", "UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[])")
        #expect(peek[0].hasSuffix("BODY[] {25}") || peek[0].contains("BODY[] {"))
        #expect(!server.messages(of: "alice")[0].flags.contains("\\Seen"))
        _ = try await client.command("d", "UID FETCH 1 (BODY[])")
        #expect(server.messages(of: "alice")[0].flags.contains("\\Seen"))
    }

    @Test("a literal body is sent with its exact size")
    func literalBody() async throws {
        let server = server()
        let client = try await selected(server)
        try await client.send("c UID FETCH 2 (BODY.PEEK[])")
        let first = try await client.line()
        let content = server.messages(of: "alice")[1].content
        #expect(first == "* 2 FETCH (UID 2 BODY[] {\(content.count)}")
        #expect(try await client.bytes(content.count) == content)
        #expect(try await client.line() == ")")
        #expect(try await client.line() == "c OK FETCH completed")
    }

    @Test("n:* includes the last message even when its UID is below n")
    func starQuirk() async throws {
        let client = try await selected(server())
        let lines = try await client.command("c", "UID FETCH 9:* (FLAGS)")
        #expect(lines.first?.hasPrefix("* 2 FETCH (UID 2 ") == true)
    }

    @Test("UID STORE, UID SEARCH DELETED and UID EXPUNGE")
    func deleteFlow() async throws {
        let server = server()
        let client = try await selected(server)
        #expect(try await client.command("c", "UID STORE 1 +FLAGS.SILENT (\\Deleted)") == ["c OK STORE completed"])
        #expect(try await client.command("d", "UID SEARCH DELETED") == ["* SEARCH 1", "d OK SEARCH completed"])
        #expect(try await client.command("e", "UID EXPUNGE 1:2") == ["* 1 EXPUNGE", "e OK EXPUNGE completed"])
        #expect(server.messages(of: "alice").map(\.uid) == [2])
    }

    @Test("a delivery during IDLE is announced at once")
    func idle() async throws {
        let server = server()
        let client = try await selected(server)
        try await client.send("c IDLE")
        #expect(try await client.line().hasPrefix("+ "))
        server.deliver(FakeIMAPMessage(text: "Subject: three\n\n"), to: "alice")
        #expect(try await client.line() == "* 3 EXISTS")
        try await client.send("DONE")
        #expect(try await client.line() == "c OK IDLE terminated")
    }

    @Test("a UIDVALIDITY change renumbers the mailbox")
    func uidValidity() async throws {
        let server = server()
        let before = try #require(server.mailbox(of: "alice"))
        let validity = server.changeUIDValidity(for: "alice")
        let after = try #require(server.mailbox(of: "alice"))
        #expect(validity != before.uidValidity)
        #expect(after.uidValidity == validity)
        #expect(after.messages.map(\.uid) == [1, 2])
    }

    @Test("a refusal fault answers with the scripted words")
    func refuse() async throws {
        let client = RawIMAPClient(
            server { $0.faults = [.refuse(command: "LOGIN", response: "NO [UNAVAILABLE] later")] })
        _ = try await client.line()
        #expect(try await client.command("a", "LOGIN alice pw") == ["a NO [UNAVAILABLE] later"])
    }

    @Test("a BYE greeting fault closes the connection")
    func byeGreeting() async throws {
        let client = RawIMAPClient(
            server { $0.faults = [.refuse(command: "GREETING", response: "BYE [UNAVAILABLE] no")] })
        #expect(try await client.line() == "* BYE [UNAVAILABLE] no")
        await #expect(throws: TransportError.self) { _ = try await client.line() }
    }

    @Test("commands before login are refused")
    func beforeLogin() async throws {
        let client = RawIMAPClient(server())
        _ = try await client.line()
        #expect(try await client.command("a", "SELECT INBOX") == ["a BAD log in first"])
    }

    @Test("commands are recorded with secrets redacted")
    func record() async throws {
        let server = server()
        let client = RawIMAPClient(server)
        _ = try await client.line()
        _ = try await client.command("a", "LOGIN alice pw")
        #expect(server.receivedCommands == ["a LOGIN alice <redacted>"])
    }

    @Test("PREAUTH greets a session that is already logged in")
    func preauth() async throws {
        let client = RawIMAPClient(server { $0.preauthenticatedUser = "alice" })
        #expect(try await client.line().hasPrefix("* PREAUTH"))
        #expect(try await client.command("a", "SELECT INBOX").last == "a OK [READ-WRITE] SELECT completed")
    }
}

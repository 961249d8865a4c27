import Testing

@testable import IMAPProtocol

@Suite("IMAPCommand encoding")
struct IMAPCommandTests {
    static func wire(_ command: IMAPCommand, _ options: IMAPEncodingOptions = .init()) throws -> [String] {
        try command.encode(tag: "A1", options: options).segments.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(
        "simple commands",
        arguments: [
            (IMAPCommand.capability, "A1 CAPABILITY\r\n"), (.noop, "A1 NOOP\r\n"), (.logout, "A1 LOGOUT\r\n"),
            (.startTLS, "A1 STARTTLS\r\n"), (.expunge, "A1 EXPUNGE\r\n"), (.idle, "A1 IDLE\r\n"),
            (.close, "A1 CLOSE\r\n"),
        ])
    func simple(command: IMAPCommand, expected: String) throws {
        #expect(try Self.wire(command) == [expected])
    }

    @Test("LOGIN quotes its arguments and escapes quotes and backslashes")
    func loginQuoted() throws {
        #expect(try Self.wire(.login(user: "alice", password: "p\"w\\x")) == ["A1 LOGIN \"alice\" \"p\\\"w\\\\x\"\r\n"])
    }

    @Test("LOGIN sends 8-bit text as a synchronizing literal when LITERAL+ is not offered")
    func loginLiteral() throws {
        #expect(try Self.wire(.login(user: "alice", password: "päss")) == ["A1 LOGIN \"alice\" {5}\r\n", "päss\r\n"])
    }

    @Test("LOGIN sends 8-bit text as a non-synchronizing literal with LITERAL+")
    func loginLiteralPlus() throws {
        let options = IMAPEncodingOptions(literalMode: .nonSynchronizing)
        #expect(
            try Self.wire(.login(user: "alice", password: "päss"), options) == ["A1 LOGIN \"alice\" {5+}\r\npäss\r\n"])
    }

    @Test("LITERAL- allows non-synchronizing literals only up to 4096 octets")
    func literalMinus() throws {
        let options = IMAPEncodingOptions(literalMode: .nonSynchronizingUpTo4096)
        #expect(try Self.wire(.login(user: "ü", password: "x"), options) == ["A1 LOGIN {2+}\r\nü \"x\"\r\n"])
        let long = String(repeating: "ü", count: 2049)
        #expect(try Self.wire(.login(user: long, password: "x"), options).count == 2)
    }

    @Test("UTF8=ACCEPT lets 8-bit text go quoted")
    func utf8Quoted() throws {
        let options = IMAPEncodingOptions(utf8Accepted: true)
        #expect(
            try Self.wire(.select(IMAPMailboxName(wire: "Entwürfe"), condStore: false), options) == [
                "A1 SELECT \"Entwürfe\"\r\n"
            ])
    }

    @Test(
        "CR, LF and NUL are refused in every string argument",
        arguments: ["a\r\nA2 LOGOUT", "a\nb", "a\rb", "a\u{0}b"])
    func injection(text: String) {
        #expect(throws: IMAPError.self) { try Self.wire(.login(user: text, password: "pw")) }
        #expect(throws: IMAPError.self) { try Self.wire(.login(user: "alice", password: text)) }
        #expect(throws: IMAPError.self) { try Self.wire(.select(IMAPMailboxName(wire: text), condStore: false)) }
        #expect(throws: IMAPError.self) { try Self.wire(.id([("name", text)])) }
        #expect(throws: IMAPError.self) { try Self.wire(.authenticate(mechanism: "PLAIN", initialResponse: text)) }
        #expect(throws: IMAPError.self) { try Self.wire(.enable([text])) }
        #expect(throws: IMAPError.self) { try Self.wire(.uidStore(IMAPUIDSet([1]), .add, flags: [text], silent: true)) }
    }

    @Test("AUTHENTICATE with and without an initial response")
    func authenticate() throws {
        #expect(
            try Self.wire(.authenticate(mechanism: "PLAIN", initialResponse: "AGEAYg==")) == [
                "A1 AUTHENTICATE PLAIN AGEAYg==\r\n"
            ])
        #expect(
            try Self.wire(.authenticate(mechanism: "XOAUTH2", initialResponse: nil)) == ["A1 AUTHENTICATE XOAUTH2\r\n"])
    }

    @Test("ENABLE, ID and LIST with SPECIAL-USE")
    func extensions() throws {
        #expect(try Self.wire(.enable(["CONDSTORE", "UTF8=ACCEPT"])) == ["A1 ENABLE CONDSTORE UTF8=ACCEPT\r\n"])
        #expect(try Self.wire(.id([("name", "MailLink")])) == ["A1 ID (\"name\" \"MailLink\")\r\n"])
        #expect(try Self.wire(.id(nil)) == ["A1 ID NIL\r\n"])
        #expect(
            try Self.wire(
                .list(reference: IMAPMailboxName(wire: ""), pattern: IMAPMailboxName(wire: "*"), returnSpecialUse: true)
            )
                == ["A1 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"])
    }

    @Test("STATUS, SELECT with CONDSTORE and EXAMINE")
    func mailboxes() throws {
        #expect(
            try Self.wire(.status(.inbox, [.messages, .uidNext])) == ["A1 STATUS \"INBOX\" (MESSAGES UIDNEXT)\r\n"])
        #expect(try Self.wire(.select(.inbox, condStore: true)) == ["A1 SELECT \"INBOX\" (CONDSTORE)\r\n"])
        #expect(try Self.wire(.examine(.inbox, condStore: false)) == ["A1 EXAMINE \"INBOX\"\r\n"])
    }

    @Test("UID SEARCH, FETCH, STORE and EXPUNGE")
    func uidCommands() throws {
        #expect(
            try Self.wire(.uidSearch(.and([.undeleted, .since(day: 1, month: 2, year: 2024)]))) == [
                "A1 UID SEARCH (UNDELETED SINCE 1-Feb-2024)\r\n"
            ])
        #expect(
            try Self.wire(.uidFetch(IMAPUIDSet([1, 2, 3, 9]), [.uid, .size, .bodyPeek], changedSince: nil))
                == ["A1 UID FETCH 1:3,9 (UID RFC822.SIZE BODY.PEEK[])\r\n"])
        #expect(
            try Self.wire(.uidFetch(.all, [.flags], changedSince: 7)) == [
                "A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 7)\r\n"
            ])
        #expect(
            try Self.wire(.uidStore(IMAPUIDSet([4]), .add, flags: ["\\Deleted"], silent: true))
                == ["A1 UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\n"])
        #expect(try Self.wire(.uidExpunge(IMAPUIDSet([4, 5]))) == ["A1 UID EXPUNGE 4:5\r\n"])
    }

    @Test("empty UID sets are refused before anything is sent")
    func emptySets() {
        #expect(throws: IMAPError.self) { try Self.wire(.uidFetch(IMAPUIDSet([]), [.uid], changedSince: nil)) }
        #expect(throws: IMAPError.self) { try Self.wire(.uidExpunge(IMAPUIDSet([]))) }
        #expect(throws: IMAPError.self) { try Self.wire(.uidStore(IMAPUIDSet([]), .add, flags: [], silent: true)) }
    }

    @Test("descriptions never show a password or SASL response")
    func redaction() {
        #expect(!IMAPCommand.login(user: "alice", password: "hunter2").description.contains("hunter2"))
        #expect(
            !IMAPCommand.authenticate(mechanism: "PLAIN", initialResponse: "c2VjcmV0").description.contains("c2VjcmV0"))
    }
}

@Suite("IMAPMailboxName")
struct IMAPMailboxNameTests {
    @Test("modified UTF-7 names decode for display and encode back")
    func modifiedUTF7() {
        #expect(IMAPMailboxName(wire: "Entw&APw-rfe").displayName == "Entwürfe")
        #expect(IMAPMailboxName(displayName: "Почта").wire == "&BB8EPgRHBEIEMA-")
        #expect(IMAPMailboxName(displayName: "Entwürfe", utf8Accepted: true).wire == "Entwürfe")
    }

    @Test("a name that is not modified UTF-7 displays as sent")
    func fallback() {
        #expect(IMAPMailboxName(wire: "a&b").displayName == "a&b")
        #expect(IMAPMailboxName(wire: "Entwürfe").displayName == "Entwürfe")
    }

    @Test("INBOX in any case is the inbox")
    func inbox() {
        #expect(IMAPMailboxName(wire: "inBox").isInbox)
        #expect(!IMAPMailboxName(wire: "INBOX/Sub").isInbox)
    }
}

import Testing

@testable import IMAPProtocol

@Suite("IMAPResponseParser")
struct IMAPResponseParserTests {
    static func parse(_ text: String) throws -> IMAPResponse {
        try IMAPResponseParser.parse(IMAPRawResponse(line: Array(text.utf8)))
    }

    static func parse(lines: [String], literals: [String]) throws -> IMAPResponse {
        try IMAPResponseParser.parse(
            IMAPRawResponse(lines: lines.map { Array($0.utf8) }, literals: literals.map { .bytes(Array($0.utf8)) }))
    }

    @Test("a tagged OK with a response code")
    func tagged() throws {
        let response = try Self.parse("A7 OK [READ-WRITE] SELECT completed")
        #expect(
            response
                == .tagged(
                    IMAPTaggedResponse(
                        tag: "A7", status: .ok,
                        text: IMAPResponseText(code: IMAPResponseCode(name: "READ-WRITE"), text: "SELECT completed"))))
    }

    @Test("a tagged NO keeps the code, its argument and the server's words")
    func taggedNo() throws {
        guard case .tagged(let tagged) = try Self.parse("A1 NO [AUTHENTICATIONFAILED] Authentication failed.") else {
            Issue.record("not tagged")
            return
        }
        #expect(tagged.status == .no)
        #expect(tagged.text.code?.name == "AUTHENTICATIONFAILED")
        #expect(tagged.text.text == "Authentication failed.")
    }

    @Test("a tagged OK without text is accepted")
    func taggedWithoutText() throws {
        #expect(try Self.parse("A2 OK") == .tagged(IMAPTaggedResponse(tag: "A2", status: .ok, text: .init(text: ""))))
    }

    @Test("a continuation's text")
    func continuation() throws {
        #expect(try Self.parse("+ idling") == .continuation("idling"))
        #expect(try Self.parse("+") == .continuation(""))
    }

    @Test("a greeting with capabilities in its code")
    func greeting() throws {
        guard case .untagged(.condition(.ok, let text)) = try Self.parse("* OK [CAPABILITY IMAP4rev1 IDLE] ready")
        else {
            Issue.record("not a condition")
            return
        }
        #expect(text.code?.words == ["IMAP4rev1", "IDLE"])
    }

    @Test("UIDVALIDITY and UIDNEXT codes carry numbers")
    func numberCodes() throws {
        guard case .untagged(.condition(.ok, let text)) = try Self.parse("* OK [UIDVALIDITY 3857529045] UIDs valid")
        else {
            Issue.record("not a condition")
            return
        }
        #expect(text.code?.number == 3_857_529_045)
    }

    @Test("PERMANENTFLAGS lists its flags")
    func permanentFlags() throws {
        guard
            case .untagged(.condition(.ok, let text)) = try Self.parse("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] L")
        else {
            Issue.record("not a condition")
            return
        }
        #expect(text.code?.words == ["\\Deleted", "\\Seen", "\\*"])
    }

    @Test("CAPABILITY, case-insensitively")
    func capability() throws {
        guard case .untagged(.capability(let capabilities)) = try Self.parse("* CAPABILITY IMAP4rev1 auth=PLAIN idle")
        else {
            Issue.record("not CAPABILITY")
            return
        }
        #expect(capabilities.idle)
        #expect(capabilities.authenticationMechanisms == ["PLAIN"])
    }

    @Test("EXISTS, RECENT and EXPUNGE")
    func messageCounts() throws {
        #expect(try Self.parse("* 23 EXISTS") == .untagged(.exists(23)))
        #expect(try Self.parse("* 0 RECENT") == .untagged(.recent(0)))
        #expect(try Self.parse("* 4 expunge") == .untagged(.expunge(4)))
    }

    @Test("LIST with special use, a quoted delimiter and a quoted name")
    func list() throws {
        guard
            case .untagged(.list(let mailbox)) = try Self.parse("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"")
        else {
            Issue.record("not LIST")
            return
        }
        #expect(mailbox.name.wire == "Sent Items")
        #expect(mailbox.delimiter == "/")
        #expect(mailbox.specialUse == .sent)
        #expect(mailbox.isSelectable)
    }

    @Test("LIST with NIL delimiter, an atom name and extended data")
    func listExtended() throws {
        guard
            case .untagged(.list(let mailbox)) = try Self.parse(
                "* LIST (\\Noselect) NIL INBOX (\"CHILDINFO\" (\"SUBSCRIBED\"))")
        else {
            Issue.record("not LIST")
            return
        }
        #expect(mailbox.delimiter == nil)
        #expect(mailbox.name.isInbox)
        #expect(!mailbox.isSelectable)
    }

    @Test("LIST with a literal name")
    func listLiteral() throws {
        guard
            case .untagged(.list(let mailbox)) = try Self.parse(
                lines: ["* LIST () \"/\" {4}", ""], literals: ["a\"b)"])
        else {
            Issue.record("not LIST")
            return
        }
        #expect(mailbox.name.wire == "a\"b)")
    }

    @Test("STATUS with every counter")
    func status() throws {
        let response = try Self.parse(
            "* STATUS \"INBOX\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3 HIGHESTMODSEQ 7011231)")
        #expect(
            response
                == .untagged(
                    .status(
                        .inbox,
                        IMAPMailboxStatus(
                            messageCount: 231, uidNext: 44292, uidValidity: 1, unseenCount: 3, highestModSeq: 7_011_231)
                    )))
    }

    @Test("SEARCH with and without results and with MODSEQ")
    func search() throws {
        #expect(try Self.parse("* SEARCH 2 84 882") == .untagged(.search([2, 84, 882], highestModSeq: nil)))
        #expect(try Self.parse("* SEARCH") == .untagged(.search([], highestModSeq: nil)))
        #expect(try Self.parse("* SEARCH 2 (MODSEQ 917)") == .untagged(.search([2], highestModSeq: 917)))
    }

    @Test("ESEARCH's ALL set")
    func extendedSearch() throws {
        #expect(
            try Self.parse("* ESEARCH (TAG \"A3\") UID ALL 1:3,9 COUNT 4")
                == .untagged(.extendedSearch(IMAPUIDSet([1, 2, 3, 9]))))
    }

    @Test("a FETCH with summary items")
    func fetchSummary() throws {
        let response = try Self.parse(
            "* 12 FETCH (UID 4827 RFC822.SIZE 3201 FLAGS (\\Seen $Label) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" MODSEQ (65))"
        )
        #expect(
            response
                == .untagged(
                    .fetch(
                        sequenceNumber: 12,
                        IMAPFetchAttributes(
                            uid: 4827, size: 3201, flags: ["\\Seen", "$Label"],
                            internalDate: "17-Jul-1996 02:44:25 -0700",
                            modSeq: 65))))
    }

    @Test("a FETCH with a BODY[] literal")
    func fetchBody() throws {
        let response = try Self.parse(lines: ["* 1 FETCH (UID 7 BODY[] {11}", ")"], literals: ["Subject: x\n"])
        guard case .untagged(.fetch(_, let attributes)) = response else {
            Issue.record("not FETCH")
            return
        }
        #expect(attributes.uid == 7)
        #expect(attributes.body == .bytes(Array("Subject: x\n".utf8)))
    }

    @Test("a streamed body literal stays streamed")
    func fetchStreamed() throws {
        let raw = IMAPRawResponse(
            lines: [Array("* 1 FETCH (UID 7 BODY[] {5000}".utf8), Array(")".utf8)], literals: [.streamed(size: 5000)])
        guard case .untagged(.fetch(_, let attributes)) = try IMAPResponseParser.parse(raw) else {
            Issue.record("not FETCH")
            return
        }
        #expect(attributes.body == .streamed(size: 5000))
    }

    @Test("unknown FETCH items, header sections and partial bodies are skipped")
    func fetchSkips() throws {
        let response = try Self.parse(
            lines: [
                "* 2 FETCH (X-GM-MSGID 123 ENVELOPE (NIL \"s\" ((NIL NIL \"a\" \"b\")) NIL) BODY[HEADER.FIELDS (FROM)] {3}",
                " BODY[]<0> \"ab\" UID 9)",
            ],
            literals: ["F:x"])
        guard case .untagged(.fetch(_, let attributes)) = response else {
            Issue.record("not FETCH")
            return
        }
        #expect(attributes.uid == 9)
        #expect(attributes.body == nil)
    }

    @Test("VANISHED (EARLIER)")
    func vanished() throws {
        #expect(
            try Self.parse("* VANISHED (EARLIER) 41,43:45")
                == .untagged(.vanished(earlier: true, IMAPUIDSet([41, 43, 44, 45]))))
    }

    @Test("ID with fields and NIL values, and ID NIL")
    func id() throws {
        #expect(try Self.parse("* ID (\"name\" \"Dovecot\" \"os\" NIL)") == .untagged(.id(["name": "Dovecot"])))
        #expect(try Self.parse("* ID NIL") == .untagged(.id([:])))
    }

    @Test("ENABLED and FLAGS")
    func enabledAndFlags() throws {
        #expect(try Self.parse("* ENABLED CONDSTORE") == .untagged(.enabled(["CONDSTORE"])))
        #expect(try Self.parse("* FLAGS (\\Answered \\Seen)") == .untagged(.flags(["\\Answered", "\\Seen"])))
    }

    @Test("BYE and unknown untagged responses")
    func byeAndOther() throws {
        #expect(try Self.parse("* BYE Logging out") == .untagged(.condition(.bye, .init(text: "Logging out"))))
        #expect(try Self.parse("* NAMESPACE ((\"\" \".\")) NIL NIL") == .untagged(.other("NAMESPACE")))
    }

    @Test(
        "malformed responses are refused",
        arguments: [
            "", "*", "* ", "A1", "A1 MAYBE done", "* 3 EXPLODE", "* LIST (\\X) \"//\" a", "* SEARCH 0",
            "* SEARCH 4294967296",
            "* 1 FETCH (UID 0)", "* 1 FETCH (UID 5", "* STATUS x (UIDNEXT 99999999999)", "* 1 FETCH (FLAGS (\\Seen)",
            "* ID (\"a\")", "* 99999999999999999999 EXISTS", "* OK [UIDVALIDITY 5", "* LIST () \"/\" \"unterminated",
            "* 1 FETCH (UID 1 BODY[] {3}",
        ])
    func malformed(text: String) {
        #expect(throws: IMAPError.self) { try Self.parse(text) }
    }

    @Test("a literal whose size is not the announced one is refused")
    func literalMismatch() {
        #expect(throws: IMAPError.self) {
            try Self.parse(lines: ["* 1 FETCH (UID 7 BODY[] {12}", ")"], literals: ["short"])
        }
    }

    @Test("lists nested too deeply are refused")
    func deepNesting() {
        let deep =
            "* 1 FETCH (BODYSTRUCTURE " + String(repeating: "(", count: 100) + String(repeating: ")", count: 100) + ")"
        #expect(throws: IMAPError.self) { try Self.parse(deep) }
    }
}

@Suite("IMAPLiteralAnnouncement")
struct IMAPLiteralAnnouncementTests {
    @Test("a line ending with {n} announces n octets")
    func announced() throws {
        #expect(try IMAPLiteralAnnouncement.size(endingLine: Array("* 1 FETCH (BODY[] {42}".utf8)) == 42)
        #expect(try IMAPLiteralAnnouncement.size(endingLine: Array("* 1 FETCH (BINARY[] ~{0}".utf8)) == 0)
    }

    @Test("other line ends announce nothing", arguments: ["* OK done", "* OK {}", "* OK x}", "* OK {4+}", "}"])
    func none(text: String) throws {
        #expect(try IMAPLiteralAnnouncement.size(endingLine: Array(text.utf8)) == nil)
    }

    @Test("an absurd size is malformed, never allocated")
    func absurd() {
        #expect(throws: IMAPError.self) {
            try IMAPLiteralAnnouncement.size(endingLine: Array("* 1 FETCH (BODY[] {99999999999999999999}".utf8))
        }
    }

    @Test("only whole-message literals are streamed")
    func bodyLiterals() {
        #expect(IMAPLiteralAnnouncement.announcesMessageBody(Array("* 1 FETCH (UID 3 BODY[] {9}".utf8)))
        #expect(IMAPLiteralAnnouncement.announcesMessageBody(Array("* 1 FETCH (RFC822 {9}".utf8)))
        #expect(!IMAPLiteralAnnouncement.announcesMessageBody(Array("* LIST () \"/\" {9}".utf8)))
        #expect(!IMAPLiteralAnnouncement.announcesMessageBody(Array("* 1 FETCH (BODY[HEADER] {9}".utf8)))
    }
}

import Testing

@testable import MailMessage

/// A typed address is taken exactly as written or refused: never rewritten into another one.
@Suite("Mailbox strict parsing")
struct MailboxParsingTests {
    @Test(
        "hostile inputs are refused instead of read as another address",
        arguments: [
            "a@b.test\r\nRCPT TO:<c@d.test>",  // CRLF injection: was sent to c@d.test
            "a b@c.test",  // a bare local part with a space: was sent to b@c.test
            "a\u{01}b@c.test",  // a control character: was sent to ab@c.test
            "Joe@Work <joe@b.test>",  // an unquoted @ in a display name: became "Joe Work"
            "a@b.test\n", "a@b.test\r", "a\u{0}@b.test", "a@b\u{0}.test", "a@b.test\t", "Joe\tSmith <joe@b.test>",
            "\"a\u{01}\"@b.test", "\"a\\\u{01}\"@b.test", "a\u{7F}@b.test", "a\u{85}@b.test", "Joe\u{9B} <joe@b.test>",
            "Joe <joe@b.test>\r\nBcc: x@y.test", "Joe <joe@b.test> extra", "<a@b.test>, <c@d.test>",
            "a@b.test, c@d.test", "Joe <joe@b.test", "Joe joe@b.test>", "Joe < joe@b.test>", "Joe <j o@b.test>",
            "Joe, Smith <joe@b.test>", "Joe (x) <joe@b.test>", "Joe: <joe@b.test>", "\"Joe\" Smith <joe@b.test>",
            "\"Joe <joe@b.test>", "a@b.test (Joe)", "", "   ", "=?utf-8?Q?a=0D=0Ab?= <a@b.test>",
        ])
    func refused(input: String) {
        #expect(throws: MessageError.self, "\(input.debugDescription)") { try Mailbox(input) }
    }

    @Test("the well-formed kinds of mailbox are read exactly")
    func accepted() throws {
        let cases: [(String, String?, String)] = [
            ("bob@example.com", nil, "bob@example.com"),
            ("  bob@example.com  ", nil, "bob@example.com"),
            ("<bob@example.com>", nil, "bob@example.com"),
            ("Bob Smith <bob@example.com>", "Bob Smith", "bob@example.com"),
            ("John Q. Public <john@example.com>", "John Q. Public", "john@example.com"),
            ("\"Ivanov, Ivan\" <ivan@example.ru>", "Ivanov, Ivan", "ivan@example.ru"),
            ("\"Joe@Work\" <joe@b.test>", "Joe@Work", "joe@b.test"),
            ("\"Say \\\"hi\\\"\" <a@b.test>", "Say \"hi\"", "a@b.test"),
            ("Анна Петрова <anna@почта.рф>", "Анна Петрова", "anna@почта.рф"),
            ("=?utf-8?B?0JDQvdC90LA=?= <anna@example.ru>", "Анна", "anna@example.ru"),
            ("\"a b\"@c.test", nil, "\"a b\"@c.test"),
            ("Bob<bob@example.com>", "Bob", "bob@example.com"),
        ]
        for (input, name, address) in cases {
            let mailbox = try Mailbox(input)
            #expect(mailbox.displayName == name, "\(input)")
            #expect(mailbox.address.description == address, "\(input)")
        }
    }

    @Test("the display-name initialiser refuses control characters, the address one needs no check")
    func initialisers() throws {
        let address = try EmailAddress("a@b.test")
        for name in ["Eve\r\nBcc: x@y.test", "a\u{0}b", "tab\there", "bell\u{07}", "c1\u{80}"] {
            #expect(throws: MessageError.self, "\(name.debugDescription)") {
                try Mailbox(displayName: name, address: address)
            }
        }
        #expect(try Mailbox(displayName: "Joe@Work", address: address).displayName == "Joe@Work")
        #expect(try Mailbox(displayName: "", address: address).displayName == nil)
        #expect(Mailbox(address: address).displayName == nil)
    }

    @Test("a display name set afterwards with a control character is refused when written")
    func headerValue() throws {
        var mailbox = Mailbox(address: try EmailAddress("a@b.test"))
        mailbox.displayName = "bell\u{07}"
        #expect(throws: MessageError.self) { try mailbox.headerValue() }
        mailbox.displayName = "Joe@Work"
        #expect(try mailbox.headerValue() == "\"Joe@Work\" <a@b.test>")
    }
}

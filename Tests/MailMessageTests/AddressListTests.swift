import Testing

@testable import MailMessage

@Suite("AddressList parsing")
struct AddressListTests {
    @Test("reads display names as atoms, quoted strings and encoded words")
    func displayNames() {
        let list = AddressList(
            parsing:
                "John Q. Public <john@example.com>, \"Ivanov, Ivan\" <ivan@example.ru>, =?utf-8?B?0JDQvdC90LA=?= <anna@example.ru>"
        )
        #expect(list.mailboxes.map(\.displayName) == ["John Q. Public", "Ivanov, Ivan", "Анна"])
        #expect(
            list.mailboxes.map(\.address.description) == ["john@example.com", "ivan@example.ru", "anna@example.ru"])
        #expect(list.invalid.isEmpty)
    }

    @Test("reads bare addresses and the old comment form")
    func bare() {
        let list = AddressList(parsing: "a@example.com, b@example.com (Bob Smith)")
        #expect(list.mailboxes.map(\.address.localPart) == ["a", "b"])
        #expect(list.mailboxes[1].displayName == "Bob Smith")
    }

    @Test("flattens groups and keeps the group name")
    func groups() {
        let list = AddressList(parsing: "Team: a@x.example, B <b@x.example>; c@y.example, Empty:;")
        #expect(list.entries.map(\.group) == ["Team", "Team", nil])
        #expect(list.mailboxes.map(\.address.localPart) == ["a", "b", "c"])
    }

    @Test("drops an obsolete route and ignores comments")
    func route() {
        let list = AddressList(parsing: "Joe (the man) <@relay.example,@other.example:joe@example.com>")
        #expect(list.mailboxes.first?.address.description == "joe@example.com")
        #expect(list.mailboxes.first?.displayName == "Joe")
    }

    @Test("reads folded values")
    func folded() {
        let list = AddressList(parsing: "A <a@x.example>,\r\n B <b@x.example>")
        #expect(list.mailboxes.count == 2)
    }

    @Test("lists entries that are not addresses instead of failing")
    func invalid() {
        let list = AddressList(parsing: "undisclosed-recipients:;, not an address, ok@example.com, <bad@>")
        #expect(list.mailboxes.map(\.address.description) == ["ok@example.com"])
        #expect(list.invalid.count == 2)
    }

    @Test("a bare address after words uses the words as the display name")
    func noBrackets() {
        let list = AddressList(parsing: "Jane Roe jane@example.com")
        #expect(list.mailboxes.first?.displayName == "Jane Roe")
        #expect(list.mailboxes.first?.address.localPart == "jane")
    }

    @Test("a quoted local part survives")
    func quotedLocal() {
        let list = AddressList(parsing: "<\"a b\"@example.com>")
        #expect(list.mailboxes.first?.address.localPart == "\"a b\"")
    }

    @Test("parses one mailbox and refuses two")
    func mailbox() throws {
        #expect(try Mailbox("Bob <bob@example.com>").displayName == "Bob")
        #expect(throws: MessageError.self) { try Mailbox("a@x.example, b@x.example") }
    }

    @Test("stays linear on deeply nested comments and many commas")
    func hostile() {
        let nested = String(repeating: "(", count: 50_000) + "a@example.com"
        #expect(AddressList(parsing: nested).mailboxes.isEmpty)
        let commas = String(repeating: ",", count: 100_000) + "a@example.com"
        #expect(AddressList(parsing: commas).mailboxes.count == 1)
        let colons = "a@b" + String(repeating: ":x", count: 100_000)
        #expect(AddressList(parsing: colons).mailboxes.isEmpty)
        let longLabel = "a@" + String(repeating: "я", count: 100_000) + ".example"
        #expect(AddressList(parsing: longLabel).mailboxes.isEmpty)
    }
}

@Suite("AddressList never rewrites an entry")
struct AddressListRewriteTests {
    @Test("an entry with a control character is listed as invalid, not glued together")
    func control() {
        let list = AddressList(parsing: "a\u{01}b@c.test, ok@c.test, \"x\u{02}\" <x@c.test>, z\u{7F}@c.test")
        #expect(list.mailboxes.map(\.address.description) == ["ok@c.test"])
        #expect(list.invalid.count == 3)
    }

    @Test("an unquoted @ in a display name makes the entry invalid, not \"Joe Work\"")
    func atInDisplayName() {
        let list = AddressList(parsing: "Joe@Work <joe@b.test>, \"Joe@Home\" <joe@c.test>")
        #expect(list.mailboxes.map(\.displayName) == ["Joe@Home"])
        #expect(list.invalid.count == 1)
    }

    @Test("folding white space (CRLF and tab) is still just space")
    func folding() {
        let list = AddressList(parsing: "A\r\n\t<a@x.example>")
        #expect(list.mailboxes.first?.displayName == "A")
    }
}

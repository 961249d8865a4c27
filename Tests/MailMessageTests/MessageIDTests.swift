import Testing

@testable import MailMessage

@Suite("MessageID")
struct MessageIDTests {
    @Test("parses with or without brackets")
    func parse() throws {
        let id = try MessageID(parsing: " <abc.123@example.com> ")
        #expect(id.left == "abc.123")
        #expect(id.right == "example.com")
        #expect(id.description == "<abc.123@example.com>")
        #expect(try MessageID(parsing: "x@y") == MessageID(left: "x", right: "y"))
    }

    @Test("lists the IDs of a References value")
    func list() {
        let ids = MessageID.list(in: "<a@x>\r\n <b@y> junk <broken> <c@z>")
        #expect(ids.map(\.description) == ["<a@x>", "<b@y>", "<c@z>"])
    }

    @Test("generates unique IDs at the given domain")
    func generate() {
        let first = MessageID.generate(domain: "example.com")
        let second = MessageID.generate(domain: "example.com")
        #expect(first != second)
        #expect(first.right == "example.com")
        #expect(MessageID.generate(domain: "bad domain").right == "maillink.invalid")
    }

    @Test("refuses halves with forbidden characters")
    func invalid() {
        #expect(throws: MessageError.self) { try MessageID(left: "a b", right: "x") }
        #expect(throws: MessageError.self) { try MessageID(left: "a", right: "x\r\n") }
        #expect(throws: MessageError.self) { try MessageID(parsing: "<no-at>") }
    }
}

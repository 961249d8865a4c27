import Testing

@testable import SMTPSender

@Suite("SMTPPath with a quoted local part")
struct SMTPPathQuotedLocalPartTests {
    @Test("spaces are kept inside the quotes; quotes and backslashes are escaped")
    func quoting() throws {
        #expect(
            try SMTPPath(quotedLocalPart: "judy+Old mailbox", domain: "example.test").address
                == "\"judy+Old mailbox\"@example.test")
        #expect(
            try SMTPPath(quotedLocalPart: "a\"b\\c", domain: "example.test").address == "\"a\\\"b\\\\c\"@example.test")
    }

    @Test("the RCPT line carries it whole")
    func encoding() throws {
        let path = try SMTPPath(quotedLocalPart: "judy+Old mailbox", domain: "example.test")
        #expect(
            try SMTPCommand.rcptTo(path, parameters: []).encoded()
                == Array("RCPT TO:<\"judy+Old mailbox\"@example.test>\r\n".utf8))
    }

    @Test("control characters, non-ASCII, angle brackets, a bad domain and an overlong part are refused")
    func refused() {
        for (local, domain) in [
            ("a\r\nRSET", "example.test"), ("b\u{fc}cher", "example.test"), ("a>b", "example.test"),
            ("", "example.test"),
            ("ok", "bad domain"), (String(repeating: "x", count: 63), "example.test"),
        ] {
            #expect(throws: SMTPError.self) { try SMTPPath(quotedLocalPart: local, domain: domain) }
        }
    }
}

import Testing

@testable import SMTPSender

@Suite("SMTPCommand")
struct SMTPCommandTests {
    private func wire(_ command: SMTPCommand) throws -> String {
        String(decoding: try command.encoded(), as: UTF8.self)
    }

    @Test("each command encodes to its RFC 5321 line with CRLF")
    func encodings() throws {
        let alice = try SMTPPath("alice@example.com")
        #expect(try wire(.ehlo("[127.0.0.1]")) == "EHLO [127.0.0.1]\r\n")
        #expect(try wire(.helo("client.example")) == "HELO client.example\r\n")
        #expect(try wire(.startTLS) == "STARTTLS\r\n")
        #expect(try wire(.auth(mechanism: "PLAIN", initialResponse: "AGEAYg==")) == "AUTH PLAIN AGEAYg==\r\n")
        #expect(try wire(.auth(mechanism: "LOGIN", initialResponse: nil)) == "AUTH LOGIN\r\n")
        #expect(try wire(.authResponse("")) == "\r\n")
        #expect(
            try wire(.mailFrom(alice, parameters: [.size(42), .body8BitMIME]))
                == "MAIL FROM:<alice@example.com> SIZE=42 BODY=8BITMIME\r\n")
        #expect(try wire(.mailFrom(nil, parameters: [])) == "MAIL FROM:<>\r\n")
        #expect(try wire(.rcptTo(alice, parameters: [])) == "RCPT TO:<alice@example.com>\r\n")
        #expect(try wire(.data) == "DATA\r\n")
        #expect(try wire(.rset) == "RSET\r\n")
        #expect(try wire(.noop) == "NOOP\r\n")
        #expect(try wire(.quit) == "QUIT\r\n")
    }

    @Test("descriptions redact AUTH data")
    func redaction() {
        #expect(
            SMTPCommand.auth(mechanism: "PLAIN", initialResponse: "c2VjcmV0").description == "AUTH PLAIN <redacted>")
        #expect(!SMTPCommand.authResponse("c2VjcmV0").description.contains("c2VjcmV0"))
    }

    /// Characters that could end a line or start another argument, in every argument.
    static let injections = ["a\r\nRSET", "a\nQUIT", "a\rX", "a\u{0}b", "a b"]

    @Test("EHLO and HELO refuse domains that could inject", arguments: injections)
    func domainInjection(_ bad: String) {
        #expect(throws: SMTPError.self) { try SMTPCommand.ehlo(bad).encoded() }
        #expect(throws: SMTPError.self) { try SMTPCommand.helo(bad).encoded() }
    }

    @Test("AUTH refuses a mechanism, initial response or response that could inject", arguments: injections)
    func authInjection(_ bad: String) {
        #expect(throws: SMTPError.self) { try SMTPCommand.auth(mechanism: bad, initialResponse: nil).encoded() }
        #expect(throws: SMTPError.self) { try SMTPCommand.auth(mechanism: "PLAIN", initialResponse: bad).encoded() }
        #expect(throws: SMTPError.self) { try SMTPCommand.authResponse(bad).encoded() }
    }

    @Test("ESMTP parameters refuse keywords and values that could inject", arguments: injections + ["a=b", ""])
    func parameterInjection(_ bad: String) throws {
        let alice = try SMTPPath("alice@example.com")
        #expect(throws: SMTPError.self) { try SMTPCommand.mailFrom(alice, parameters: [SMTPParameter(bad)]).encoded() }
        #expect(throws: SMTPError.self) {
            try SMTPCommand.rcptTo(alice, parameters: [SMTPParameter("X", bad)]).encoded()
        }
    }

    @Test("an empty mechanism name is refused")
    func emptyMechanism() {
        #expect(throws: SMTPError.self) { try SMTPCommand.auth(mechanism: "", initialResponse: nil).encoded() }
    }

    @Test("BDAT carries its octet count, and LAST on the final chunk; a negative count is refused")
    func bdat() throws {
        #expect(try SMTPCommand.bdat(size: 10240, last: true).encoded() == Array("BDAT 10240 LAST\r\n".utf8))
        #expect(try SMTPCommand.bdat(size: 0, last: false).encoded() == Array("BDAT 0\r\n".utf8))
        #expect(SMTPCommand.bdat(size: 5, last: true).verb == "BDAT")
        #expect(throws: SMTPError.self) { try SMTPCommand.bdat(size: -1, last: true).encoded() }
    }
}

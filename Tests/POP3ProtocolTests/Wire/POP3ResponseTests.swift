import Testing

@testable import POP3Protocol

@Suite("POP3Response parsing")
struct POP3ResponseTests {
    private func parse(_ line: String) throws -> POP3Response { try POP3Response(parsing: Array(line.utf8)) }

    @Test("+OK with and without text")
    func ok() throws {
        #expect(try parse("+OK 2 320") == POP3Response(status: .ok, text: "2 320"))
        #expect(try parse("+OK") == POP3Response(status: .ok, text: ""))
    }

    @Test("-ERR keeps the server's words")
    func error() throws {
        #expect(try parse("-ERR Web login required") == POP3Response(status: .error, text: "Web login required"))
    }

    @Test("an extended response code is extracted and upper-cased (RFC 2449 §8)")
    func code() throws {
        let response = try parse("-ERR [in-use] mailbox locked")
        #expect(response.code == .inUse)
        #expect(response.text == "mailbox locked")
        #expect(try parse("-ERR [SYS/TEMP/DISK] full").code?.isKind(of: .systemTemporary) == true)
        #expect(try parse("-ERR [SYS/TEMPO] x").code?.isKind(of: .systemTemporary) == false)
    }

    @Test("a bracket that is not a code stays in the text")
    func notACode() throws {
        let response = try parse("-ERR [not a code] text")
        #expect(response.code == nil)
        #expect(response.text == "[not a code] text")
    }

    @Test("a SASL continuation is recognised (RFC 5034 §4)")
    func continuation() throws {
        #expect(try parse("+ PDE4OTY+") == POP3Response(status: .continuation, text: "PDE4OTY+"))
        #expect(try parse("+") == POP3Response(status: .continuation, text: ""))
    }

    @Test("lines that are not POP3 are malformed", arguments: ["", "OK", "* OK IMAP4 ready", "220 smtp ready", "+OKAY", "-ERROR x", "+x"])
    func malformed(line: String) {
        #expect(throws: POP3Error.self) { try parse(line) }
    }

    @Test("non-UTF-8 server text is kept leniently, not rejected")
    func lenient() throws {
        let response = try POP3Response(parsing: Array("-ERR caf".utf8) + [0xE9])
        #expect(response.status == .error)
        #expect(response.text.hasPrefix("caf"))
    }
}

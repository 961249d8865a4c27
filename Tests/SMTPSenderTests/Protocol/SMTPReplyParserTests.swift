import Testing

@testable import SMTPSender

@Suite("SMTPReplyParser")
struct SMTPReplyParserTests {
    private func parseAll(_ lines: [String], maximumLineCount: Int = 256) throws -> [SMTPReply] {
        var parser = SMTPReplyParser(maximumLineCount: maximumLineCount)
        return try lines.compactMap { try parser.parse(line: $0) }
    }

    @Test("a single-line reply gives its code and text")
    func singleLine() throws {
        #expect(
            try parseAll(["220 mx.example.com ESMTP ready"]) == [
                SMTPReply(code: 220, lines: ["mx.example.com ESMTP ready"])
            ])
    }

    @Test("a multi-line reply is complete only at the line with a space after the code")
    func multiLine() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.parse(line: "250-mx.example.com") == nil)
        #expect(parser.isInsideReply)
        #expect(try parser.parse(line: "250-PIPELINING") == nil)
        #expect(
            try parser.parse(line: "250 SIZE 1000")
                == SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "SIZE 1000"]))
        #expect(!parser.isInsideReply)
    }

    @Test("a bare code with no text is a reply with one empty line")
    func bareCode() throws {
        #expect(try parseAll(["354"]) == [SMTPReply(code: 354, lines: [""])])
    }

    @Test("the enhanced status code is separated from every line's text")
    func enhancedStatus() throws {
        let reply = try #require(
            try parseAll([
                "534-5.7.9 Application-specific password required.", "534 5.7.9 Learn more at https://support.example",
            ]).first)
        #expect(reply.enhancedStatus == EnhancedStatusCode(5, 7, 9))
        #expect(reply.lines == ["Application-specific password required.", "Learn more at https://support.example"])
    }

    @Test("a status-like token whose class differs from the code stays in the text")
    func mismatchedEnhancedStatus() throws {
        let reply = try #require(try parseAll(["250 4.1.1 odd"]).first)
        #expect(reply.enhancedStatus == nil)
        #expect(reply.text == "4.1.1 odd")
    }

    @Test("a line without a three-digit code is malformed")
    func noCode() {
        for line in ["", "25", "hello", "2x0 ok", "650 no", "199 no", "250_ok"] {
            #expect(throws: SMTPError.self, "\(line)") { _ = try parseAll([line]) }
        }
    }

    @Test("a continuation that changes the code is malformed")
    func changedCode() {
        let error = #expect(throws: SMTPError.self) { _ = try parseAll(["250-a", "251 b"]) }
        #expect(error?.code == .malformedReply)
    }

    @Test("a reply longer than the line-count bound is refused")
    func tooManyLines() {
        let lines = Array(repeating: "250-x", count: 10) + ["250 end"]
        let error = #expect(throws: SMTPError.self) { _ = try parseAll(lines, maximumLineCount: 10) }
        #expect(error?.code == .replyTooLong)
        #expect(throws: Never.self) { _ = try parseAll(lines, maximumLineCount: 11) }
    }

    @Test("invalid UTF-8 in the text does not stop parsing")
    func invalidUTF8() throws {
        var parser = SMTPReplyParser()
        let reply = try parser.parse(line: Array("550 bad ".utf8) + [0xff, 0xfe])
        #expect(reply?.code == 550)
    }
}

@Suite("SMTPReplyParser with hostile input")
struct SMTPReplyParserHostileTests {
    @Test("random lines never crash the parser and never grow a reply past the bound")
    func randomLines() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789 -.\r\n2505".utf8) + [0, 0xff]
        for _ in 0..<2000 {
            var parser = SMTPReplyParser(maximumLineCount: 8)
            for _ in 0..<Int.random(in: 1...20, using: &generator) {
                let line = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator) ?? 0
                }
                do {
                    if let reply = try parser.parse(line: line) {
                        #expect((200...599).contains(reply.code))
                        #expect(reply.lines.count <= 8)
                    }
                } catch {
                    parser = SMTPReplyParser(maximumLineCount: 8)
                }
            }
        }
    }
}

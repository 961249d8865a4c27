import Testing

@testable import MailMessage

@Suite("MessageHeader parsing")
struct MessageHeaderTests {
    @Test("finds fields in order and the start of the body")
    func basic() throws {
        let bytes = TestBytes.crlf("From: a@example.com\nTo: b@example.com\nSubject: Hi\n\nbody\n")
        let header = try MessageHeader(parsing: bytes)
        #expect(header.fields.map(\.name) == ["From", "To", "Subject"])
        #expect(header["subject"] == "Hi")
        #expect(Array(bytes[header.bodyOffset...]) == Array("body\r\n".utf8))
    }

    @Test("unfolds folded values and keeps the white space")
    func unfolding() throws {
        let header = try MessageHeader(parsing: TestBytes.crlf("Subject: one\n two\n\tthree\n\n"))
        #expect(header["Subject"] == "one two\tthree")
    }

    @Test("accepts bare LF line ends")
    func bareLF() throws {
        let bytes = TestBytes.lf("Subject: x\n y\nTo: b@example.com\n\nbody")
        let header = try MessageHeader(parsing: bytes)
        #expect(header["subject"] == "x y")
        #expect(header["TO"] == "b@example.com")
        #expect(Array(bytes[header.bodyOffset...]) == Array("body".utf8))
    }

    @Test("looks names up ignoring case and returns repeated fields in order")
    func repeated() throws {
        let header = try MessageHeader(parsing: TestBytes.crlf("Received: one\nreceived: two\nRECEIVED: three\n\n"))
        #expect(header.values(for: "Received") == ["one", "two", "three"])
        #expect(header.fields(named: "received").count == 3)
        #expect(header.contains("rEcEiVeD"))
        #expect(!header.contains("Subject"))
    }

    @Test("accepts obsolete white space before the colon")
    func obsoleteColon() throws {
        let header = try MessageHeader(parsing: TestBytes.crlf("Subject  : old style\n\n"))
        #expect(header["Subject"] == "old style")
    }

    @Test("skips an mbox From line")
    func mboxLine() throws {
        let header = try MessageHeader(parsing: TestBytes.lf("From someone@example.com Thu Jan  1 00:00:00 1970\nSubject: s\n\n"))
        #expect(header.fields.map(\.name) == ["Subject"])
    }

    @Test("a line that is not a field starts the body when the blank line is missing")
    func missingBlankLine() throws {
        let bytes = TestBytes.crlf("Subject: s\nthis is body text\nmore\n")
        let header = try MessageHeader(parsing: bytes)
        #expect(header.fields.count == 1)
        #expect(Array(bytes[header.bodyOffset...]) == TestBytes.crlf("this is body text\nmore\n"))
    }

    @Test("a header with no body ends at the end of input")
    func noBody() throws {
        let bytes = Array("Subject: only".utf8)
        let header = try MessageHeader(parsing: bytes)
        #expect(header["subject"] == "only")
        #expect(header.bodyOffset == bytes.count)
    }

    @Test("an empty value is an empty string")
    func emptyValue() throws {
        let header = try MessageHeader(parsing: TestBytes.crlf("Subject:\nX-Empty:   \n\n"))
        #expect(header["subject"] == "")
        #expect(header["x-empty"] == "")
    }

    @Test("raw 8-bit values read as UTF-8, or Windows-1252 when not UTF-8")
    func eightBit() throws {
        let header = try MessageHeader(parsing: Array("Subject: Привет\r\nX-Latin: caf\u{E9}\r\n\r\n".utf8))
        #expect(header["subject"] == "Привет")
        let latin = try MessageHeader(parsing: [UInt8]("X: caf".utf8) + [0xE9] + [0x0D, 0x0A, 0x0D, 0x0A])
        #expect(latin["x"] == "café")
    }

    @Test("refuses more fields than the limit")
    func tooManyFields() {
        let bytes = Array(String(repeating: "X: y\r\n", count: 11).utf8)
        #expect(throws: MessageError.self) { try MessageHeader(parsing: bytes, limits: ParserLimits(maxFields: 10)) }
        #expect((try? MessageHeader(parsing: bytes, limits: ParserLimits(maxFields: 11)))?.fields.count == 11)
    }

    @Test("refuses a header section larger than the limit")
    func tooLarge() {
        let bytes = Array(("Subject: " + String(repeating: "a", count: 5_000) + "\r\n\r\n").utf8)
        do {
            _ = try MessageHeader(parsing: bytes, limits: ParserLimits(maxHeaderBytes: 1_000))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .headerTooLarge)
        }
    }

    @Test("refuses a line longer than the limit")
    func lineTooLong() {
        let bytes = Array(("Subject: " + String(repeating: "a", count: 5_000) + "\r\n\r\n").utf8)
        do {
            _ = try MessageHeader(parsing: bytes, limits: ParserLimits(maxLineLength: 1_000))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .lineTooLong)
        }
    }

    @Test("parses fifty thousand folded lines in one field")
    func manyFoldedLines() throws {
        let bytes = Array(("Subject: start" + String(repeating: "\r\n x", count: 50_000) + "\r\n\r\n").utf8)
        let header = try MessageHeader(parsing: bytes)
        #expect(header.fields.count == 1)
        #expect(header["subject"]?.count == 5 + 50_000 * 2)
    }

    @Test("a continuation line before any field is skipped")
    func leadingContinuation() throws {
        let header = try MessageHeader(parsing: TestBytes.crlf("  junk\nSubject: s\n\n"))
        #expect(header.fields.map(\.name) == ["Subject"])
    }

    @Test("parses a slice and reports the body offset in the base array")
    func slice() throws {
        let bytes = Array("XXXXSubject: s\r\n\r\nbody".utf8)
        let header = try MessageHeader(parsing: bytes[4...])
        #expect(header["subject"] == "s")
        #expect(header.bodyOffset == 18)
    }
}

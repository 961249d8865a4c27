import Testing

@testable import MailMessage

@Suite("MIMEPart parsing over the tricky-message corpus")
struct MIMEPartTests {
    @Test("walks nested multiparts and skips preamble and epilogue")
    func nested() throws {
        let message = try MIMEPart(parsing: TrickyMessages.nested)
        #expect(message.header["Subject"] == "Привет мир")
        #expect(AddressList(field: try #require(message.header.field(named: "From"))).mailboxes.first?.displayName == "Привет")
        #expect(message.contentType.mimeType == "multipart/mixed")
        #expect(message.parts.count == 2)
        let alternative = message.parts[0]
        #expect(alternative.contentType.mimeType == "multipart/alternative")
        #expect(alternative.parts.map(\.contentType.mimeType) == ["text/plain", "multipart/related"])
        #expect(alternative.parts[1].parts.map(\.contentType.mimeType) == ["text/html", "image/png"])
        #expect(message.textBody == "Привет")
        #expect(message.htmlBody == "<p>hi</p>")
        #expect(message.leaves.count == 4)
        let attachments = message.attachments
        #expect(attachments.map(\.filename) == ["отчёт.pdf"])
        #expect(attachments.first?.decodedBody == Array("%PDF-1.4\n".utf8))
        #expect(alternative.parts[1].parts[1].decodedBody.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test("a missing close delimiter ends the last part at the end")
    func missingClose() throws {
        let message = try MIMEPart(parsing: TrickyMessages.missingClose)
        #expect(message.parts.count == 2)
        #expect(message.parts[0].text == "first")
        #expect(message.parts[1].text == "second part runs to the end\n")
    }

    @Test("a boundary that never occurs or is missing leaves a leaf with its body")
    func brokenBoundaries() throws {
        let wrong = try MIMEPart(parsing: TrickyMessages.wrongBoundary)
        #expect(wrong.parts.isEmpty)
        #expect(!wrong.body.isEmpty)
        let none = try MIMEPart(parsing: TrickyMessages.noBoundary)
        #expect(none.parts.isEmpty)
        #expect(Array(none.body) == Array("body\r\n".utf8))
    }

    @Test("a line that only starts with the boundary is not a delimiter")
    func prefix() throws {
        let message = try MIMEPart(parsing: TrickyMessages.prefixBoundary)
        #expect(message.parts.count == 1)
        #expect(message.parts[0].text == "--abc is text, not a delimiter")
    }

    @Test("decodes mixed charsets in one message")
    func mixedCharsets() throws {
        let message = try MIMEPart(parsing: TrickyMessages.mixedCharsets)
        let from = AddressList(field: try #require(message.header.field(named: "from")))
        #expect(from.mailboxes.map(\.displayName) == ["André", "Иван"])
        #expect(message.header["subject"] == "Łódź and є")
        #expect(message.textBody == "Привет\r\n")
    }

    @Test("missing headers fall back to the RFC 2045 defaults")
    func missingHeaders() throws {
        let message = try MIMEPart(parsing: TrickyMessages.missingHeaders)
        #expect(message.contentType.mimeType == "text/plain")
        #expect(message.contentType.charset == "us-ascii")
        #expect(message.transferEncoding == .sevenBit)
        #expect(message.header["From"] == nil)
        #expect(message.textBody == "Just a body.\n")
        let bare = try MIMEPart(parsing: TrickyMessages.noHeader)
        #expect(bare.header.fields.isEmpty)
        #expect(bare.textBody == "Hello there,\nthis has no header.\n")
    }

    @Test("parses encapsulated messages and digest parts")
    func forwarded() throws {
        let message = try MIMEPart(parsing: TrickyMessages.forwarded)
        #expect(message.parts.count == 3)
        let inner = try #require(message.parts[1].parts.first)
        #expect(inner.header["subject"] == "the inner one")
        #expect(inner.textBody == "inner body")
        let digestItem = try #require(message.parts[2].parts.first)
        #expect(digestItem.contentType.mimeType == "message/rfc822")
        #expect(digestItem.parts.first?.header["subject"] == "digest item")
        // The text body of the outer message is its own, not the forwarded one's.
        #expect(message.textBody == "See below.")
    }

    @Test("decodes a long folded Cyrillic subject and a folded From")
    func cyrillicSubject() throws {
        let message = try MIMEPart(parsing: TrickyMessages.cyrillicSubject)
        #expect(message.header["subject"] == "Привет, мир! Это длинная тема письма, выравнивание")
        let from = AddressList(field: try #require(message.header.field(named: "from")))
        #expect(from.mailboxes.first?.displayName == "Иван")
    }

    @Test("nesting deeper than the limit is kept as opaque leaves")
    func depthLimit() throws {
        var text = ""
        for level in 0..<100 { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "\ninnermost\n"
        let message = try MIMEPart(parsing: TestBytes.lf(text), limits: ParserLimits(maxDepth: 10))
        var depth = 0
        var part = message
        while let child = part.parts.first {
            depth += 1
            part = child
        }
        #expect(depth == 10)
    }

    @Test("parts past the limit are dropped")
    func partLimit() throws {
        let text = "Content-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b\n\nx\n", count: 1_000) + "--b--\n"
        let message = try MIMEPart(parsing: TestBytes.lf(text), limits: ParserLimits(maxParts: 50))
        #expect(message.parts.count == 49)
    }
}

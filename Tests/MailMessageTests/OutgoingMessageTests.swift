import Foundation
import Testing

@testable import MailMessage

@Suite("OutgoingMessage building")
struct OutgoingMessageTests {
    static let fixedDate = MailDate(date: Date(timeIntervalSince1970: 1_700_000_000), utcOffsetMinutes: 180)

    static func sample() throws -> OutgoingMessage {
        var message = OutgoingMessage(from: try Mailbox("Анна Петрова <anna@почта.рф>"))
        message.to = [try Mailbox("Bob Smith <bob@example.com>"), try Mailbox("\"Ivanov, Ivan\" <ivan@example.ru>")]
        message.cc = [try Mailbox("carol@example.com")]
        message.bcc = [try Mailbox("Secret <hidden@example.net>")]
        message.subject = "Привет! Отчёт за ноябрь — длинная тема, которая точно не поместится в одну строку"
        message.textBody = "Здравствуйте,\nвот отчёт.\n\n-- \nАнна"
        message.date = fixedDate
        message.messageID = try MessageID(left: "fixed.1", right: "xn--80a1acny.xn--p1ai")
        return message
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { $0 }
    }

    @Test("round-trips addresses, subject, date, Message-ID and body through the parser")
    func roundTrip() throws {
        let message = try OutgoingMessageTests.sample()
        let parsed = try MIMEPart(parsing: try message.encoded(boundary: "test"))
        let header = parsed.header
        #expect(header["Subject"] == message.subject)
        #expect(AddressList(field: try #require(header.field(named: "From"))).mailboxes == [message.from])
        #expect(AddressList(field: try #require(header.field(named: "To"))).mailboxes == message.to)
        #expect(AddressList(field: try #require(header.field(named: "Cc"))).mailboxes == message.cc)
        #expect(try MailDate(parsing: try #require(header["Date"])) == OutgoingMessageTests.fixedDate)
        #expect(try MessageID(parsing: try #require(header["Message-ID"])) == message.messageID)
        #expect(header["MIME-Version"] == "1.0")
        #expect(parsed.textBody == message.textBody.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
    }

    @Test("never writes Bcc but lists it among the envelope recipients")
    func bcc() throws {
        let message = try OutgoingMessageTests.sample()
        let bytes = try message.encoded(boundary: "test")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.lowercased().contains("bcc"))
        #expect(!text.contains("hidden@example.net"))
        #expect(
            message.recipients.map(\.description) == [
                "bob@example.com", "ivan@example.ru", "carol@example.com", "hidden@example.net",
            ])
        var onlyBcc = OutgoingMessage(from: try Mailbox("a@example.com"))
        onlyBcc.bcc = [try Mailbox("b@example.com")]
        #expect(throws: Never.self) { try onlyBcc.encoded() }
    }

    @Test("uses CRLF everywhere and keeps every line within 998 octets")
    func lineEnds() throws {
        var message = try OutgoingMessageTests.sample()
        message.textBody = String(repeating: "x", count: 3_000) + "\nshort\rline"
        message.subject = String(repeating: "word ", count: 400)
        message.attachments = [Attachment(filename: "a.bin", data: Array(repeating: 7, count: 5_000))]
        let bytes = try message.encoded(boundary: "test")
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D)
        }
        for (index, byte) in bytes.enumerated() where byte == 0x0D {
            #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A)
        }
        let lines = OutgoingMessageTests.lines(bytes)
        #expect(lines.allSatisfy { $0.count <= 1_000 })
        let headerEnd = try MessageHeader(parsing: bytes).bodyOffset
        #expect(OutgoingMessageTests.lines(Array(bytes[..<headerEnd])).allSatisfy { $0.count <= 80 })
        let parsed = try MIMEPart(parsing: bytes)
        #expect(parsed.header["subject"] == String(repeating: "word ", count: 400).trimmingCharacters(in: .whitespaces))
        #expect(parsed.textBody == String(repeating: "x", count: 3_000) + "\r\nshort\r\nline\r\n")
    }

    @Test("encodes the subject and display names only when needed")
    func encodeOnlyWhenNeeded() throws {
        var message = OutgoingMessage(from: try Mailbox("Plain Name <a@example.com>"))
        message.to = [try Mailbox("b@example.com")]
        message.subject = "Plain ASCII subject"
        message.date = OutgoingMessageTests.fixedDate
        message.messageID = try MessageID(left: "x", right: "example.com")
        let text = String(decoding: try message.encoded(boundary: "b"), as: UTF8.self)
        #expect(text.contains("\r\nSubject: Plain ASCII subject\r\n"))
        #expect(text.contains("\r\nFrom: Plain Name <a@example.com>\r\n"))
        #expect(!text.contains("=?"))
        #expect(text.contains("Content-Transfer-Encoding: 7bit"))
        message.subject = "Приве́т"
        let encoded = String(decoding: try message.encoded(boundary: "b"), as: UTF8.self)
        #expect(encoded.contains("Subject: =?utf-8?B?"))
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("writes an HTML alternative and attachments with RFC 2231 names")
    func multipart() throws {
        var message = try OutgoingMessageTests.sample()
        message.htmlBody = "<p>Здравствуйте</p>"
        let pdf = Array("%PDF-1.4 binary \u{0}\u{1}".utf8) + [0xFF, 0xFE]
        message.attachments = [
            Attachment(
                filename: "Отчёт за ноябрь 2024 года, окончательная версия.pdf",
                contentType: ContentType(type: "application", subtype: "pdf"), data: pdf),
            Attachment(
                filename: "plain.txt", contentType: ContentType(type: "text", subtype: "plain"), data: Array("hi".utf8)),
        ]
        let bytes = try message.encoded(boundary: "test")
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let parsed = try MIMEPart(parsing: bytes)
        #expect(parsed.contentType.mimeType == "multipart/mixed")
        #expect(parsed.parts.first?.contentType.mimeType == "multipart/alternative")
        #expect(parsed.htmlBody == "<p>Здравствуйте</p>\r\n")
        #expect(parsed.attachments.map(\.filename) == message.attachments.map(\.filename))
        #expect(parsed.attachments.map(\.decodedBody) == message.attachments.map(\.data))
        #expect(parsed.textBody?.hasPrefix("Здравствуйте") == true)
    }

    @Test("gives the same bytes for the same date, Message-ID and boundary")
    func deterministic() throws {
        var message = try OutgoingMessageTests.sample()
        message.attachments = [Attachment(filename: "a.txt", data: [1, 2, 3])]
        #expect(try message.encoded(boundary: "fixed") == message.encoded(boundary: "fixed"))
    }

    @Test("refuses header injection in every caller-supplied value")
    func injection() throws {
        let base = try OutgoingMessageTests.sample()
        var subject = base
        subject.subject = "Hi\r\nBcc: victim@example.com"
        #expect(throws: MessageError.self) { try subject.encoded() }
        var name = base
        name.from = Mailbox(address: try EmailAddress("eve@example.com"))
        name.from.displayName = "Eve\nBcc: x@y.example"  // set after the initialiser's check
        #expect(throws: MessageError.self) { try name.encoded() }
        var extra = base
        extra.extraFields = [HeaderField(name: "X-Test", value: "a\rb")]
        #expect(throws: MessageError.self) { try extra.encoded() }
        var badName = base
        badName.extraFields = [HeaderField(name: "X Bad:", value: "v")]
        #expect(throws: MessageError.self) { try badName.encoded() }
        var reserved = base
        reserved.extraFields = [HeaderField(name: "bcc", value: "x@y.example")]
        #expect(throws: MessageError.self) { try reserved.encoded() }
        var file = base
        file.attachments = [Attachment(filename: "a\r\n.txt", data: [])]
        #expect(throws: MessageError.self) { try file.encoded() }
        var mediaType = base
        mediaType.attachments = [
            Attachment(filename: "a.txt", contentType: ContentType(type: "text", subtype: "plain\r\nBcc: x"), data: [])
        ]
        #expect(throws: MessageError.self) { try mediaType.encoded() }
        var parameterName = base
        parameterName.attachments = [
            Attachment(
                filename: "a.txt",
                contentType: ContentType(type: "text", subtype: "plain", parameters: MIMEParameters([("x\r\ny", "1")])),
                data: [])
        ]
        #expect(throws: MessageError.self) { try parameterName.encoded() }
        var nul = base
        nul.subject = "a\u{0}b"
        #expect(throws: MessageError.self) { try nul.encoded() }
    }

    @Test("a display name with a word too long for a line is encoded, not written over 998 octets")
    func longDisplayName() throws {
        let name = String(repeating: "n", count: 2_000)
        var message = OutgoingMessage(from: try Mailbox(displayName: name, address: try EmailAddress("a@example.com")))
        message.to = [try Mailbox("b@example.com")]
        let bytes = try message.encoded(boundary: "b")
        #expect(OutgoingMessageTests.lines(bytes).allSatisfy { $0.count <= 80 })
        let parsed = try MIMEPart(parsing: bytes)
        #expect(
            AddressList(field: try #require(parsed.header.field(named: "From"))).mailboxes.first?.displayName == name)
    }

    @Test("refuses a message with no recipient")
    func noRecipients() throws {
        let message = OutgoingMessage(from: try Mailbox("a@example.com"))
        do {
            _ = try message.encoded()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .missingRecipients)
        }
    }

    @Test("a body line that looks like the boundary forces quoted-printable")
    func boundaryCollision() throws {
        var message = try OutgoingMessageTests.sample()
        message.textBody = "--=_test_m\nlooks like a delimiter"
        message.attachments = [Attachment(filename: "a.txt", data: [65])]
        let parsed = try MIMEPart(parsing: try message.encoded(boundary: "test"))
        #expect(parsed.parts.count == 2)
        #expect(parsed.textBody == "--=_test_m\r\nlooks like a delimiter\r\n")
    }

    @Test("only a line that begins with a delimiter forces quoted-printable; 998-octet lines stay 7bit")
    func sevenBitRules() throws {
        func encoding(_ body: String) throws -> String {
            var message = try OutgoingMessageTests.sample()
            message.textBody = body
            message.attachments = [Attachment(filename: "a.txt", data: [65])]
            let text = String(decoding: try message.encoded(boundary: "test"), as: UTF8.self)
            return text.contains("Content-Transfer-Encoding: quoted-printable") ? "qp" : "7bit"
        }
        #expect(try encoding("first line\n--=_test_m\nafter") == "qp", "a delimiter on a later line")
        #expect(try encoding("text --=_test_m in the middle") == "7bit", "RFC 2046: only at the beginning of a line")
        #expect(try encoding("-- \nsignature") == "7bit")
        #expect(try encoding(String(repeating: "a", count: 997)) == "7bit")
        #expect(try encoding(String(repeating: "a", count: 999)) == "qp")
        #expect(try encoding("tab\tok") == "7bit")
        #expect(try encoding("bell\u{07}") == "qp")
    }

    @Test("writes In-Reply-To, References and extra fields")
    func threading() throws {
        var message = try OutgoingMessageTests.sample()
        message.inReplyTo = [try MessageID(left: "a", right: "x")]
        message.references = [try MessageID(left: "r", right: "x"), try MessageID(left: "a", right: "x")]
        message.extraFields = [HeaderField(name: "X-Mailer", value: "MailLink")]
        let header = try MessageHeader(parsing: try message.encoded(boundary: "t"))
        #expect(header["In-Reply-To"] == "<a@x>")
        #expect(MessageID.list(in: header["References"] ?? "").count == 2)
        #expect(header["x-mailer"] == "MailLink")
    }

    @Test("flags SMTPUTF8 when an address has a non-ASCII local part")
    func smtpUTF8() throws {
        var message = try OutgoingMessageTests.sample()
        #expect(!message.requiresSMTPUTF8)
        message.to.append(try Mailbox("пётр@example.ru"))
        #expect(message.requiresSMTPUTF8)
    }
}

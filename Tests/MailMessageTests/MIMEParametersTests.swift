import Testing

@testable import MailMessage

@Suite("Content-Type and RFC 2231 parameters")
struct MIMEParametersTests {
    @Test("parses type, subtype and plain or quoted parameters")
    func basic() {
        let type = ContentType(parsing: "Text/HTML; charset=\"UTF-8\"; format=flowed (comment)")
        #expect(type.mimeType == "text/html")
        #expect(type.charset == "UTF-8")
        #expect(type.parameters["FORMAT"] == "flowed")
    }

    @Test("a missing or broken type is text/plain us-ascii")
    func defaultType() {
        #expect(ContentType(parsing: "").mimeType == "text/plain")
        #expect(ContentType(parsing: "garbage").charset == "us-ascii")
        #expect(ContentType(parsing: "text/").mimeType == "text/plain")
    }

    @Test("joins RFC 2231 continuations in order and decodes the charset")
    func continuations() {
        let type = ContentType(
            parsing: "application/pdf;\r\n name*1*=%D0%B5%D1%82.pdf;\r\n name*0*=utf-8'ru'%D0%9F%D1%80%D0%B8%D0%B2"
        )
        #expect(type.name == "Привет.pdf")
        let plain = ContentType(parsing: "text/plain; title*0=\"long \"; title*1=\"value\"")
        #expect(plain.parameters["title"] == "long value")
    }

    @Test("decodes a single extended value in a legacy charset")
    func extendedCharset() {
        let disposition = ContentDisposition(parsing: "attachment; filename*=koi8-r''%F0%D2%C9%D7%C5%D4.txt")
        #expect(disposition.filename == "Привет.txt")
        #expect(disposition.isAttachment)
    }

    @Test("prefers the extended value and decodes encoded words in quoted values")
    func preferences() {
        let both = ContentDisposition(parsing: "attachment; filename=\"fallback.txt\"; filename*=utf-8''real.txt")
        #expect(both.filename == "real.txt")
        let encoded = ContentType(parsing: "application/octet-stream; name=\"=?utf-8?B?0KTQsNC50Lsu0LTQsNGC?=\"")
        #expect(encoded.name == "Файл.дат")
    }

    @Test("keeps a multipart boundary with special characters")
    func boundary() {
        #expect(ContentType(parsing: "multipart/mixed; boundary=\"=_a b:c\"").boundary == "=_a b:c")
        #expect(ContentType(parsing: "multipart/mixed; boundary=simple").boundary == "simple")
    }

    @Test("ignores absurd section numbers")
    func bounded() {
        let type = ContentType(parsing: "text/plain; a*99999999999999999999=x; b*5=y")
        #expect(type.parameters["a"] == nil)
        #expect(type.parameters["b"] == "y")
    }

    @Test("stays linear with many distinct parameters")
    func manyParameters() {
        let text = "text/plain" + (0..<50_000).map { "; p\($0)=v" }.joined()
        #expect(ContentType(parsing: text).parameters.parameters.count == 50_000)
    }

    @Test("encodes non-ASCII and long values with RFC 2231 and parses them back")
    func encodingRoundTrip() throws {
        let name = "Отчёт за " + String(repeating: "очень длинный период ", count: 5) + ".pdf"
        var parameters = MIMEParameters()
        parameters["name"] = name
        parameters["plain"] = "a b"
        let value = try ContentType(type: "application", subtype: "pdf", parameters: parameters).headerValue()
        #expect(value.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        let parsed = ContentType(parsing: value)
        #expect(parsed.name == name)
        #expect(parsed.parameters["plain"] == "a b")
    }

    @Test("refuses CR or LF in a parameter value when encoding")
    func injection() {
        var parameters = MIMEParameters()
        parameters["name"] = "a\r\nBcc: x@y"
        #expect(throws: MessageError.self) {
            try ContentType(type: "text", subtype: "plain", parameters: parameters).headerValue()
        }
    }
}

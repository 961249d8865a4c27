import Testing

@testable import MailMessage

@Suite("EmailAddress validation")
struct EmailAddressTests {
    @Test("accepts ordinary addresses and lower-cases the domain")
    func ordinary() throws {
        let address = try EmailAddress("John.Doe+tag@Example.COM")
        #expect(address.localPart == "John.Doe+tag")
        #expect(address.domain == "example.com")
        #expect(address.asciiString == "John.Doe+tag@example.com")
        #expect(!address.requiresSMTPUTF8)
    }

    @Test("converts an internationalised domain to Punycode and keeps the Unicode form")
    func idn() throws {
        let address = try EmailAddress("ivan@Почта.РФ")
        #expect(address.domain == "почта.рф")
        #expect(address.asciiDomain == "xn--80a1acny.xn--p1ai")
        #expect(!address.requiresSMTPUTF8)
        let fromASCII = try EmailAddress("ivan@xn--80a1acny.xn--p1ai")
        #expect(fromASCII.domain == "почта.рф")
        #expect(fromASCII == address)
    }

    @Test("accepts ideographic full stops as label separators")
    func ideographicDot() throws {
        #expect(try EmailAddress("a@例え\u{3002}jp").asciiDomain == "xn--r8jz45g.jp")
    }

    @Test("allows a non-ASCII local part and flags SMTPUTF8")
    func utf8LocalPart() throws {
        let address = try EmailAddress("пользователь@example.ru")
        #expect(address.requiresSMTPUTF8)
    }

    @Test("accepts quoted local parts and address literals")
    func quotedAndLiteral() throws {
        #expect(try EmailAddress("\"john doe\"@example.com").localPart == "\"john doe\"")
        #expect(try EmailAddress("postmaster@[192.0.2.1]").domain == "[192.0.2.1]")
    }

    @Test(
        "refuses malformed addresses",
        arguments: [
            "", "plain", "@example.com", "a@", "a..b@example.com", ".a@example.com", "a.@example.com",
            "a b@example.com", "a@exa mple.com", "a@-example.com", "a@example-.com", "a@example..com",
            "a@exa_mple.com", "\"unterminated@example.com", "a(b)@example.com",
        ])
    func malformed(_ text: String) {
        #expect(throws: MessageError.self) { try EmailAddress(text) }
    }

    @Test(
        "refuses CR, LF and NUL anywhere",
        arguments: ["a\r\n@example.com", "a@exam\nple.com", "a\u{0}@x.com", "\"a\r\nb\"@x.com"])
    func injection(_ text: String) {
        #expect(throws: MessageError.self) { try EmailAddress(text) }
    }

    @Test("enforces the RFC 5321 length limits")
    func lengths() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try EmailAddress("\(local64)@example.com").localPart.count == 64)
        #expect(throws: MessageError.self) { try EmailAddress("\(local64)a@example.com") }
        let label63 = String(repeating: "b", count: 63)
        #expect(throws: Never.self) { try EmailAddress("a@\(label63).com") }
        #expect(throws: MessageError.self) { try EmailAddress("a@\(label63)b.com") }
        let longDomain = (0..<4).map { _ in label63 }.joined(separator: ".")  // 255 octets
        #expect(throws: MessageError.self) { try EmailAddress("a@\(longDomain)") }
        let fits = (0..<3).map { _ in label63 }.joined(separator: ".") + "." + String(repeating: "c", count: 60)
        #expect(throws: MessageError.self) { try EmailAddress("\(local64)@\(fits)") }  // over 254 in total
    }
}

@Suite("EmailAddress refuses control characters")
struct EmailAddressControlTests {
    @Test(
        "a control character anywhere, quoted or escaped, is refused",
        arguments: [
            "a\u{01}b@c.test", "a@c\u{01}.test", "\"a\u{01}b\"@c.test", "\"a\\\u{01}b\"@c.test", "\"a\tb\"@c.test",
            "\"a\\\tb\"@c.test", "a\u{7F}@c.test", "\"a\u{7F}\"@c.test", "a\u{85}b@c.test", "a@[1.2.3.\u{01}]",
            "a@c.test\r\n", "\"a\\\r\"@c.test",
        ])
    func controls(input: String) {
        #expect(throws: MessageError.self, "\(input.debugDescription)") { try EmailAddress(input) }
    }

    @Test("the same checks apply to the two-part initialiser")
    func parts() {
        #expect(throws: MessageError.self) { try EmailAddress(localPart: "a\u{0}", domain: "b.test") }
        #expect(throws: MessageError.self) { try EmailAddress(localPart: "a", domain: "b.test\u{9F}") }
    }
}

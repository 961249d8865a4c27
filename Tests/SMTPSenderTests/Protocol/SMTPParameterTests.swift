import Testing

@testable import SMTPSender

@Suite("SMTPParameter")
struct SMTPParameterTests {
    @Test("the standard parameters print as RFC 1870, 6152 and 6531 spell them")
    func standard() {
        #expect(SMTPParameter.size(1024).description == "SIZE=1024")
        #expect(SMTPParameter.body8BitMIME.description == "BODY=8BITMIME")
        #expect(SMTPParameter.smtpUTF8.description == "SMTPUTF8")
    }

    @Test("keywords are letters, digits and hyphens; values are printable without = or space")
    func validity() {
        #expect(SMTPParameter("X-FOO", "bar").isValid)
        #expect(!SMTPParameter("-X").isValid)
        #expect(!SMTPParameter("X_Y").isValid)
        #expect(!SMTPParameter("X", "").isValid)
        #expect(!SMTPParameter("X", "a b").isValid)
        #expect(!SMTPParameter("X", "ü").isValid)
    }
}

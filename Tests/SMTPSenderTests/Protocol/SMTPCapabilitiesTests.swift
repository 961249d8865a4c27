import Testing

@testable import SMTPSender

@Suite("SMTPCapabilities")
struct SMTPCapabilitiesTests {
    private let reply = SMTPReply(
        code: 250,
        lines: [
            "mx.example.com Hello [127.0.0.1]", "PIPELINING", "SIZE 35882577", "8BITMIME", "starttls",
            "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN xoauth2", "AUTH=PLAIN LOGIN", "SMTPUTF8",
        ])

    @Test("EHLO lines become case-insensitive extensions with parameters")
    func extensions() {
        let capabilities = SMTPCapabilities(ehloReply: reply)
        #expect(capabilities.greeting == "mx.example.com Hello [127.0.0.1]")
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.supportsStartTLS)
        #expect(capabilities.supports8BitMIME)
        #expect(capabilities.supportsSMTPUTF8)
        #expect(capabilities.supportsEnhancedStatusCodes)
        #expect(capabilities.maximumMessageSize == 35_882_577)
        #expect(!capabilities.supports("CHUNKING"))
    }

    @Test("AUTH mechanisms from both syntaxes are merged, upper case, without duplicates")
    func mechanisms() {
        #expect(SMTPCapabilities(ehloReply: reply).authenticationMechanisms == ["PLAIN", "LOGIN", "XOAUTH2"])
    }

    @Test("SIZE without a number or with 0 means no fixed limit")
    func sizeWithoutLimit() {
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE"])).maximumMessageSize == nil)
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE 0"])).maximumMessageSize == nil)
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE 0"])).supportsSize)
    }
}

import Testing

@testable import SMTPSender

@Suite("SMTPReply")
struct SMTPReplyTests {
    @Test("the first digit gives the severity")
    func severity() {
        #expect(SMTPReply(code: 250).severity == .positiveCompletion)
        #expect(SMTPReply(code: 354).severity == .positiveIntermediate)
        #expect(SMTPReply(code: 451).isTransientFailure)
        #expect(SMTPReply(code: 550).isPermanentFailure)
        #expect(!SMTPReply(code: 550).isPositiveCompletion)
    }

    @Test("the description reads like the wire, lines joined")
    func description() {
        let reply = SMTPReply(
            code: 534, enhancedStatus: EnhancedStatusCode(5, 7, 9), lines: ["App password", "required"])
        #expect(reply.description == "534 5.7.9 App password required")
        #expect(SMTPReply(code: 354, lines: []).description == "354")
        #expect(SMTPReply(code: 354, lines: []).lines == [""])
    }
}

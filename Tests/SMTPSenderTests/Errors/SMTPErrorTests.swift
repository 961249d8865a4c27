import Testing

@testable import SMTPSender

@Suite("SMTPError")
struct SMTPErrorTests {
    private func classify(
        _ code: Int, _ status: EnhancedStatusCode?, _ text: String, _ step: SMTPError.Step
    ) -> SMTPError.Code {
        SMTPError.classify(SMTPReply(code: code, enhancedStatus: status, lines: [text]), during: step).code
    }

    @Test("4xx replies are transient, 5xx are not")
    func transience() {
        #expect(SMTPError.classify(SMTPReply(code: 450, lines: ["busy"]), during: .recipient).isTransient)
        #expect(!SMTPError.classify(SMTPReply(code: 550, lines: ["no"]), during: .recipient).isTransient)
        #expect(SMTPError(.transient).isTransient)
    }

    @Test("the description carries the server's words and a recovery suggestion exists")
    func description() {
        let error = SMTPError.classify(
            SMTPReply(code: 534, enhancedStatus: .init(5, 7, 9), lines: ["App password required"]),
            during: .authentication)
        #expect(error.description.contains("534 5.7.9 App password required"))
        #expect(error.recoverySuggestion.contains("app password"))
    }
}

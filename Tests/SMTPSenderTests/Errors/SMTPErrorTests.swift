import Testing

@testable import SMTPSender

@Suite("SMTPError")
struct SMTPErrorTests {
    private func classify(
        _ code: Int, _ status: EnhancedStatusCode?, _ text: String, _ step: SMTPError.Step
    ) -> SMTPError.Code {
        SMTPError.classify(SMTPReply(code: code, enhancedStatus: status, lines: [text]), during: step).code
    }

    @Test("provider replies map to codes a person can act on")
    func classification() {
        #expect(
            classify(534, .init(5, 7, 9), "Application-specific password required.", .authentication)
                == .applicationPasswordRequired)
        #expect(
            classify(
                535, .init(5, 7, 139), "Authentication unsuccessful, basic authentication is disabled.", .authentication
            ) == .oauthRequired)
        #expect(
            classify(550, .init(5, 7, 30), "Basic authentication is not supported for Client Submission.", .mail)
                == .oauthRequired)
        #expect(
            classify(535, .init(5, 7, 8), "Username and Password not accepted.", .authentication)
                == .authenticationFailed)
        #expect(classify(530, .init(5, 7, 0), "Authentication Required.", .mail) == .authenticationRequired)
        #expect(classify(552, .init(5, 3, 4), "Message size exceeds fixed limit", .data) == .messageTooLarge)
        #expect(classify(550, .init(5, 1, 1), "No such user", .recipient) == .recipientRefused)
        #expect(classify(553, nil, "Sender address rejected", .mail) == .senderRefused)
        #expect(classify(451, .init(4, 3, 0), "Try later", .data) == .transient)
        #expect(classify(554, .init(5, 6, 0), "Content rejected", .data) == .permanent)
        #expect(classify(421, nil, "closing", .recipient) == .serviceUnavailable)
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

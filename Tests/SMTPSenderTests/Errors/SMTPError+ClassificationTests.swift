import Testing

@testable import SMTPSender

@Suite("SMTPError classification")
struct SMTPErrorClassificationTests {
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

    @Test("552 to RCPT without a size status is a full mailbox, not a message too large")
    func mailboxFull() {
        #expect(classify(552, nil, "Mailbox full", .recipient) == .recipientRefused)
        #expect(classify(552, .init(5, 3, 4), "Message too big", .recipient) == .messageTooLarge)
    }
}

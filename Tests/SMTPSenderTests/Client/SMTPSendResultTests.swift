import Testing

@testable import SMTPSender

@Suite("SMTPSendResult")
struct SMTPSendResultTests {
    @Test("accepted and refused recipients are told apart, refusals as classified errors")
    func outcomes() throws {
        let bob = try SMTPPath("bob@example.org"), eve = try SMTPPath("eve@example.org")
        let result = SMTPSendResult(
            recipients: [
                .init(recipient: bob, reply: SMTPReply(code: 250)),
                .init(
                    recipient: eve, reply: SMTPReply(code: 450, enhancedStatus: .init(4, 2, 1), lines: ["try later"])),
            ],
            finalReply: SMTPReply(code: 250, lines: ["queued"]))
        #expect(result.acceptedRecipients == [bob])
        #expect(result.refusedRecipients.map(\.address) == ["eve@example.org"])
        #expect(result.refusedRecipients.first?.code == .transient)
        #expect(result.refusedRecipients.first?.isTransient == true)
    }
}

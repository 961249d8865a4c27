import Testing

@testable import SMTPSender

@Suite("StubMailSender")
struct StubMailSenderTests {
    @Test("records what it is given and reports every recipient accepted")
    func records() async throws {
        let stub = StubMailSender()
        let sender: any MailSending = stub
        let envelope = try SMTPEnvelope(from: "a@b.c", to: ["d@e.f", "g@h.i"])
        let result = try await sender.send(envelope: envelope, message: Array("hello".utf8))
        #expect(result.acceptedRecipients == envelope.recipients)
        #expect(stub.sentMessages == [StubMailSender.SentMessage(envelope: envelope, message: Array("hello".utf8))])
    }

    @Test("once told to fail, throws that error and records nothing")
    func fails() async throws {
        let stub = StubMailSender()
        stub.failure = SMTPError(.transient, detail: "try later")
        let envelope = try SMTPEnvelope(from: "a@b.c", to: ["d@e.f"])
        let error = await #expect(throws: SMTPError.self) { _ = try await stub.send(envelope: envelope, message: []) }
        #expect(error?.code == .transient)
        #expect(stub.sentMessages.isEmpty)
        #expect(stub.attemptCount == 1)
        stub.failure = nil
        _ = try await stub.send(envelope: envelope, message: [])
        #expect(stub.sentMessages.count == 1)
    }
}

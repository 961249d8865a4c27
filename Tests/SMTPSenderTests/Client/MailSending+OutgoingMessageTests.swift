import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

@Suite("MailSending with OutgoingMessage")
struct MailSendingOutgoingMessageTests {
    let timeouts = Timeouts.all(.seconds(10))

    @Test("an OutgoingMessage is built and sent with Bcc in the envelope only")
    func outgoingMessage() async throws {
        let server = FakeSMTPServer()
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "fake", port: 465, security: .tls), timeouts: timeouts, connector: server.connector)
        var message = OutgoingMessage(from: try Mailbox("Tim <tim@example.com>"))
        message.to = [try Mailbox("bob@example.org")]
        message.bcc = [try Mailbox("secret@example.net")]
        message.subject = "Hello"
        message.textBody = "Hi Bob.\n.\nBye"
        _ = try await client.send(message)
        let received = try #require(server.receivedMessages.first)
        #expect(received.recipients == ["bob@example.org", "secret@example.net"])
        let text = String(decoding: received.data, as: UTF8.self)
        #expect(text.contains("Subject: Hello"))
        #expect(!text.contains("secret@example.net"))
        #expect(server.violations.isEmpty)
    }

    @Test("the envelope takes Sender over From, and every To, Cc and Bcc once")
    func envelope() throws {
        var message = OutgoingMessage(from: try Mailbox("Linked <you@linked.example>"))
        message.sender = try Mailbox("me@primary.example")
        message.to = [try Mailbox("a@x.org"), try Mailbox("b@x.org")]
        message.cc = [try Mailbox("a@x.org")]
        message.bcc = [try Mailbox("c@Bücher.example")]
        let envelope = try SMTPEnvelope(message: message)
        #expect(envelope.sender?.address == "me@primary.example")
        #expect(envelope.recipients.map(\.address) == ["a@x.org", "b@x.org", "c@xn--bcher-kva.example"])
        #expect(!envelope.requiresSMTPUTF8)
    }
}

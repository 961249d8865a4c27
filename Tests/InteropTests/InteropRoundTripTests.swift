import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import POP3Protocol
import SMTPSender
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// The whole trip through servers no one here wrote: a message built with MailMessage is
    /// submitted to Postfix with SMTPSender, delivered by Postfix into Dovecot's Maildir, fetched
    /// with POP3Protocol over TLS, parsed with MailMessage, and compared field by field.
    @Suite(
        "Interop: round trip, MailMessage → Postfix → Dovecot → POP3 → MailMessage",
        .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropRoundTripTests {
        /// Every byte value, with CR, LF, NUL and ".\r\n" sequences that a careless encoder would break.
        private static let attachmentBytes: [UInt8] = {
            var bytes = (0...255).map { UInt8($0) }
            bytes += Array("\r\n.\r\n..\r\n.".utf8) + [0, 0, 0x0D, 0x0D, 0x0A, 0x0A, 0xFF, 0xFE]
            var state: UInt32 = 0x1234_5678
            for _ in 0..<4000 {
                state = state &* 1_664_525 &+ 1_013_904_223
                bytes.append(UInt8(truncatingIfNeeded: state >> 24))
            }
            return bytes
        }()

        private static let body = """
            Здравствуйте, Оливия!
            .
            .hidden line that SMTP must dot-stuff
            ..two dots
            Ünïcödé ✓ and emoji 📬 survive quoted-printable.
            A long line that goes past the seventy-six characters quoted-printable allows: \
            съешь же ещё этих мягких французских булок, да выпей чаю.
            The last line.

            """

        @Test("a message with a Cyrillic subject, UTF-8 body, dot lines and a binary attachment comes back equal")
        func roundTrip() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)

            let from = try Mailbox("Алиса Тестова <\(bench.primaryUser.address)>")
            let to = try Mailbox("Оливия <\(olivia.address)>")
            let subject = "Привет из MailLink: проверка связи через Postfix и Dovecot, с длинной темой"
            let messageID = MessageID.generate(domain: "example.test")
            var message = OutgoingMessage(from: from)
            message.to = [to]
            message.subject = subject
            message.textBody = Self.body
            message.messageID = messageID
            message.attachments = [Attachment(filename: "данные.bin", data: Self.attachmentBytes)]
            let sentBytes = try message.encoded()

            let client = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: false),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(20)))
            let result = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]), message: sentBytes)
            try await client.quit()
            #expect(result.acceptedRecipients.map(\.address) == [olivia.address])
            #expect(try await InteropSMTPSuite.waitForMessages(1, in: olivia, of: bench) == 1)

            let pop3 = try await POP3Client.connect(
                to: Endpoint(host: bench.host, port: bench.pop3sPort, security: .tls),
                credentials: Credentials(user: olivia.address, secret: .password(olivia.password)),
                tls: InteropSMTPSuite.benchPolicy(bench), timeouts: .all(.seconds(20)))
            let status = try await pop3.stat()
            #expect(status.messageCount == 1)
            let fetched = try await pop3.retrieve(1)
            _ = try await pop3.quit()

            // The dot lines crossed SMTP stuffed and POP3 unstuffed them again.
            let raw = String(decoding: fetched, as: UTF8.self)
            #expect(raw.contains("\r\n.hidden line that SMTP must dot-stuff\r\n"))
            #expect(raw.contains("\r\n..two dots\r\n"))
            #expect(raw.contains("\r\n.\r\n"))

            let parsed = try MIMEPart(parsing: fetched)
            let header = parsed.header
            #expect(header["Subject"] == subject)
            #expect(header.field(named: "From").map { AddressList(field: $0).mailboxes } == [from])
            #expect(header.field(named: "To").map { AddressList(field: $0).mailboxes } == [to])
            #expect(try header["Message-ID"].map { try MessageID(parsing: $0) } == messageID)
            #expect(header["Return-Path"] == "<\(bench.primaryUser.address)>", "Postfix recorded the envelope sender")
            let text = try #require(parsed.textBody)
            #expect(text.replacingOccurrences(of: "\r\n", with: "\n") == Self.body)
            #expect(parsed.attachments.count == 1)
            let attachment = try #require(parsed.attachments.first)
            #expect(attachment.filename == "данные.bin")
            #expect(attachment.decodedBody == Self.attachmentBytes)

            // Everything after the header Postfix prepended is the bytes that were sent.
            let sentHeaderEnd = try MessageHeader(parsing: sentBytes).bodyOffset
            #expect(Array(fetched[parsed.header.bodyOffset...]) == Array(sentBytes[sentHeaderEnd...]))
        }
    }
}

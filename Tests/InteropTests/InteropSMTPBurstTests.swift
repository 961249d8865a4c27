import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// BDAT (RFC 3030) and bursts pipelined across transactions (RFC 2920 §3.1) against the
    /// bench's Postfix, which offers CHUNKING: messages arrive byte for byte, and refused
    /// transactions in the middle of a burst leave the others exact.
    @Suite("Interop: BDAT and bursts to Postfix", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropSMTPBurstTests {
        private func connect(
            _ bench: TestbedEnvironment, filter: InteropSMTPMechanismFilter,
            configuration: SMTPClient.Configuration = .init()
        ) async throws -> SMTPClient {
            try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: false),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(30)), connector: filter, configuration: configuration)
        }

        /// A message whose body has lines starting with dots (stuffed for DATA, not for BDAT).
        private func message(to recipient: String, subject: String, bodyLines: Int = 3) throws -> [UInt8] {
            var message = OutgoingMessage(from: try Mailbox("Alice <alice@example.test>"))
            message.to = [try Mailbox(recipient)]
            message.subject = subject
            message.textBody =
                (0..<bodyLines).map { ".line \($0) starts with a dot, sent by the MailLink burst tests" }
                .joined(separator: "\n") + "\n..two dots\n.\n"
            return try message.encoded()
        }

        /// Whether a delivered file ends with the message as sent: the delivery only adds headers
        /// on top, and the Maildir file has LF line ends where the wire had CRLF.
        private func endsWith(_ delivered: Data, _ sent: [UInt8]) -> Bool {
            var lines: [UInt8] = []
            for (index, byte) in sent.enumerated()
            where !(byte == 0x0d && index + 1 < sent.count && sent[index + 1] == 0x0a) {
                lines.append(byte)
            }
            return Array(delivered.suffix(lines.count)) == lines
        }

        @Test("a message goes as BDAT n LAST, with no DATA, and arrives byte for byte, leading dots included")
        func bdatIntact() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let client = try await connect(bench, filter: filter)
            #expect(await client.capabilities.supportsChunking)
            let sent = try message(to: olivia.address, subject: "one BDAT")
            let result = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]), message: sent)
            try await client.quit()
            #expect(result.finalReply.code == 250)
            #expect(filter.sentText.contains("BDAT \(sent.count) LAST\r\n"))
            #expect(!filter.sentText.contains("DATA\r\n"))
            #expect(try await InteropSMTPSuite.waitForMessages(1, in: olivia, of: bench) == 1)
            let delivered = try #require(try InteropSMTPSuite.deliveredMessages(of: olivia).first)
            let intact = endsWith(delivered, sent)
            #expect(intact, "the delivered file ends with the message exactly as sent")
        }

        @Test("a message bigger than a chunk goes in several BDAT chunks and arrives intact")
        func severalChunks() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let client = try await connect(bench, filter: filter, configuration: .init(dataChunkSize: 16 * 1024))
            let sent = try message(to: olivia.address, subject: "chunked", bodyLines: 2000)
            _ = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]), message: sent)
            try await client.quit()
            let chunks = filter.sentText.components(separatedBy: "BDAT ").count - 1
            #expect(chunks == SMTPBurstStateMachine.chunkCount(size: sent.count, chunkSize: 16 * 1024))
            #expect(chunks > 1)
            #expect(try await InteropSMTPSuite.waitForMessages(1, in: olivia, of: bench) == 1)
            let delivered = try #require(try InteropSMTPSuite.deliveredMessages(of: olivia).first)
            let intact = endsWith(delivered, sent)
            #expect(intact)
        }

        @Test(
            "a burst of 30 with two transactions whose recipients are all refused: exact results, 28 delivered intact")
        func burstWithRefusals() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let client = try await connect(bench, filter: filter)
            let refusedAt: Set<Int> = [7, 19]
            var submissions: [SMTPSubmission] = []
            for index in 0..<30 {
                let recipient = refusedAt.contains(index) ? "nobody@example.test" : olivia.address
                submissions.append(
                    SMTPSubmission(
                        envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [recipient]),
                        message: try message(to: recipient, subject: "burst \(index)")))
            }
            let results = try await client.send(submissions)
            try await client.noop()
            try await client.quit()

            for (index, result) in results.enumerated() {
                switch result {
                case .success(let sent):
                    #expect(!refusedAt.contains(index), "message \(index) should have been refused")
                    #expect(sent.finalReply.text.contains("queued as"))
                case .failure(let error):
                    #expect(refusedAt.contains(index), "message \(index): \(error)")
                    #expect(error.code == .recipientRefused)
                    #expect(error.reply?.code == 550)
                }
            }
            #expect(filter.sentText.components(separatedBy: "BDAT ").count - 1 == 30)
            #expect(try await InteropSMTPSuite.waitForMessages(28, in: olivia, of: bench) == 28)
            let delivered = try InteropSMTPSuite.deliveredMessages(of: olivia)
            let subjects = try delivered.map { try MessageHeader(parsing: Array($0))["Subject"] ?? "" }
            #expect(Set(subjects) == Set((0..<30).filter { !refusedAt.contains($0) }.map { "burst \($0)" }))
            let byIndex = Dictionary(
                uniqueKeysWithValues: submissions.enumerated().map { ($0.offset, $0.element.message) })
            for file in delivered {
                let subject = try MessageHeader(parsing: Array(file))["Subject"] ?? ""
                let index = Int(subject.dropFirst("burst ".count)) ?? -1
                let intact = byIndex[index].map { endsWith(file, $0) } == true
                #expect(intact, "\(subject) arrived intact")
            }
        }
    }
}

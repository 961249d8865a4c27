import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// SMTPSender against the bench's real Postfix: STARTTLS (RFC 3207) and implicit TLS
    /// (RFC 8314), AUTH PLAIN and LOGIN (RFC 4954) checked by Dovecot SASL, Postfix's own
    /// refusals, and per-recipient outcomes (RFC 5321 §3.3).
    @Suite("Interop: SMTP submission to Postfix", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropSMTPTests {
        private func message(to recipient: String, subject: String) throws -> [UInt8] {
            var message = OutgoingMessage(from: try Mailbox("Alice <alice@example.test>"))
            message.to = [try Mailbox(recipient)]
            message.subject = subject
            message.textBody = "Sent by the MailLink SMTP interop tests.\n"
            return try message.encoded()
        }

        @Test(
            "each port and each password mechanism authenticates through Dovecot and delivers",
            arguments: [false, true], ["PLAIN", "LOGIN"])
        func submitWithMechanism(implicitTLS: Bool, mechanism: String) async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            let filter = InteropSMTPMechanismFilter(keeping: mechanism)
            let client = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: implicitTLS),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(20)), connector: filter)
            #expect(await client.isSecure)
            #expect(await client.capabilities.authenticationMechanisms == [mechanism])
            let subject = "mechanism \(mechanism) implicitTLS \(implicitTLS)"
            let result = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]),
                message: try message(to: olivia.address, subject: subject))
            try await client.quit()

            #expect(result.acceptedRecipients.map(\.address) == [olivia.address])
            #expect(result.finalReply.code == 250)
            #expect(result.finalReply.text.contains("queued as"))
            let sent = filter.sentText
            #expect(sent.contains("AUTH \(mechanism)"))
            #expect(!sent.contains("AUTH CRAM-MD5"))
            #expect(sent.contains("STARTTLS\r\n") == !implicitTLS)
            #expect(!sent.contains(bench.primaryUser.password), "the password crossed only inside the SASL encoding")
            #expect(try await InteropSMTPSuite.waitForMessages(1, in: olivia, of: bench) == 1)
            let delivered = try #require(try InteropSMTPSuite.deliveredMessages(of: olivia).first)
            let header = try MessageHeader(parsing: Array(delivered))
            #expect(header["Subject"] == subject)
            // Postfix writes "with ESMTPSA" for an authenticated session over TLS (RFC 3848).
            #expect(header.values(for: "Received").contains { $0.contains("ESMTPSA") })
        }

        @Test("a dry run (MAIL, RCPT, RSET) tells a known recipient from an unknown one with Postfix's words; nothing is delivered")
        func dryRun() async throws {
            let bench = try TestbedEnvironment.required()
            let client = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: true),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(20)))
            let outcomes = try await client.dryRun(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [bench.primaryUser.address, "nobody-at-all@example.test"]))
            #expect(outcomes.map(\.isAccepted) == [true, false])
            #expect(outcomes.last?.reply.text.contains("Recipient address rejected") == true, "\(outcomes)")
            let refused = await #expect(throws: SMTPError.self) {
                _ = try await client.dryRun(
                    envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: ["nobody-at-all@example.test"]))
            }
            #expect(refused?.reply?.code == 550)
            try await client.noop()
            try await client.quit()
        }

        @Test("without forcing, the client picks CRAM-MD5, the strongest mechanism Postfix offers")
        func defaultMechanism() async throws {
            let bench = try TestbedEnvironment.required()
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let client = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: false),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(20)), connector: filter)
            #expect(await Set(client.capabilities.authenticationMechanisms) == ["PLAIN", "LOGIN", "CRAM-MD5"])
            try await client.noop()
            try await client.quit()
            #expect(filter.sentText.contains("AUTH CRAM-MD5"))
        }

        @Test(
            "a wrong password is authenticationFailed with Postfix's 535 5.7.8 text, on both ports and both mechanisms",
            arguments: [false, true], ["PLAIN", "LOGIN"])
        func wrongPassword(implicitTLS: Bool, mechanism: String) async throws {
            let bench = try TestbedEnvironment.required()
            let wrong = "not-the-password-\(mechanism)"
            let error = await #expect(throws: SMTPError.self) {
                try await SMTPClient.connect(
                    to: InteropSMTPSuite.endpoint(bench, implicitTLS: implicitTLS),
                    credentials: InteropSMTPSuite.aliceCredentials(bench, password: wrong),
                    tlsPolicy: InteropSMTPSuite.benchPolicy(bench), timeouts: .all(.seconds(20)),
                    connector: InteropSMTPMechanismFilter(keeping: mechanism))
            }
            #expect(error?.code == .authenticationFailed)
            #expect(error?.reply?.code == 535)
            #expect(error?.reply?.enhancedStatus == EnhancedStatusCode(5, 7, 8))
            #expect(error?.reply?.text.contains("authentication failed") == true)
            #expect(error?.description.contains(wrong) == false)
            #expect(error?.isTransient == false)
        }

        @Test(
            "without the bench CA the server certificate is refused as untrusted, on STARTTLS and on implicit TLS",
            arguments: [false, true])
        func untrusted(implicitTLS: Bool) async throws {
            let bench = try TestbedEnvironment.required()
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let error = await #expect(throws: TransportError.self) {
                try await SMTPClient.connect(
                    to: InteropSMTPSuite.endpoint(bench, implicitTLS: implicitTLS),
                    credentials: InteropSMTPSuite.aliceCredentials(bench),
                    tlsPolicy: TLSPolicy(), timeouts: .all(.seconds(20)), connector: filter)
            }
            #expect(error?.code == .certificateUntrusted)
            #expect(error?.certificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
            #expect(!filter.sentText.contains("AUTH"), "no credentials before a trusted TLS session")
        }

        @Test("in plaintext Postfix offers no AUTH before STARTTLS, so the client refuses to go on")
        func noAuthBeforeStartTLS() async throws {
            let bench = try TestbedEnvironment.required()
            let filter = InteropSMTPMechanismFilter(keeping: nil)
            let error = await #expect(throws: SMTPError.self) {
                try await SMTPClient.connect(
                    to: Endpoint(host: bench.host, port: bench.submissionPort, security: .insecurePlaintext),
                    credentials: InteropSMTPSuite.aliceCredentials(bench),
                    tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                    timeouts: .all(.seconds(20)), connector: filter,
                    configuration: .init(allowInsecureCleartextAuthentication: true))
            }
            #expect(error?.code == .authenticationNotOffered)
            #expect(!filter.sentText.contains("AUTH"))
        }

        @Test("recipients are accepted or refused one by one as Postfix answers, and the session goes on")
        func perRecipient() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            let client = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: false),
                credentials: InteropSMTPSuite.aliceCredentials(bench), tlsPolicy: InteropSMTPSuite.benchPolicy(bench),
                timeouts: .all(.seconds(20)))
            let unknown = "nobody@example.test"
            let outside = "someone@elsewhere.invalid"

            let mixed = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address, unknown, outside]),
                message: try message(to: olivia.address, subject: "mixed recipients"))
            #expect(mixed.recipients.map(\.recipient.address) == [olivia.address, unknown, outside])
            #expect(mixed.recipients.map(\.reply.code) == [250, 550, 550])
            #expect(mixed.recipients[1].reply.enhancedStatus == EnhancedStatusCode(5, 1, 1))
            #expect(mixed.recipients[1].reply.text.contains("User unknown"))
            #expect(mixed.recipients[2].reply.text.contains("relays nothing off the machine"))
            #expect(mixed.acceptedRecipients.map(\.address) == [olivia.address])
            #expect(mixed.refusedRecipients.map(\.code) == [.recipientRefused, .recipientRefused])
            #expect(mixed.refusedRecipients.map(\.address) == [unknown, outside])

            let refused = await #expect(throws: SMTPError.self) {
                try await client.send(
                    envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [outside]),
                    message: try message(to: outside, subject: "nobody can take this"))
            }
            #expect(refused?.code == .recipientRefused)
            #expect(refused?.reply?.code == 550)
            #expect(refused?.reply?.text.contains("relays nothing off the machine") == true)

            let short = await #expect(throws: SMTPError.self) {
                try await client.send(
                    envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: ["x@localhost"]),
                    message: try message(to: "x@localhost", subject: "not fully qualified"))
            }
            #expect(short?.code == .recipientRefused)
            #expect(short?.reply?.code == 504)

            let after = try await client.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]),
                message: try message(to: olivia.address, subject: "after the refusals"))
            #expect(after.acceptedRecipients.count == 1)
            try await client.quit()
            #expect(try await InteropSMTPSuite.waitForMessages(2, in: olivia, of: bench) == 2)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try bench.messageCount(of: olivia) == 2, "nothing from the refused transactions was delivered")
        }
    }
}

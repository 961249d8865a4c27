import Foundation
import IMAPProtocol
import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import SMTPSender
import Synchronization
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// IMAPClient against the bench's real Dovecot: implicit TLS and STARTTLS, LOGIN and
    /// AUTHENTICATE, refusals with Dovecot's own words, the bad certificates, special-use folders,
    /// every message byte for byte as POP3 returns it, and IDLE woken by a delivery through Postfix.
    ///
    /// Uses the bench user `olivia`, nested in ``InteropSMTPSuite`` so that no test of another
    /// suite counts olivia's mail while these run; each test empties her mailbox after itself.
    @Suite("Interop: IMAP client against Dovecot", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropIMAPTests {
        static let timeouts = Timeouts.all(.seconds(30))

        static func imapsEndpoint(_ bench: TestbedEnvironment) throws -> Endpoint {
            Endpoint(host: bench.host, port: try #require(bench.imapsPort), security: .tls)
        }

        static func connect(_ bench: TestbedEnvironment, security: Endpoint.Security = .tls) async throws -> IMAPClient
        {
            let port = try #require(security == .tls ? bench.imapsPort : bench.imapPort)
            return try await IMAPClient.connect(
                to: Endpoint(host: bench.host, port: port, security: security),
                tls: InteropSMTPSuite.benchPolicy(bench),
                timeouts: timeouts)
        }

        static func login(_ bench: TestbedEnvironment, as user: TestbedUser) async throws -> IMAPClient {
            try await IMAPClient.connect(
                to: try imapsEndpoint(bench),
                credentials: Credentials(user: user.address, secret: .password(user.password)),
                tls: InteropSMTPSuite.benchPolicy(bench), timeouts: timeouts)
        }

        @Test("implicit TLS with LOGIN: Dovecot's greeting, certificate and capabilities")
        func implicitTLSLogin() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            let client = try await Self.connect(bench)
            #expect(client.isSecure)
            #expect(client.peerCertificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
            #expect(await client.greeting.text.contains("Dovecot"))
            #expect(await client.capabilities.saslInitialResponse)
            try await client.login(username: olivia.address, password: olivia.password)
            let capabilities = await client.capabilities
            #expect(capabilities.idle && capabilities.uidPlus && capabilities.specialUse && capabilities.condStore)
            #expect(try await client.identify()["name"] == "Dovecot")
            try await client.logout()
        }

        @Test("STARTTLS on the plain port, capabilities asked again, then AUTHENTICATE PLAIN")
        func startTLSPlain() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            let client = try await Self.connect(bench, security: .startTLS)
            #expect(client.isSecure)
            #expect(await !client.capabilities.startTLS, "the capabilities after STARTTLS are the ones asked under TLS")
            try await client.authenticate(
                Credentials(user: olivia.address, secret: .password(olivia.password)), mechanism: .plain)
            #expect(await client.isAuthenticated)
            try await client.logout()
        }

        @Test("every mechanism Dovecot offers logs in", arguments: [SASLMechanismKind.plain, .login, .cramMD5])
        func mechanisms(kind: SASLMechanismKind) async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            let client = try await Self.connect(bench)
            try await client.authenticate(
                Credentials(user: olivia.address, secret: .password(olivia.password)), mechanism: kind)
            #expect(await client.isAuthenticated)
            try await client.logout()
        }

        @Test("a wrong password is authenticationFailed with Dovecot's words, for LOGIN and AUTHENTICATE PLAIN")
        func wrongPassword() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            let client = try await Self.connect(bench)
            for attempt in 0..<2 {
                let error = await #expect(throws: IMAPError.self) {
                    if attempt == 0 {
                        try await client.login(username: olivia.address, password: "not-" + olivia.password)
                    } else {
                        try await client.authenticate(
                            Credentials(user: olivia.address, secret: .password("not-" + olivia.password)),
                            mechanism: .plain)
                    }
                }
                #expect(error?.code == .authenticationFailed)
                #expect(error?.responseCode?.name == "AUTHENTICATIONFAILED")
                #expect(
                    error?.serverText?.contains("Authentication failed") == true,
                    "Dovecot's words: \(String(describing: error))")
                #expect(error?.description.contains("not-" + olivia.password) == false)
            }
            try await client.login(username: olivia.address, password: olivia.password)
            #expect(await client.isAuthenticated)
            try await client.logout()
        }

        @Test(
            "the bad certificates on the IMAPS ports are refused with their reasons",
            arguments: [
                (
                    "MAILLINK_WRONGHOST_HOST", "MAILLINK_WRONGHOST_IMAPS_PORT",
                    TransportError.Code.certificateHostnameMismatch
                ),
                ("MAILLINK_EXPIRED_HOST", "MAILLINK_EXPIRED_IMAPS_PORT", .certificateExpired),
                ("MAILLINK_SELFSIGNED_HOST", "MAILLINK_SELFSIGNED_IMAPS_PORT", .certificateSelfSigned),
            ])
        func badCertificates(hostKey: String, portKey: String, code: TransportError.Code) async throws {
            let bench = try TestbedEnvironment.required()
            let host = try #require(bench.values[hostKey])
            let port = try #require(bench.values[portKey].flatMap { Int($0) }, "the bench lacks \(portKey); restart it")
            let error = await #expect(throws: TransportError.self) {
                _ = try await IMAPClient.connect(
                    to: Endpoint(host: host, port: port, security: .tls), tls: InteropSMTPSuite.benchPolicy(bench),
                    timeouts: Self.timeouts)
            }
            #expect(error?.code == code)
            #expect(error?.certificate != nil)
        }

        @Test("special-use folders are found by their attributes")
        func specialUse() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            let expected = try #require(
                bench.values["MAILLINK_IMAP_SPECIAL_USE"], "the bench lacks special-use folders")
            let client = try await Self.login(bench, as: olivia)
            let mailboxes = try await client.listMailboxes()
            for pair in expected.split(separator: ",") {
                let parts = pair.split(separator: "=")
                let use = try #require(IMAPSpecialUse(attribute: "\\" + parts[1]))
                #expect(mailboxes.first { $0.specialUse == use }?.name.displayName == String(parts[0]))
            }
            #expect(mailboxes.contains { $0.name.isInbox })
            try await client.logout()
        }

        @Test("every message is byte for byte what POP3 returns, sizes and UIDs agree, PEEK keeps them unread")
        func sameBytesAsPOP3() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            typealias Fixtures = InteropPOP3Fixtures
            let messages = [
                Fixtures.dotLines(id: Fixtures.messageID("dots")), Fixtures.eightBit(id: Fixtures.messageID("8bit")),
                Fixtures.attachment(id: Fixtures.messageID("att"), byteCount: 300_000),
                Fixtures.text(id: Fixtures.messageID("small"), subject: "small", lines: ["hello"]),
            ]
            for message in messages { try bench.deliver(Data(message), to: olivia) }

            // IMAP first: Dovecot's POP3 RETR sets \Seen, BODY.PEEK[] must not.
            let imap = try await Self.login(bench, as: olivia)
            let inbox = try await imap.select(.inbox)
            let validity = try #require(inbox.uidValidity)
            let summaries = try await imap.messageSummaries()
            let fetched = Mutex<[UInt32: [UInt8]]>([:])
            try await imap.fetchMessages(summaries.map(\.uid)) { message in
                fetched.withLock { $0[message.uid] = message.content }
            }
            let streamed = Mutex<[UInt8]>([])
            let largest = try #require(summaries.max { $0.size < $1.size })
            try await imap.streamMessage(uid: largest.uid) { chunk in streamed.withLock { $0 += chunk } }
            let afterFetch = try await imap.messageSummaries()
            #expect(afterFetch.allSatisfy { !$0.hasFlag("\\Seen") }, "BODY.PEEK[] must leave \\Seen alone")
            #expect(fetched.withLock { $0.count } == messages.count)
            let streamedIsFetched = streamed.withLock { $0 } == fetched.withLock { $0[largest.uid] }
            #expect(streamedIsFetched, "streamed and fetched bytes differ")

            let pop3 = try await POP3Client.connect(
                to: Endpoint(host: bench.host, port: bench.pop3sPort, security: .tls),
                credentials: Credentials(user: olivia.address, secret: .password(olivia.password)),
                tls: InteropSMTPSuite.benchPolicy(bench), timeouts: Self.timeouts)
            let uidls = try await pop3.uidlAll()
            let sizes = try await pop3.listAll()
            var byUIDL: [String: [UInt8]] = [:]
            for entry in uidls { byUIDL[entry.uid] = try await pop3.retrieve(entry.number) }
            _ = try await pop3.quit()
            #expect(byUIDL.count == messages.count)
            #expect(summaries.map(\.size).sorted() == sizes.map(\.size).sorted())
            for (uid, content) in fetched.withLock({ $0 }) {
                // Dovecot's pop3_uidl_format %08Xu%08Xv: the IMAP UID and UIDVALIDITY in (lower-case) hex.
                let uidl = String(format: "%08x%08x", uid, validity)
                #expect(byUIDL[uidl] != nil, "POP3 has no UIDL \(uidl) for IMAP UID \(uid)")
                let identical = byUIDL[uidl] == content  // a Bool, so a failure does not print the bytes
                #expect(identical, "message \(uid) differs between IMAP and POP3")
            }
            let after = try await imap.messageSummaries()

            // Clean up through IMAP itself: \Deleted and UID EXPUNGE.
            try await imap.markDeleted(after.map(\.uid))
            #expect(try await imap.expunge(after.map(\.uid)) == messages.count)
            #expect(try await imap.messageSummaries().isEmpty)
            try await imap.logout()
        }

        @Test("IDLE wakes when Postfix delivers a message submitted with SMTPClient")
        func idleWakesOnDelivery() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            let imap = try await Self.login(bench, as: olivia)
            let inbox = try await imap.select(.inbox)
            #expect(inbox.messageCount == 0)
            let idling = Task { try await imap.idle(timeout: .seconds(25)) }

            let subject = "IDLE wake-up \(UUID().uuidString)"
            let message = Array(
                "From: \(bench.primaryUser.address)\r\nTo: \(olivia.address)\r\nSubject: \(subject)\r\nMessage-ID: <\(UUID().uuidString)@example.test>\r\n\r\nwake up\r\n"
                    .utf8)
            let smtp = try await SMTPClient.connect(
                to: InteropSMTPSuite.endpoint(bench, implicitTLS: false),
                credentials: InteropSMTPSuite.aliceCredentials(bench),
                tlsPolicy: InteropSMTPSuite.benchPolicy(bench), timeouts: .all(.seconds(20)))
            _ = try await smtp.send(
                envelope: try SMTPEnvelope(from: bench.primaryUser.address, to: [olivia.address]), message: message)
            try await smtp.quit()

            guard case .changed(let updates) = try await idling.value else {
                Issue.record("IDLE timed out without the delivery")
                try await imap.logout()
                return
            }
            #expect(updates.contains { if case .exists(let count) = $0 { count >= 1 } else { false } })
            let summaries = try await imap.messageSummaries()
            let newest = try #require(summaries.last)
            let delivered = try #require(try await imap.fetchMessage(uid: newest.uid))
            #expect(String(decoding: delivered.content, as: UTF8.self).contains(subject))
            try await imap.logout()
        }
    }
}

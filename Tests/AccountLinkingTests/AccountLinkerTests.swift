import AccountLinking
import FolderRouting
import Foundation
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import Testing

/// Records what it is asked to send.
actor RecordingSender: MailSending {
    private(set) var sent: [(envelope: SMTPEnvelope, message: [UInt8])] = []

    func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        sent.append((envelope, message))
        let ok = SMTPReply(code: 250, lines: ["OK"])
        return SMTPSendResult(recipients: [], finalReply: ok)
    }
}

@Suite("AccountLinker: the four acceptance criteria, in memory")
struct AccountLinkerTests {
    let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["linked@example.net": "app-password"]))
    let sender = RecordingSender()
    let store: any MailStore = InMemoryMailStore()
    let accounts: any AccountStore = InMemoryAccountStore()

    private func makeLinker() throws -> AccountLinker {
        let directory = NSTemporaryDirectory() + "maillink-linker-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return AccountLinker(configuration: .init(
            primaryAddress: "me@primary.example", confirmationSender: sender,
            confirmationBaseURL: "https://mail.primary.example/confirm", accounts: accounts,
            credentials: InMemoryCredentialStore(), store: store, stateDirectory: directory,
            connector: server.connector))
    }

    private var incoming: ServerSettings {
        ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: "linked@example.net")
    }

    private func link(_ linker: AccountLinker, options: AccountLinker.LinkOptions) async -> [AccountLinker.LinkStep] {
        var steps: [AccountLinker.LinkStep] = []
        for await step in await linker.link(address: "Linked@example.net", secret: "app-password", options: options) {
            steps.append(step)
        }
        return steps
    }

    @Test("link, confirm by the e-mailed link, sync into the new folder, send as, copies kept")
    func acceptance() async throws {
        server.deliver(FakePOP3Message(uid: "u1", text: "Subject: first\r\n\r\nhello\r\n"), to: "linked@example.net")
        server.deliver(FakePOP3Message(uid: "u2", text: "Subject: second\r\n\r\n.dot\r\n"), to: "linked@example.net")
        let linker = try makeLinker()
        let steps = await link(linker, options: .init(incoming: incoming, marker: .purple))
        #expect(steps == [
            .connecting("pop.example.net:995"), .authenticating, .connected(messages: 2),
            .confirmationSent(to: "Linked@example.net"), .awaitingConfirmation,
        ])
        // Nothing is fetched before the owner confirms.
        #expect(try await store.folders().allSatisfy { $0.isInbox })

        // The confirmation e-mail went from the primary to the linked address, with a link.
        let sent = await sender.sent
        #expect(sent.count == 1)
        let confirmation = try #require(sent.first)
        #expect(confirmation.envelope.recipients.map(\.description) == ["Linked@example.net"])
        #expect(confirmation.envelope.sender?.description == "me@primary.example")
        let text = String(decoding: confirmation.message, as: UTF8.self)
        #expect(text.contains("From: me@primary.example"))
        let link = try #require(text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://mail.primary.example/confirm?token=") })

        let confirmed = try await linker.confirm(String(link))
        #expect(confirmed.status == .confirmed)
        await linker.waitForPendingSyncs()

        // Mail from the linked account is in its own folder, with its marker.
        let folder = confirmed.route.resolvedFolder
        #expect(!folder.isInbox)
        let stored = try await store.messages(in: folder)
        #expect(stored.count == 2)
        #expect(stored.allSatisfy { $0.marker == .purple })
        // Copies stay on the server.
        #expect(server.messages(of: "linked@example.net").count == 2)
        // A second confirmation with the same link is refused.
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(String(link)) }

        // Mail can be sent from the linked address, and it can be the default.
        let identities = try await linker.identities()
        #expect(identities.map(\.address) == ["me@primary.example", "Linked@example.net"])
        try await linker.setDefaultIdentity("Linked@example.net")
        var message = OutgoingMessage(from: try Mailbox("me@primary.example"))
        message.to = [try Mailbox("friend@example.org")]
        message.subject = "from my linked address"
        message.textBody = "hi"
        try await linker.send(message)
        let last = try #require(await sender.sent.last)
        #expect(String(decoding: last.message, as: UTF8.self).contains("From: Linked@example.net"))
        #expect(last.envelope.sender?.description == "Linked@example.net")

        // Syncing again fetches nothing new.
        let again = try #require(try await linker.syncAll()["linked@example.net"])
        #expect(try again.get().fetched == 0)
    }

    @Test("a wrong password stops the flow with a diagnosis that keeps the server's words")
    func wrongPassword() async throws {
        let linker = try makeLinker()
        var steps: [AccountLinker.LinkStep] = []
        for await step in await linker.link(address: "linked@example.net", secret: "wrong", options: .init(incoming: incoming)) {
            steps.append(step)
        }
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("expected a diagnosis, got \(steps)")
            return
        }
        #expect(diagnosis.stage == .authentication)
        #expect(await sender.sent.isEmpty)
        #expect(try await accounts.loadAccounts().isEmpty)
    }

    @Test("without settings and without discovery, the flow asks for manual settings")
    func noSettings() async throws {
        let linker = try makeLinker()
        let steps = await link(linker, options: .init())
        guard case .needsManualSettings? = steps.last else {
            Issue.record("expected needsManualSettings, got \(steps)")
            return
        }
    }

    @Test("without manual settings, the discover step's settings are used and shown")
    func discovered() async throws {
        let directory = NSTemporaryDirectory() + "maillink-linker-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let incoming = self.incoming
        let linker = AccountLinker(configuration: .init(
            primaryAddress: "me@primary.example", confirmationSender: sender,
            confirmationBaseURL: "https://mail.primary.example/confirm", accounts: accounts,
            credentials: InMemoryCredentialStore(), store: store, stateDirectory: directory,
            connector: server.connector,
            discover: { _ in
                DiscoveredAccountSettings(incoming: incoming, outgoing: nil, origin: "test", requiresConfirmation: false)
            }))
        let steps = await link(linker, options: .init())
        #expect(steps.prefix(2) == [.discovering, .found(incoming)])
        #expect(steps.last == .awaitingConfirmation)
    }

    @Test("the Inbox can be chosen, and sending as an unconfirmed address is refused")
    func inboxAndUnconfirmed() async throws {
        server.deliver(FakePOP3Message(uid: "i1", text: "Subject: x\r\n\r\ny\r\n"), to: "linked@example.net")
        let linker = try makeLinker()
        _ = await link(linker, options: .init(incoming: incoming, destination: .inbox))
        var message = OutgoingMessage(from: try Mailbox("me@primary.example"))
        message.to = [try Mailbox("friend@example.org")]
        await #expect(throws: LinkDiagnosisError.self) { try await linker.send(message, from: "linked@example.net") }
        let text = String(decoding: try #require(await sender.sent.first).message, as: UTF8.self)
        let code = try #require(text.components(separatedBy: "enter this code: ").last?.split(whereSeparator: \.isWhitespace).first)
        try await linker.confirm(String(code))
        await linker.waitForPendingSyncs()
        #expect(try await store.messages(in: .inbox).count == 1)
    }
}

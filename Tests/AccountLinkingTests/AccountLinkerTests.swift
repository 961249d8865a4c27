import AccountLinking
import AutoDiscovery
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import Synchronization
import Testing

@Suite("AccountLinker: linking, confirming, syncing and sending, in memory")
struct AccountLinkerTests {
    @Test("link, confirm by the e-mailed link, sync into the new folder, send as, copies kept")
    func acceptance() async throws {
        let fixture = try LinkerFixture()
        fixture.server.deliver(FakePOP3Message(uid: "u1", text: "Subject: first\r\n\r\nhello\r\n"), to: LinkerFixture.linked)
        fixture.server.deliver(FakePOP3Message(uid: "u2", text: "Subject: second\r\n\r\n.dot\r\n"), to: LinkerFixture.linked)
        let linker = fixture.makeLinker()
        let steps = await fixture.link(linker, options: .init(incoming: fixture.incoming, marker: .purple))
        #expect(Array(steps.prefix(3)) == [LinkStep.connecting("pop.example.net:995"), .authenticating, .connected(messages: 2)])
        guard case .awaitingConfirmation(let pending)? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(pending.status == .pending)
        // Nothing is fetched before the owner confirms.
        #expect(await fixture.store.folders().allSatisfy { $0.isInbox })

        // The confirmation e-mail went from the primary to the linked address, with link and code.
        let confirmation = try #require(fixture.sender.sent.first)
        #expect(confirmation.envelope.recipients.map { $0.description } == ["Linked@example.net"])
        #expect(confirmation.envelope.sender?.description == "me@primary.example")
        let (link, _) = try fixture.lastConfirmation()

        let events = await linker.syncEvents()
        let confirmed = try await linker.confirm(link)
        #expect(confirmed.status == .confirmed)
        await linker.waitForPendingSyncs()
        // The first sync's outcome arrives as sync events.
        var kinds: [SyncEvent.Kind] = []
        for await event in events {
            kinds.append(event.kind)
            if case .finished = event.kind { break }
        }
        #expect(kinds.first == .started)
        guard case .finished(let report)? = kinds.last else {
            Issue.record("\(kinds)")
            return
        }
        #expect(report.fetched == 2)

        // Mail from the linked account is in its own folder, with its marker; copies stay.
        #expect(!confirmed.folder.isInbox)
        let stored = try await fixture.stored(in: confirmed.folder)
        #expect(stored.count == 2)
        #expect(stored.allSatisfy { $0.marker == .purple })
        #expect(fixture.server.messages(of: LinkerFixture.linked).count == 2)
        // The same link does not work twice.
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(link) }

        // Syncing again fetches nothing new.
        let again = try #require(try await linker.syncAll()[confirmed.id])
        #expect(try again.get().fetched == 0)
    }

    @Test("the short code confirms too, case and dash aside")
    func confirmByCode() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker)
        let (_, code) = try fixture.lastConfirmation()
        let account = try await linker.confirm(code.lowercased().replacingOccurrences(of: "-", with: " "))
        #expect(account.status == .confirmed)
    }

    @Test("a wrong password stops the flow with a diagnosis that keeps the server's words; nothing is saved")
    func wrongPassword() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        let steps = await fixture.link(linker, secret: .password("wrong"))
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("expected a diagnosis, got \(steps)")
            return
        }
        #expect(diagnosis.stage == .authentication)
        #expect(fixture.sender.sent.isEmpty)
        #expect(try await linker.accounts().isEmpty)
    }

    @Test("an OAuth-only provider (outlook.com in the bundled table) stops a password before any connection")
    func outlookWithPassword() async throws {
        var configuration = try LinkerFixture().configuration
        configuration.providerHints = SettingsDiscovery.bundledHints
        let connector = CountingConnector(SocketConnector())
        configuration.connector = connector
        configuration.discover = { (_: EmailAddress) throws -> DiscoveredAccountSettings in throw LinkDiagnosisError(LinkDiagnosis(stage: .nameResolution, summary: "DNS failed", suggestion: "")) }
        let linker = AccountLinker(configuration: configuration)
        var steps: [LinkStep] = []
        for await step in await linker.link(address: "someone@outlook.com", secret: .password("pw")) { steps.append(step) }
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(diagnosis.stage == .oauthRequired)
        #expect(diagnosis.summary.contains("OAuth 2.0"))
        #expect(connector.connections == 0)
    }

    @Test("an app-password provider is named before sign-in and its page is in the diagnosis after a refusal")
    func appPasswordProvider() async throws {
        let hints = ProviderHints(requiresAppPassword: true, appPasswordURL: "https://provider.example/app-passwords")
        let fixture = try LinkerFixture(hints: hints)
        let steps = await fixture.link(fixture.makeLinker(), secret: .password("account-password"))
        #expect(steps.contains { if case .advice(let text) = $0 { text.contains("app password") } else { false } })
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(diagnosis.suggestion.contains("https://provider.example/app-passwords"))
    }

    @Test("discovered settings that need approval are shown and no password goes out until approved")
    func approval() async throws {
        let settings = ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: LinkerFixture.linked)
        let found = DiscoveredAccountSettings(
            incoming: settings, outgoing: nil, origin: "DNS SRV (example.net)", confirmationReasons: ["they came from DNS"])
        let fixture = try LinkerFixture(discover: { _ in found })
        let linker = fixture.makeLinker()
        let steps = await fixture.link(linker, options: .init())
        #expect(steps.last == .settingsNeedApproval(found))
        #expect(fixture.connector.connections == 0)
        #expect(steps.last?.description.contains("DNS SRV (example.net)") == true)

        let asked = Mutex(0)
        let approved = await fixture.link(linker, options: .init(approve: { shown in
            asked.withLock { $0 += 1 }
            return shown == found
        }))
        #expect(asked.withLock { $0 } == 1)
        #expect(approved.contains(.awaitingApproval(found)))
        guard case .awaitingConfirmation? = approved.last else {
            Issue.record("\(approved)")
            return
        }
        let accepted = await fixture.link(linker, options: .init(acceptDiscoveredSettings: true))
        guard case .awaitingConfirmation? = accepted.last else {
            Issue.record("\(accepted)")
            return
        }
    }

    @Test("discovered settings that need no approval are shown and used")
    func discovered() async throws {
        let settings = ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: LinkerFixture.linked)
        let found = DiscoveredAccountSettings(incoming: settings, outgoing: nil, origin: "bundled table (example.net)")
        let fixture = try LinkerFixture(discover: { _ in found })
        let steps = await fixture.link(fixture.makeLinker(), options: .init())
        #expect(Array(steps.prefix(2)) == [LinkStep.discovering, .found(found)])
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("\(steps)")
            return
        }
    }

    @Test("without settings and without discovery, the flow asks for manual settings")
    func noSettings() async throws {
        let fixture = try LinkerFixture()
        let steps = await fixture.link(fixture.makeLinker(), options: .init())
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("expected needsManualSettings, got \(steps)")
            return
        }
        #expect(diagnosis.stage == .discovery)
    }

    @Test("a failed confirmation e-mail keeps the account as 'confirmation not sent'; resend repairs it")
    func confirmationSendFails() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        fixture.sender.fail(true)
        let steps = await fixture.link(linker)
        guard case .confirmationNotSent(let diagnosis)? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(diagnosis.serverText?.contains("try again later") == true)
        let account = try #require(try await linker.accounts().first)
        #expect(account.status == .confirmationNotSent)
        #expect(account.confirmation == nil)

        fixture.sender.fail(false)
        try await linker.resendConfirmation(for: account.address)
        #expect(try await linker.accounts().first?.status == .pending)
        let (link, _) = try fixture.lastConfirmation()
        #expect(try await linker.confirm(link).status == .confirmed)
    }

    @Test("a resent confirmation makes the earlier link and code invalid")
    func resendInvalidates() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker)
        let first = try fixture.lastConfirmation()
        try await linker.resendConfirmation(for: try EmailAddress(LinkerFixture.linked))
        let second = try fixture.lastConfirmation()
        #expect(first.link != second.link)
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(first.link) }
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(first.code) }
        #expect(try await linker.confirm(second.link).status == .confirmed)
        // A confirmed account needs no new confirmation.
        await #expect(throws: LinkDiagnosisError.self) { try await linker.resendConfirmation(for: try EmailAddress(LinkerFixture.linked)) }
    }

    @Test("an expired confirmation is refused with what to do; resend gives a working one")
    func expiredConfirmation() async throws {
        let fixture = try LinkerFixture(lifetime: .seconds(90))
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker)
        let (link, code) = try fixture.lastConfirmation()
        fixture.clock.advance(91)
        let error = await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(link) }
        #expect(error?.diagnosis.summary.contains("expired") == true)
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(code) }
        #expect(try await linker.accounts().first?.confirmationExpired(at: fixture.clock.now) == true)
        try await linker.resendConfirmation(for: try EmailAddress(LinkerFixture.linked))
        #expect(try await linker.confirm(try fixture.lastConfirmation().link).status == .confirmed)
    }

    @Test("five wrong codes lock the account's code; the link still works")
    func wrongCodes() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker)
        let (link, code) = try fixture.lastConfirmation()
        let wrong = code.hasPrefix("AAAA") ? "BBBB-BBBB" : "AAAA-AAAA"
        for _ in 1...4 {
            let error = await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(wrong) }
            #expect(error?.diagnosis.summary == "that code is not right")
        }
        let locked = await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(wrong) }
        #expect(locked?.diagnosis.summary.contains("too many wrong codes") == true)
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(code) }
        #expect(try await linker.confirm(link).status == .confirmed)
    }

    @Test("text that is neither link nor code is refused plainly")
    func notAConfirmation() async throws {
        let linker = try LinkerFixture().makeLinker()
        let error = await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm("hello there") }
        #expect(error?.diagnosis.stage == .confirmation)
    }

    @Test("a confirm while a link of another account is saving is not overwritten by that link")
    func interleavedLinkAndConfirm() async throws {
        let other = "other@example.net"
        let fixture = try LinkerFixture()
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password, other: "pw"]))
        let credentials = GateCredentialStore()
        var configuration = fixture.configuration
        configuration.connector = server.connector
        configuration.credentials = credentials
        let linker = AccountLinker(configuration: configuration)
        _ = await fixture.link(linker)
        let (link, _) = try fixture.lastConfirmation()

        // The second link stops while it stores its secret, between its sign-in and its save.
        credentials.closed.withLock { $0 = true }
        let second = Task {
            await fixture.link(
                linker, address: other, secret: .password("pw"),
                options: .init(incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: other)))
        }
        while !credentials.waiting.withLock({ $0 }) { await Task.yield() }
        let confirmed = try await linker.confirm(link)
        credentials.release()
        let steps = await second.value
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        let accounts = try await linker.accounts()
        #expect(accounts.count == 2)
        #expect(accounts.first { $0.id == confirmed.id }?.status == .confirmed)
    }

    @Test("the whole flow with logging on never logs a password, token, code or message body")
    func loggingCarriesNoSecrets() async throws {
        let lines = Mutex<[String]>([])
        let logger = MailLogger(minimumLevel: .debug) { level, message, metadata in
            lines.withLock { $0.append("\(level) \(message) \(metadata)") }
        }
        let fixture = try LinkerFixture(logger: logger)
        let body = "secret-body-\(UUID().uuidString)"
        fixture.server.deliver(FakePOP3Message(uid: "u1", text: "Subject: s\r\n\r\n\(body)\r\n"), to: LinkerFixture.linked)
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker, secret: .password("wrong-password-typed"))
        _ = await fixture.link(linker)
        let (link, code) = try fixture.lastConfirmation()
        let token = try #require(ConfirmationSecret.token(inLink: link))
        try await linker.confirm(link)
        await linker.waitForPendingSyncs()
        var message = try await linker.newMessage()
        message.to = [try Mailbox("friend@example.org")]
        message.textBody = body
        try await linker.send(message)
        let logged = lines.withLock { $0 }
        #expect(logged.count > 5)
        for line in logged {
            for secret in [LinkerFixture.password, "wrong-password-typed", token, code, code.replacingOccurrences(of: "-", with: ""), body] {
                #expect(!line.contains(secret), "\(line)")
            }
        }
    }

    @Test("a state folder that is a file gives a clear error")
    func stateFolderIsAFile() throws {
        let path = NSTemporaryDirectory() + "maillink-file-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let error = #expect(throws: StateFileError.self) {
            _ = try AccountLinker.Configuration.files(
                directory: path, primaryAddress: try EmailAddress("me@primary.example"), confirmationSender: RecordingSender(),
                confirmationBaseURL: "https://x.example/c", store: InMemoryMailStore())
        }
        #expect(error?.code == .folderUnusable)
        #expect(error?.description.contains("not a folder") == true)
    }

    @Test("a file configuration creates its folder, so the first sync and identity change work")
    func stateFolderCreated() async throws {
        let directory = NSTemporaryDirectory() + "maillink-new-\(UUID().uuidString)/nested"
        let fixture = try LinkerFixture()
        var configuration = try AccountLinker.Configuration.files(
            directory: directory, primaryAddress: try EmailAddress("me@primary.example"), confirmationSender: fixture.sender,
            confirmationBaseURL: "https://mail.primary.example/confirm", store: fixture.store)
        configuration.connector = fixture.server.connector
        fixture.server.deliver(FakePOP3Message(uid: "u1", text: "Subject: s\r\n\r\nb\r\n"), to: LinkerFixture.linked)
        let linker = AccountLinker(configuration: configuration)
        _ = await fixture.link(linker)
        let account = try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
        #expect(try await linker.lastSync[account.id]?.get().fetched == 1)
        try await linker.setDefaultIdentity(account.address)
        #expect(try await linker.identities().first { $0.isDefault }?.address == account.address)
        #expect(FileManager.default.fileExists(atPath: directory + "/state/uidl-linked@example.net.json"))
    }
}

/// A credential store that can hold `setSecret` until released, to interleave operations.
final class GateCredentialStore: CredentialStore, Sendable {
    let inner = InMemoryCredentialStore()
    let closed = Mutex(false)
    let waiting = Mutex(false)
    private let released = Mutex<[CheckedContinuation<Void, Never>]>([])

    func release() {
        closed.withLock { $0 = false }
        for continuation in released.withLock({ list in defer { list = [] }; return list }) { continuation.resume() }
    }

    func secret(for account: AccountID) async throws -> Credentials.Secret? { await inner.secret(for: account) }

    func setSecret(_ secret: Credentials.Secret?, for account: AccountID) async throws {
        if closed.withLock({ $0 }) {
            await withCheckedContinuation { continuation in
                released.withLock { $0.append(continuation) }
                waiting.withLock { $0 = true }
            }
        }
        await inner.setSecret(secret, for: account)
    }
}

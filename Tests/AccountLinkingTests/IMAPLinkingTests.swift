import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Synchronization
import Testing

/// Linking, syncing, checking and pushing an IMAP account, against ``MailTesting/FakeIMAPServer``.
@Suite("AccountLinker with IMAP accounts, against FakeIMAPServer")
struct IMAPLinkingTests {
    static let address = try! EmailAddress(LinkerFixture.linked)
    static let incoming = ServerSettings(
        host: "imap.example.net", port: 993, security: .tls, user: LinkerFixture.linked)

    /// A linker fixture whose connector reaches `server`.
    static func fixture(_ server: FakeIMAPServer) throws -> LinkerFixture {
        try LinkerFixture(connector: server.connector)
    }

    static func server(_ configuration: FakeIMAPConfiguration = FakeIMAPConfiguration()) -> FakeIMAPServer {
        FakeIMAPServer(
            configuration: configuration,
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
    }

    static func message(_ subject: String, flags: Set<String> = []) -> FakeIMAPMessage {
        FakeIMAPMessage(text: "To: linked@example.net\r\nSubject: \(subject)\r\n\r\nbody\r\n", flags: flags)
    }

    static func options(
        _ imap: IMAPSourceOptions = IMAPSourceOptions(), copies: AccountLinker.CopiesOnServer = .keep
    ) -> AccountLinker.LinkOptions {
        var options = AccountLinker.LinkOptions(incoming: incoming, copies: copies)
        options.incomingProtocol = .imap
        options.imap = imap
        return options
    }

    /// Links and confirms the account over IMAP; the first sync has run.
    static func confirmed(
        _ fixture: LinkerFixture, options: AccountLinker.LinkOptions = options()
    ) async throws -> (AccountLinker, LinkedAccount, [LinkStep]) {
        let linker = fixture.makeLinker()
        let steps = await fixture.link(linker, options: options)
        let account = try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
        return (linker, account, steps)
    }

    @Test(
        "an IMAP account links (sign-in tested over IMAP), is stored as IMAP, and its first sync brings INBOX with flags"
    )
    func linkAndSync() async throws {
        let server = Self.server()
        server.deliver(Self.message("one", flags: ["\\Seen"]), to: LinkerFixture.linked)
        server.deliver(Self.message("two", flags: ["\\Flagged"]), to: LinkerFixture.linked)
        let fixture = try Self.fixture(server)
        let (linker, account, steps) = try await Self.confirmed(fixture)
        #expect(steps.contains { if case .awaitingConfirmation = $0 { true } else { false } }, "\(steps)")
        #expect(account.incomingProtocol == .imap)
        #expect(try await fixture.accounts.account(account.id)?.incomingProtocol == .imap)
        #expect(
            server.receivedCommands.contains {
                $0.uppercased().contains(" STATUS ") && $0.uppercased().contains("INBOX")
            })
        let stored = try await fixture.stored(in: account.folder)
        #expect(stored.count == 2)
        #expect(server.receivedCommands.contains { $0.uppercased().contains("BODY.PEEK[]") })
        #expect(server.messages(of: LinkerFixture.linked).count == 2, "copies kept")
        let again = try await linker.sync(Self.address).get()
        #expect(again.fetched == 0 && again.listed == 2)
    }

    @Test("copies not kept: each message is expunged from the IMAP server once stored")
    func deleteFromServer() async throws {
        let server = Self.server()
        for subject in ["a", "b", "c"] { server.deliver(Self.message(subject), to: LinkerFixture.linked) }
        let fixture = try Self.fixture(server)
        let (_, account, _) = try await Self.confirmed(fixture, options: Self.options(copies: .delete))
        #expect(try await fixture.stored(in: account.folder).count == 3)
        #expect(server.messages(of: LinkerFixture.linked).isEmpty)
        #expect(server.receivedCommands.contains { $0.uppercased().contains("UID EXPUNGE") })
    }

    @Test("all mailboxes with source folders kept: Archive lands under the account's folder, Trash is skipped")
    func allMailboxesKeptFolders() async throws {
        let server = Self.server()
        server.deliver(Self.message("inbox"), to: LinkerFixture.linked)
        server.deliver(Self.message("archived"), to: LinkerFixture.linked, mailbox: "Archive")
        server.deliver(Self.message("trashed"), to: LinkerFixture.linked, mailbox: "Trash")
        let fixture = try Self.fixture(server)
        let (_, account, _) = try await Self.confirmed(
            fixture, options: Self.options(IMAPSourceOptions(mailboxes: .all(), keepsSourceFolders: true)))
        #expect(try await fixture.stored(in: account.folder).count == 1)
        #expect(try await fixture.stored(in: try account.folder.appending("Archive")).count == 1)
        let trash = try account.folder.appending("Trash")
        #expect(await !fixture.store.folders().contains(trash))
    }

    @Test("a wrong password is diagnosed from the IMAP server's refusal; nothing is saved")
    func wrongPassword() async throws {
        let server = Self.server()
        let fixture = try Self.fixture(server)
        let linker = fixture.makeLinker()
        let steps = await fixture.link(linker, secret: .password("wrong"), options: Self.options())
        let diagnosis = steps.compactMap { if case .needsManualSettings(let d) = $0 { d } else { nil } }.first
        #expect(diagnosis?.stage == .authentication, "\(steps)")
        #expect(await fixture.accounts.accounts().isEmpty)
    }

    @Test("the scheduler pushes with IDLE: mail delivered to INBOX is synced without waiting for the next check")
    func pushWithIDLE() async throws {
        let server = Self.server()
        let fixture = try Self.fixture(server)
        let (linker, account, _) = try await Self.confirmed(fixture)
        let log = await EventLog(linker)
        let clock = VirtualSchedulerClock()  // never advanced: no regular check comes
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        // The watcher is waiting in IDLE once the server has seen the command.
        for _ in 0..<3000 where !server.receivedCommands.contains(where: { $0.uppercased().hasSuffix(" IDLE") }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.receivedCommands.contains { $0.uppercased().hasSuffix(" IDLE") })
        server.deliver(Self.message("pushed"), to: LinkerFixture.linked)
        let finished = try await log.wait(where: { $0.fetched == 1 })
        #expect(finished.account == account.id)
        #expect(try await fixture.stored(in: account.folder).count == 1)
        await scheduler.stop()
    }

    @Test("without IDLE on the server the scheduler only polls: its regular check still brings the mail")
    func noIDLEPolls() async throws {
        var configuration = FakeIMAPConfiguration()
        configuration.offersIDLE = false
        let server = Self.server(configuration)
        let fixture = try Self.fixture(server)
        let (linker, account, _) = try await Self.confirmed(fixture)
        let log = await EventLog(linker)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        let first = try await log.wait(where: { $0.scheduledAt != nil })
        server.deliver(Self.message("polled"), to: LinkerFixture.linked)
        clock.advance(to: try #require(first.scheduledAt?.0))
        let finished = try await log.wait(where: \.isFinished)
        #expect(finished.fetched == 1)
        #expect(!server.receivedCommands.contains { $0.uppercased().hasSuffix(" IDLE") })
        #expect(try await fixture.stored(in: account.folder).count == 1)
        await scheduler.stop()
    }

    @Test("the checklist checks an IMAP server: greeting, login, INBOX and whether IDLE is offered")
    func connectionCheck() async throws {
        let server = Self.server()
        server.deliver(Self.message("x"), to: LinkerFixture.linked)
        var check = ConnectionCheck(incoming: Self.incoming, connector: server.connector)
        check.incomingProtocol = .imap
        let steps = StepRecorder()
        let diagnosis = await check.run(secret: .password(LinkerFixture.password)) { steps.append($0) }
        #expect(diagnosis == nil, "\(steps.all)")
        #expect(steps.all.map(\.name) == ["IMAP TLS", "IMAP greeting", "IMAP login", "IMAP mailbox"])
        #expect(steps.all.last?.detail.contains("INBOX has 1 messages") == true)
        #expect(steps.all.last?.detail.contains("IDLE offered") == true)

        let refused = StepRecorder()
        let failure = await check.run(secret: .password("wrong")) { refused.append($0) }
        #expect(failure?.stage == .authentication)
        #expect(refused.all.last?.name == "IMAP login" && refused.all.last?.passed == false)
    }
}

/// Collects checklist steps from a `@Sendable` callback.
final class StepRecorder: Sendable {
    private let steps = Mutex<[ConnectionCheck.Step]>([])
    func append(_ step: ConnectionCheck.Step) { steps.withLock { $0.append(step) } }
    var all: [ConnectionCheck.Step] { steps.withLock { $0 } }
}

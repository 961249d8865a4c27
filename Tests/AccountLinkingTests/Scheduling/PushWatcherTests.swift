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

/// The scheduler's IDLE watchers (push) follow the account's settings; fake IMAP servers in memory, a virtual clock that is never advanced (so every
/// check seen is the first one, a pushed one, or one a change asked for).
@Suite("SyncScheduler push: watchers follow the account's settings")
struct PushWatcherTests {
    static let address = try! EmailAddress(LinkerFixture.linked)
    static let other = "other@example.net"
    static let first = ServerSettings(host: "imap.example.net", port: 993, security: .tls, user: LinkerFixture.linked)
    static let second = ServerSettings(host: "imap2.example.net", port: 993, security: .tls, user: LinkerFixture.linked)

    static func server() -> FakeIMAPServer {
        FakeIMAPServer(
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password, other: LinkerFixture.password]))
    }

    static func message(_ subject: String) -> FakeIMAPMessage {
        FakeIMAPMessage(text: "To: linked@example.net\r\nSubject: \(subject)\r\n\r\nbody\r\n")
    }

    static func options(_ incoming: ServerSettings) -> AccountLinker.LinkOptions {
        var options = AccountLinker.LinkOptions(incoming: incoming)
        options.incomingProtocol = .imap
        return options
    }

    /// Waits (with a generous real-time bound, so a broken scheduler fails instead of hanging)
    /// until `condition` holds.
    static func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<3000 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FixtureError("never happened: \(what)")
    }

    static func idles(_ server: FakeIMAPServer) -> Int {
        server.receivedCommands.filter { $0.uppercased().hasSuffix(" IDLE") }.count
    }

    /// Links and confirms `address` over IMAP at `incoming`; the first sync has run.
    static func confirm(
        _ fixture: LinkerFixture, _ linker: AccountLinker, address: String = LinkerFixture.linked,
        at incoming: ServerSettings = first
    ) async throws {
        _ = await fixture.link(linker, address: address, options: options(incoming))
        _ = try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
    }

    @Test("a new incoming server restarts the watcher there: the old session closes, mail pushed by the new server syncs")
    func serverChange() async throws {
        let (old, new) = (Self.server(), Self.server())
        let fixture = try LinkerFixture(
            connector: FakeNetwork(["imap.example.net": old.connector, "imap2.example.net": new.connector]))
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let log = await EventLog(linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("IDLE on the first server") { Self.idles(old) == 1 }

        let account = try await linker.update(Self.address, .init(incoming: Self.second))
        try await Self.eventually("IDLE on the new server") { Self.idles(new) == 1 }
        try await Self.eventually("the old server's sessions all closed") { old.openSessionCount == 0 }
        #expect(Self.idles(old) == 1)
        new.deliver(Self.message("pushed"), to: LinkerFixture.linked)
        let pushed = try await log.wait(where: { $0.fetched == 1 })
        #expect(pushed.account == account.id)
        #expect(try await fixture.stored(in: account.folder).count == 1)
        await scheduler.stop()
    }

    @Test("a new secret restarts the watcher, which signs in again; a changed mailbox is watched instead of INBOX")
    func secretAndMailboxChange() async throws {
        let server = Self.server()
        let fixture = try LinkerFixture(connector: server.connector)
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("the first IDLE") { Self.idles(server) == 1 }

        try await linker.changeSecret(.password(LinkerFixture.password), for: Self.address, verifying: false)
        try await Self.eventually("IDLE again after the new secret") { Self.idles(server) == 2 }

        server.createMailbox("Archive", for: LinkerFixture.linked)
        let before = server.receivedCommands.count
        try await linker.update(
            Self.address, .init(imap: IMAPSourceOptions(mailboxes: .named(["Archive"]))))
        try await Self.eventually("IDLE on Archive") { Self.idles(server) >= 3 }
        let since = server.receivedCommands.dropFirst(before).map { $0.uppercased() }
        #expect(since.contains { $0.contains("EXAMINE") && $0.contains("ARCHIVE") }, "\(since)")
        try await Self.eventually("one watcher session left") { server.openSessionCount == 1 }
        await scheduler.stop()
    }

    @Test("an account moved to POP3 loses its watcher and its IDLE session is closed")
    func protocolChange() async throws {
        let imap = Self.server()
        let pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
        let fixture = try LinkerFixture(
            connector: FakeNetwork(["imap.example.net": imap.connector, "pop.example.net": pop3.connector]))
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("IDLE") { Self.idles(imap) == 1 }
        #expect(await scheduler.pushAccounts == [AccountID(Self.address)])
        try await linker.update(Self.address, .init(incoming: fixture.incoming, incomingProtocol: .pop3))
        #expect(await scheduler.pushAccounts.isEmpty)
        try await Self.eventually("the IDLE session closed") { imap.openSessionCount == 0 }
        await scheduler.stop()
    }
}
